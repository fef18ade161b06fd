package synthesis

import (
	"archive/zip"
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

const odsMimetype = "application/vnd.oasis.opendocument.spreadsheet"

const odsNamespaces = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"`

// writeODS writes an OpenDocument spreadsheet: the zip starts with the
// uncompressed mimetype, then content.xml is streamed row by row (a summary
// table, then one table per axis with a header row and filter buttons), then
// settings.xml freezes the header rows.
func writeODS(ctx context.Context, w io.Writer, refs Refs, f Filter, m Metrics, t table) error {
	z := zip.NewWriter(w)
	modified := time.Now().UTC()
	mw, err := z.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store, Modified: modified})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(mw, odsMimetype); err != nil {
		return err
	}
	if err := writeZipString(z, "META-INF/manifest.xml", odfManifest(odsMimetype, "content.xml", "styles.xml", "meta.xml", "settings.xml"), modified); err != nil {
		return err
	}
	if err := writeZipString(z, "styles.xml", `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<office:document-styles `+odsNamespaces+`><office:styles/></office:document-styles>`, modified); err != nil {
		return err
	}
	if err := writeZipString(z, "meta.xml", odfMeta("Export des contributions"), modified); err != nil {
		return err
	}
	cw, err := z.CreateHeader(&zip.FileHeader{Name: "content.xml", Method: zip.Deflate, Modified: modified})
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(cw, 64<<10)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<office:document-content ` + odsNamespaces + `>`)
	bw.WriteString(`<office:automatic-styles>` +
		`<number:date-style style:name="N1"><number:day number:style="long"/><number:text>/</number:text><number:month number:style="long"/><number:text>/</number:text><number:year number:style="long"/><number:text> </number:text><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/></number:date-style>` +
		`<style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>` +
		`<style:style style:name="ceh" style:family="table-cell"><style:text-properties fo:font-weight="bold"/></style:style>` +
		`<style:style style:name="co1" style:family="table-column"><style:table-column-properties style:column-width="4cm"/></style:style>` +
		`<style:style style:name="co2" style:family="table-column"><style:table-column-properties style:column-width="12cm"/></style:style>` +
		`</office:automatic-styles><office:body><office:spreadsheet>`)

	bw.WriteString(`<table:table table:name="Synthèse"><table:table-column table:style-name="co2"/><table:table-column table:style-name="co1" table:number-columns-repeated="2"/>`)
	for _, r := range summaryRows(refs, f, m) {
		odsRow(bw, r, "")
	}
	bw.WriteString(`</table:table>`)

	header := make([]any, len(t.columns))
	for i, c := range t.columns {
		header[i] = c.Name
	}
	var ranges []string
	curIdx, rows := -1, 0
	closeTable := func() {
		if curIdx < 0 {
			return
		}
		bw.WriteString(`</table:table>`)
		last, _ := excelize.CoordinatesToCellName(len(t.columns), rows)
		name := sheetName(refs.Axes[curIdx])
		ranges = append(ranges, fmt.Sprintf(`'%s'.A1:'%s'.%s`, name, name, last))
	}
	advance := func(id int64) {
		for k := axisIndex(refs, id); curIdx < k; {
			closeTable()
			curIdx++
			bw.WriteString(`<table:table table:name="` + xmlEscape(sheetName(refs.Axes[curIdx])) + `"><table:table-column table:style-name="co1" table:number-columns-repeated="` + strconv.Itoa(len(t.columns)) + `"/><table:table-header-rows>`)
			odsRow(bw, header, "ceh")
			bw.WriteString(`</table:table-header-rows>`)
			rows = 1
		}
	}
	err = t.rows(ctx, func(cells []any, axisID int64) error {
		advance(axisID)
		rows++
		odsRow(bw, cells, "")
		if bw.Buffered() > 32<<10 {
			return bw.Flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	advance(-1)
	closeTable()
	bw.WriteString(`<table:database-ranges>`)
	for i, r := range ranges {
		bw.WriteString(`<table:database-range table:name="__Anonymous_Sheet_DB__` + strconv.Itoa(i+1) + `" table:target-range-address="` + xmlEscape(r) + `" table:display-filter-buttons="true"/>`)
	}
	bw.WriteString(`</table:database-ranges></office:spreadsheet></office:body></office:document-content>`)
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := writeZipString(z, "settings.xml", odsSettings(refs), modified); err != nil {
		return err
	}
	return z.Close()
}

// odsRow writes one table row; style, when set, applies to every cell.
func odsRow(bw *bufio.Writer, cells []any, style string) {
	bw.WriteString(`<table:table-row>`)
	for _, v := range cells {
		attr := ""
		if style != "" {
			attr = ` table:style-name="` + style + `"`
		}
		switch x := v.(type) {
		case int:
			s := strconv.Itoa(x)
			bw.WriteString(`<table:table-cell` + attr + ` office:value-type="float" office:value="` + s + `"><text:p>` + s + `</text:p></table:table-cell>`)
		case int64:
			s := strconv.FormatInt(x, 10)
			bw.WriteString(`<table:table-cell` + attr + ` office:value-type="float" office:value="` + s + `"><text:p>` + s + `</text:p></table:table-cell>`)
		case time.Time:
			if x.IsZero() {
				bw.WriteString(`<table:table-cell/>`)
				continue
			}
			p := x.In(Paris)
			bw.WriteString(`<table:table-cell table:style-name="ce1" office:value-type="date" office:date-value="` + p.Format("2006-01-02T15:04:05") + `"><text:p>` + p.Format("02/01/2006 15:04") + `</text:p></table:table-cell>`)
		case dateOnly:
			d := time.Time(x).Format(time.DateOnly)
			bw.WriteString(`<table:table-cell office:value-type="date" office:date-value="` + d + `"><text:p>` + d + `</text:p></table:table-cell>`)
		default:
			s := cellText(v, false)
			if s == "" {
				bw.WriteString(`<table:table-cell` + attr + `/>`)
				continue
			}
			bw.WriteString(`<table:table-cell` + attr + ` office:value-type="string">`)
			for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
				bw.WriteString(`<text:p>` + xmlEscape(line) + `</text:p>`)
			}
			bw.WriteString(`</table:table-cell>`)
		}
	}
	bw.WriteString(`</table:table-row>`)
}

// odsSettings freezes the header row of every axis table.
func odsSettings(refs Refs) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<office:document-settings ` + odsNamespaces + `><office:settings><config:config-item-set config:name="ooo:view-settings"><config:config-item-map-indexed config:name="Views"><config:config-item-map-entry><config:config-item config:name="ViewId" config:type="string">view1</config:config-item><config:config-item-map-named config:name="Tables">`)
	item := func(name, typ, value string) {
		b.WriteString(`<config:config-item config:name="` + name + `" config:type="` + typ + `">` + value + `</config:config-item>`)
	}
	for _, a := range refs.Axes {
		b.WriteString(`<config:config-item-map-entry config:name="` + xmlEscape(sheetName(a)) + `">`)
		item("HorizontalSplitMode", "short", "0")
		item("VerticalSplitMode", "short", "2")
		item("HorizontalSplitPosition", "int", "0")
		item("VerticalSplitPosition", "int", "1")
		item("ActiveSplitRange", "short", "2")
		item("PositionLeft", "int", "0")
		item("PositionRight", "int", "0")
		item("PositionTop", "int", "0")
		item("PositionBottom", "int", "1")
		b.WriteString(`</config:config-item-map-entry>`)
	}
	b.WriteString(`</config:config-item-map-named></config:config-item-map-entry></config:config-item-map-indexed></config:config-item-set></office:settings></office:document-settings>`)
	return b.String()
}

// odfManifest lists the files of an OpenDocument package.
func odfManifest(mimetype string, files ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">`)
	b.WriteString(`<manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="` + mimetype + `"/>`)
	for _, f := range files {
		b.WriteString(`<manifest:file-entry manifest:full-path="` + f + `" manifest:media-type="text/xml"/>`)
	}
	b.WriteString(`</manifest:manifest>`)
	return b.String()
}

func odfMeta(title string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<office:document-meta ` + odsNamespaces + `><office:meta><dc:title>` + xmlEscape(title) + `</dc:title><dc:language>fr-FR</dc:language><meta:generator>concertation</meta:generator></office:meta></office:document-meta>`
}

func writeZipString(z *zip.Writer, name, content string, modified time.Time) error {
	w, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, content)
	return err
}

// xmlEscape escapes text for XML content and attributes and drops the
// characters XML 1.0 forbids.
func xmlEscape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteRune(r)
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
