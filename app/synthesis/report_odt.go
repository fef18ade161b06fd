package synthesis

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

const odtMimetype = "application/vnd.oasis.opendocument.text"

const odtNamespaces = odsNamespaces + ` xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"`

const odtStyles = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles ` + odtNamespaces + `><office:font-face-decls/><office:styles>
<style:default-style style:family="paragraph"><style:paragraph-properties fo:margin-bottom="0.2cm"/><style:text-properties style:font-name="DejaVu Sans" fo:font-family="'DejaVu Sans'" fo:font-size="10pt" fo:language="fr" fo:country="FR"/></style:default-style>
<style:style style:name="Standard" style:family="paragraph" style:class="text"/>
<style:style style:name="Quotations" style:display-name="Quotations" style:family="paragraph" style:class="html"><style:paragraph-properties fo:margin-left="0.8cm" fo:padding-left="0.2cm" fo:border-left="0.06cm solid #929292"/><style:text-properties fo:color="#3a3a3a"/></style:style>
<style:style style:name="Title" style:display-name="Title" style:family="paragraph" style:class="chapter"><style:text-properties fo:font-size="18pt" fo:font-weight="bold"/></style:style>
<style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:default-outline-level="1" style:class="text"><style:paragraph-properties fo:margin-top="0.5cm" fo:keep-with-next="always"/><style:text-properties fo:font-size="14pt" fo:font-weight="bold"/></style:style>
<style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph" style:default-outline-level="2" style:class="text"><style:paragraph-properties fo:margin-top="0.3cm" fo:keep-with-next="always"/><style:text-properties fo:font-size="11pt" fo:font-weight="bold"/></style:style>
<style:style style:name="Table_20_Contents" style:display-name="Table Contents" style:family="paragraph"><style:paragraph-properties fo:margin-bottom="0cm"/><style:text-properties fo:font-size="8.5pt"/></style:style>
<style:style style:name="Table_20_Heading" style:display-name="Table Heading" style:family="paragraph"><style:paragraph-properties fo:margin-bottom="0cm"/><style:text-properties fo:font-size="8.5pt" fo:font-weight="bold"/></style:style>
</office:styles></office:document-styles>`

// odtImage is a picture of the document: an SVG chart or map.
type odtImage struct {
	name          string
	svg           string
	width, height float64 // cm
}

// WriteODT renders the report as an OpenDocument text. Charts and the map
// are SVG pictures inside the package, each followed by its figures in a
// table. The zip entries carry the snapshot time, so the same report gives
// the same bytes.
func WriteODT(w io.Writer, r Report, title string) error {
	var body strings.Builder
	var images []odtImage
	tables := 0
	for _, b := range reportBlocks(r, title) {
		switch b.kind {
		case blockTitle:
			body.WriteString(`<text:p text:style-name="Title">` + xmlEscape(b.text) + `</text:p>`)
		case blockHeading:
			body.WriteString(`<text:h text:style-name="Heading_20_1" text:outline-level="1">` + xmlEscape(b.text) + `</text:h>`)
		case blockSubheading:
			body.WriteString(`<text:h text:style-name="Heading_20_2" text:outline-level="2">` + xmlEscape(b.text) + `</text:h>`)
		case blockPara:
			body.WriteString(`<text:p text:style-name="Standard">` + xmlEscape(b.text) + `</text:p>`)
		case blockQuote:
			body.WriteString(`<text:p text:style-name="Quotations">` + xmlEscape(b.text) + `</text:p>`)
		case blockLink:
			body.WriteString(`<text:p text:style-name="Standard"><text:a xlink:type="simple" xlink:href="` + xmlEscape(b.url) + `">` + xmlEscape(b.text) + `</text:a></text:p>`)
		case blockTable:
			tables++
			odtTable(&body, "Tableau"+strconv.Itoa(tables), b.rows)
		case blockChart, blockMap:
			img := odtImage{name: fmt.Sprintf("Pictures/image%d.svg", len(images)+1)}
			alt := ""
			if b.kind == blockChart {
				img.svg, alt = b.chart.SVG(), b.chart.Title
				img.width, img.height = 16, 16*float64(16+len(b.chart.Bars)*chartRow)/chartWidth
			} else {
				img.svg, alt = b.terr.MapSVG(), "Carte des contributions pour 100 000 habitants par département"
				img.width, img.height = 16, 16*float64(mapHeight)/mapWidth
			}
			images = append(images, img)
			fmt.Fprintf(&body, `<text:p text:style-name="Standard"><draw:frame draw:name="Image%d" text:anchor-type="as-char" svg:width="%.2fcm" svg:height="%.2fcm"><draw:image xlink:href="%s" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/><svg:title>%s</svg:title></draw:frame></text:p>`,
				len(images), img.width, img.height, img.name, xmlEscape(alt))
		}
	}

	z := zip.NewWriter(w)
	modified := r.Snapshot.UTC()
	mw, err := z.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store, Modified: modified})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(mw, odtMimetype); err != nil {
		return err
	}
	manifest := odfManifest(odtMimetype, "content.xml", "styles.xml", "meta.xml")
	var pics strings.Builder
	for _, img := range images {
		pics.WriteString(`<manifest:file-entry manifest:full-path="` + img.name + `" manifest:media-type="image/svg+xml"/>`)
	}
	manifest = strings.Replace(manifest, `</manifest:manifest>`, pics.String()+`</manifest:manifest>`, 1)
	files := []struct{ name, content string }{
		{"META-INF/manifest.xml", manifest},
		{"styles.xml", odtStyles},
		{"meta.xml", odfMeta(title)},
	}
	for _, img := range images {
		files = append(files, struct{ name, content string }{img.name, `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + img.svg})
	}
	for _, f := range files {
		if err := writeZipString(z, f.name, f.content, modified); err != nil {
			return err
		}
	}
	cw, err := z.CreateHeader(&zip.FileHeader{Name: "content.xml", Method: zip.Deflate, Modified: modified})
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(cw)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<office:document-content ` + odtNamespaces + `>`)
	bw.WriteString(`<office:automatic-styles>` +
		`<style:style style:name="Tab" style:family="table"><style:table-properties style:width="17cm" table:align="left"/></style:style>` +
		`<style:style style:name="ColText" style:family="table-column"><style:table-column-properties style:column-width="6.4cm"/></style:style>` +
		`<style:style style:name="ColHub" style:family="table-column"><style:table-column-properties style:column-width="3cm"/></style:style>` +
		`<style:style style:name="ColNum" style:family="table-column"><style:table-column-properties style:column-width="2.1cm"/></style:style>` +
		`<style:style style:name="Cell" style:family="table-cell"><style:table-cell-properties fo:border="0.5pt solid #666666" fo:padding="0.05cm"/></style:style>` +
		`<style:style style:name="HeadCell" style:family="table-cell"><style:table-cell-properties fo:border="0.5pt solid #666666" fo:padding="0.05cm" fo:background-color="#eeeeee"/></style:style>` +
		`</office:automatic-styles><office:body><office:text>`)
	bw.WriteString(body.String())
	bw.WriteString(`</office:text></office:body></office:document-content>`)
	if err := bw.Flush(); err != nil {
		return err
	}
	return z.Close()
}

// odtTable writes a table: a wide first column for labels, narrow columns
// for figures (a second text column, such as the Hub, gets more room), and
// a header row repeated on each page.
func odtTable(b *strings.Builder, name string, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	n := len(rows[0])
	b.WriteString(`<table:table table:name="` + name + `" table:style-name="Tab"><table:table-column table:style-name="ColText"/>`)
	for j := 1; j < n; j++ {
		style := "ColNum"
		if j == 1 && len(rows) > 1 && !isFigure(rows[1][1]) {
			style = "ColHub"
		}
		b.WriteString(`<table:table-column table:style-name="` + style + `"/>`)
	}
	for i, row := range rows {
		if i == 0 {
			b.WriteString(`<table:table-header-rows>`)
		}
		b.WriteString(`<table:table-row>`)
		for _, cell := range row {
			cellStyle, style := "Cell", "Table_20_Contents"
			if i == 0 {
				cellStyle, style = "HeadCell", "Table_20_Heading"
			}
			b.WriteString(`<table:table-cell table:style-name="` + cellStyle + `" office:value-type="string"><text:p text:style-name="` + style + `">` + xmlEscape(strings.TrimSpace(cell)) + `</text:p></table:table-cell>`)
		}
		b.WriteString(`</table:table-row>`)
		if i == 0 {
			b.WriteString(`</table:table-header-rows>`)
		}
	}
	b.WriteString(`</table:table>`)
}
