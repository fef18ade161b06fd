package synthesis

import (
	_ "embed"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
)

// DejaVu Sans (Bitstream Vera licence, fonts/LICENSE) covers French
// accents and the "·" of inclusive writing; it is embedded so that the PDF
// does not depend on the fonts of the machine.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// WritePDF renders the report as a PDF. The same report gives the same bytes:
// the document dates are the snapshot time and the catalogs are sorted. The
// PDF is not tagged: the HTML report is the accessible version.
func WritePDF(w io.Writer, r Report, title string) error {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCatalogSort(true)
	p.SetCreationDate(r.Snapshot.UTC())
	p.SetModificationDate(r.Snapshot.UTC())
	p.SetLang("fr-FR")
	p.SetTitle(title, true)
	p.SetCreator("Concertation nationale sur l'inclusion numérique", true)
	p.AddUTF8FontFromBytes("dejavu", "", fontRegular)
	p.AddUTF8FontFromBytes("dejavu", "B", fontBold)
	p.SetMargins(18, 18, 18)
	p.SetAutoPageBreak(true, 18)
	p.SetFooterFunc(func() {
		p.SetY(-12)
		p.SetFont("dejavu", "", 8)
		p.CellFormat(0, 6, fmt.Sprintf("Page %d – empreinte %s", p.PageNo(), r.Hash[:16]), "", 0, "C", false, 0, "")
	})
	p.AddPage()
	pw := &pdfWriter{p: p}
	for _, b := range reportBlocks(r, title) {
		pw.block(b)
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return p.Output(w)
}

type pdfWriter struct{ p *fpdf.Fpdf }

func (pw *pdfWriter) block(b block) {
	p := pw.p
	switch b.kind {
	case blockTitle:
		p.SetFont("dejavu", "B", 16)
		p.MultiCell(0, 8, b.text, "", "L", false)
		p.Ln(2)
	case blockHeading:
		if _, y := p.GetXY(); y > 240 {
			p.AddPage()
		}
		p.Ln(3)
		p.SetFont("dejavu", "B", 13)
		p.MultiCell(0, 7, b.text, "", "L", false)
		p.Ln(1)
	case blockSubheading:
		p.Ln(1)
		p.SetFont("dejavu", "B", 11)
		p.MultiCell(0, 6, b.text, "", "L", false)
	case blockPara:
		p.SetFont("dejavu", "", 10)
		p.MultiCell(0, 5, b.text, "", "L", false)
		p.Ln(1)
	case blockLink:
		p.SetFont("dejavu", "", 9)
		p.SetTextColor(0, 0, 145)
		p.WriteLinkString(5, b.text, b.url)
		p.SetTextColor(0, 0, 0)
		p.Ln(6)
	case blockTable:
		pw.table(b.rows)
		p.Ln(2)
	}
}

// table draws a table whose first row is the header; the first column takes
// the remaining width.
func (pw *pdfWriter) table(rows [][]string) {
	p := pw.p
	if len(rows) == 0 {
		return
	}
	n := len(rows[0])
	width, _ := p.GetPageSize()
	left, _, right, _ := p.GetMargins()
	avail := width - left - right
	num := 26.0
	first := avail - num*float64(n-1)
	for i, row := range rows {
		style := ""
		if i == 0 {
			style = "B"
		}
		p.SetFont("dejavu", style, 9)
		if _, y := p.GetXY(); y > 265 {
			p.AddPage()
		}
		for j, cell := range row {
			w, align := num, "R"
			if j == 0 {
				w, align = first, "L"
			}
			p.CellFormat(w, 6, fitText(p, cell, w-2), "1", 0, align, false, 0, "")
		}
		p.Ln(-1)
	}
}

// fitText shortens s until it fits in width.
func fitText(p *fpdf.Fpdf, s string, width float64) string {
	if p.GetStringWidth(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && p.GetStringWidth(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}

func itoa(n int) string { return strconv.Itoa(n) }
