package synthesis

import (
	"archive/zip"
	"bufio"
	"io"
	"strconv"
	"strings"
)

const odtMimetype = "application/vnd.oasis.opendocument.text"

const odtStyles = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles ` + odsNamespaces + `><office:font-face-decls/><office:styles>
<style:default-style style:family="paragraph"><style:paragraph-properties fo:margin-bottom="0.2cm"/><style:text-properties style:font-name="DejaVu Sans" fo:font-family="'DejaVu Sans'" fo:font-size="10pt" fo:language="fr" fo:country="FR"/></style:default-style>
<style:style style:name="Standard" style:family="paragraph" style:class="text"/>
<style:style style:name="Title" style:display-name="Title" style:family="paragraph" style:class="chapter"><style:text-properties fo:font-size="18pt" fo:font-weight="bold"/></style:style>
<style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:default-outline-level="1" style:class="text"><style:paragraph-properties fo:margin-top="0.5cm" fo:keep-with-next="always"/><style:text-properties fo:font-size="14pt" fo:font-weight="bold"/></style:style>
<style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph" style:default-outline-level="2" style:class="text"><style:paragraph-properties fo:margin-top="0.3cm" fo:keep-with-next="always"/><style:text-properties fo:font-size="11pt" fo:font-weight="bold"/></style:style>
<style:style style:name="Table_20_Heading" style:display-name="Table Heading" style:family="paragraph"><style:text-properties fo:font-weight="bold"/></style:style>
</office:styles></office:document-styles>`

// WriteODT renders the report as an OpenDocument text. The zip entries carry
// the snapshot time, so the same report gives the same bytes.
func WriteODT(w io.Writer, r Report, title string) error {
	z := zip.NewWriter(w)
	modified := r.Snapshot.UTC()
	mw, err := z.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store, Modified: modified})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(mw, odtMimetype); err != nil {
		return err
	}
	for _, f := range []struct{ name, content string }{
		{"META-INF/manifest.xml", odfManifest(odtMimetype, "content.xml", "styles.xml", "meta.xml")},
		{"styles.xml", odtStyles},
		{"meta.xml", odfMeta(title)},
	} {
		if err := writeZipString(z, f.name, f.content, modified); err != nil {
			return err
		}
	}
	cw, err := z.CreateHeader(&zip.FileHeader{Name: "content.xml", Method: zip.Deflate, Modified: modified})
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(cw)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<office:document-content ` + odsNamespaces + ` xmlns:xlink="http://www.w3.org/1999/xlink">`)
	bw.WriteString(`<office:automatic-styles><style:style style:name="Cell" style:family="table-cell"><style:table-cell-properties fo:border="0.5pt solid #666666" fo:padding="0.05cm"/></style:style></office:automatic-styles><office:body><office:text>`)
	tables := 0
	for _, b := range reportBlocks(r, title) {
		switch b.kind {
		case blockTitle:
			bw.WriteString(`<text:p text:style-name="Title">` + xmlEscape(b.text) + `</text:p>`)
		case blockHeading:
			bw.WriteString(`<text:h text:style-name="Heading_20_1" text:outline-level="1">` + xmlEscape(b.text) + `</text:h>`)
		case blockSubheading:
			bw.WriteString(`<text:h text:style-name="Heading_20_2" text:outline-level="2">` + xmlEscape(b.text) + `</text:h>`)
		case blockPara:
			bw.WriteString(`<text:p text:style-name="Standard">` + xmlEscape(b.text) + `</text:p>`)
		case blockLink:
			bw.WriteString(`<text:p text:style-name="Standard"><text:a xlink:type="simple" xlink:href="` + xmlEscape(b.url) + `">` + xmlEscape(b.text) + `</text:a></text:p>`)
		case blockTable:
			tables++
			odtTable(bw, "Tableau"+strconv.Itoa(tables), b.rows)
		}
	}
	bw.WriteString(`</office:text></office:body></office:document-content>`)
	if err := bw.Flush(); err != nil {
		return err
	}
	return z.Close()
}

func odtTable(bw *bufio.Writer, name string, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	bw.WriteString(`<table:table table:name="` + name + `"><table:table-column table:number-columns-repeated="` + strconv.Itoa(len(rows[0])) + `"/>`)
	for i, row := range rows {
		if i == 0 {
			bw.WriteString(`<table:table-header-rows>`)
		}
		bw.WriteString(`<table:table-row>`)
		for _, cell := range row {
			style := "Standard"
			if i == 0 {
				style = "Table_20_Heading"
			}
			bw.WriteString(`<table:table-cell table:style-name="Cell" office:value-type="string"><text:p text:style-name="` + style + `">` + xmlEscape(strings.TrimSpace(cell)) + `</text:p></table:table-cell>`)
		}
		bw.WriteString(`</table:table-row>`)
		if i == 0 {
			bw.WriteString(`</table:table-header-rows>`)
		}
	}
	bw.WriteString(`</table:table>`)
}
