package synthesis

import (
	_ "embed"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
)

// DejaVu Sans (Bitstream Vera licence, fonts/LICENSE) covers Latin, Greek,
// Cyrillic, Armenian, Georgian, Hebrew, basic Arabic, the "·" of inclusive
// writing and many symbols; it is embedded so that the PDF does not depend on
// the fonts of the machine.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// FallbackNote is printed in the PDF when a character had to be replaced.
const FallbackNote = "Police : DejaVu Sans. Les caractères qu'elle ne contient pas (émojis, idéogrammes, certaines écritures) sont remplacés par leur code Unicode entre crochets, par exemple [U+1F600] ; les versions HTML et ODT du rapport les montrent tels quels."

var (
	coverOnce sync.Once
	coverFont *sfnt.Font
	coverMu   sync.Mutex
	coverBuf  sfnt.Buffer
	covered   = map[rune]bool{}
)

// hasGlyph reports whether DejaVu Sans draws r and the PDF library can
// print it (fpdf's UTF-8 fonts stop at the Basic Multilingual Plane).
func hasGlyph(r rune) bool {
	if r > 0xffff {
		return false
	}
	coverOnce.Do(func() {
		f, err := sfnt.Parse(fontRegular)
		if err == nil {
			coverFont = f
		}
	})
	if coverFont == nil {
		return r < 0x250
	}
	coverMu.Lock()
	defer coverMu.Unlock()
	if ok, seen := covered[r]; seen {
		return ok
	}
	gi, err := coverFont.GlyphIndex(&coverBuf, r)
	ok := err == nil && gi != 0
	covered[r] = ok
	return ok
}

// pdfText makes s printable with the embedded font: control characters are
// dropped, invisible joiners and variation selectors the font lacks too, and
// any other character it lacks becomes [U+XXXX]. replaced reports whether
// something visible was replaced.
func pdfText(s string) (out string, replaced bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r >= 0x7f && r < 0xa0 || r == 0xfffd:
		case hasGlyph(r):
			b.WriteRune(r)
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Variation_Selector) || r == 0x200d:
		default:
			fmt.Fprintf(&b, "[U+%04X]", r)
			replaced = true
		}
	}
	return b.String(), replaced
}

// WritePDF renders the report as a PDF. The same report gives the same bytes:
// the document dates are the snapshot time and the catalogs are sorted. The
// PDF is not tagged: the HTML report is the accessible version. No character
// makes it fail: those the font lacks are replaced and the document says so.
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
	p.SetCellMargin(cellMargin)
	p.SetAutoPageBreak(true, 18)
	p.SetFooterFunc(func() {
		p.SetY(-12)
		p.SetFont("dejavu", "", 8)
		p.CellFormat(0, 6, fmt.Sprintf("Page %d – empreinte %s", p.PageNo(), r.Hash[:16]), "", 0, "C", false, 0, "")
	})
	p.AddPage()
	pw := &pdfWriter{p: p}
	blocks := reportBlocks(r, title)
	// The note on replaced characters goes right after the title block.
	for _, b := range blocks {
		for _, s := range append([]string{b.text}, flatten(b.rows)...) {
			if _, rep := pdfText(s); rep {
				pw.replaced = true
			}
		}
	}
	for i, b := range blocks {
		if (b.kind == blockHeading || b.kind == blockSubheading) && i+1 < len(blocks) {
			// Keep a heading with the start of what follows it.
			if need := 18 + pw.leadHeight(blocks[i+1]); p.GetY()+need > pageBottom {
				p.AddPage()
			}
		}
		pw.block(b)
		if i == 3 && pw.replaced {
			pw.block(block{kind: blockPara, text: FallbackNote})
		}
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return p.Output(w)
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// leadHeight estimates the height of the start of b: a whole chart or map,
// a few lines otherwise.
func (pw *pdfWriter) leadHeight(b block) float64 {
	switch b.kind {
	case blockChart:
		return float64(len(b.chart.Bars))*6 + 8
	case blockMap:
		return mapHeight * mapScale
	case blockTable:
		return 20
	}
	return 10
}

// cellMargin is the padding inside table cells, in mm.
const cellMargin = 1.0

type pdfWriter struct {
	p        *fpdf.Fpdf
	replaced bool
}

const pageBottom = 279 // A4 height minus the bottom margin

func (pw *pdfWriter) text(s string) string {
	t, _ := pdfText(s)
	return t
}

func (pw *pdfWriter) block(b block) {
	p := pw.p
	switch b.kind {
	case blockTitle:
		p.SetFont("dejavu", "B", 16)
		p.MultiCell(0, 8, pw.text(b.text), "", "L", false)
		p.Ln(2)
	case blockHeading:
		if p.GetY() > 235 {
			p.AddPage()
		}
		p.Ln(3)
		p.SetFont("dejavu", "B", 13)
		p.MultiCell(0, 7, pw.text(b.text), "", "L", false)
		p.Ln(1)
	case blockSubheading:
		if p.GetY() > 255 {
			p.AddPage()
		}
		p.Ln(1)
		p.SetFont("dejavu", "B", 11)
		p.MultiCell(0, 6, pw.text(b.text), "", "L", false)
	case blockPara:
		p.SetFont("dejavu", "", 10)
		p.MultiCell(0, 5, pw.text(b.text), "", "L", false)
		p.Ln(1)
	case blockQuote:
		left, _, _, _ := p.GetMargins()
		p.SetLeftMargin(left + 6)
		p.SetX(left + 6)
		p.SetFont("dejavu", "", 9.5)
		p.SetTextColor(58, 58, 58)
		p.MultiCell(0, 4.8, pw.text(b.text), "L", "L", false)
		p.SetTextColor(0, 0, 0)
		p.SetLeftMargin(left)
		p.SetX(left)
		p.Ln(1)
	case blockLink:
		p.SetFont("dejavu", "", 9)
		p.SetTextColor(0, 0, 145)
		p.WriteLinkString(5, pw.text(b.text), b.url)
		p.SetTextColor(0, 0, 0)
		p.Ln(6)
	case blockTable:
		pw.table(b.rows)
		p.Ln(2)
	case blockChart:
		pw.chart(*b.chart)
	case blockMap:
		pw.choropleth(*b.terr)
	}
}

// table draws a table whose first row is the header; the first column takes
// the room the others leave. Every cell wraps (headers included) and a row
// is as tall as its tallest cell; the header is repeated on a new page.
func (pw *pdfWriter) table(rows [][]string) {
	p := pw.p
	if len(rows) == 0 {
		return
	}
	n := len(rows[0])
	width, _ := p.GetPageSize()
	left, _, right, _ := p.GetMargins()
	avail := width - left - right
	widths := make([]float64, n)
	num := min(26.0, avail*0.62/float64(max(n-1, 1)))
	if n > 1 && len(rows) > 1 && !isFigure(rows[1][1]) { // a second text column (Hub)
		widths[1] = num * 1.4
	}
	// A header wraps between words, never inside one: a column is at least
	// as wide as the longest word of its header.
	p.SetFont("dejavu", "B", 8.5)
	rest := avail
	for j := 1; j < n; j++ {
		if widths[j] == 0 {
			widths[j] = num
		}
		for _, w := range strings.Fields(pw.text(rows[0][j])) {
			widths[j] = max(widths[j], p.GetStringWidth(w)+2*cellMargin+1)
		}
		rest -= widths[j]
	}
	widths[0] = max(rest, 30)
	const lh = 4.6
	draw := func(row []string, header bool) {
		style := ""
		if header {
			style = "B"
		}
		p.SetFont("dejavu", style, 8.5)
		lines := make([][]string, n)
		height := lh
		for j, cell := range row {
			lines[j] = p.SplitText(pw.text(cell), widths[j])
			height = max(height, float64(len(lines[j]))*lh+1.5)
		}
		if p.GetY()+height > pageBottom {
			p.AddPage()
			if !header {
				drawHeader := rows[0]
				pw.tableRow(drawHeader, widths, true)
				p.SetFont("dejavu", style, 8.5)
			}
		}
		x, y := p.GetXY()
		for j := range row {
			if header {
				p.SetFillColor(238, 238, 238)
				p.Rect(x, y, widths[j], height, "DF")
			} else {
				p.Rect(x, y, widths[j], height, "D")
			}
			align := "L"
			if j > 0 && !header && isFigure(row[j]) {
				align = "R"
			}
			for k, l := range lines[j] {
				p.SetXY(x, y+0.8+float64(k)*lh)
				p.CellFormat(widths[j], lh, l, "", 0, align, false, 0, "")
			}
			x += widths[j]
		}
		p.SetXY(left, y+height)
	}
	draw(rows[0], true)
	for _, row := range rows[1:] {
		draw(row, false)
	}
}

// tableRow draws one header row again after a page break.
func (pw *pdfWriter) tableRow(row []string, widths []float64, header bool) {
	p := pw.p
	left, _, _, _ := p.GetMargins()
	p.SetFont("dejavu", "B", 8.5)
	const lh = 4.6
	height := lh
	var lines [][]string
	for j, cell := range row {
		l := p.SplitText(pw.text(cell), widths[j])
		lines = append(lines, l)
		height = max(height, float64(len(l))*lh+1.5)
	}
	x, y := p.GetXY()
	for j := range row {
		p.SetFillColor(238, 238, 238)
		p.Rect(x, y, widths[j], height, "DF")
		for k, l := range lines[j] {
			p.SetXY(x, y+0.8+float64(k)*lh)
			p.CellFormat(widths[j], lh, l, "", 0, "L", false, 0, "")
		}
		x += widths[j]
	}
	p.SetXY(left, y+height)
}

func isFigure(s string) bool {
	s = strings.NewReplacer("\u00a0", "", ",", "", "-", "").Replace(s)
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// chart draws a bar chart: labels on the left, bars, values.
func (pw *pdfWriter) chart(c Chart) {
	p := pw.p
	const row = 6.0
	h := float64(len(c.Bars))*row + 8
	if p.GetY()+h > pageBottom {
		p.AddPage()
	}
	left, _, _, _ := p.GetMargins()
	p.SetFont("dejavu", "B", 9)
	p.CellFormat(0, 5, pw.text(c.Title), "", 1, "L", false, 0, "")
	top := 0
	for _, b := range c.Bars {
		top = max(top, b.Contributions)
	}
	p.SetFont("dejavu", "", 8)
	y := p.GetY() + 1
	for i, b := range c.Bars {
		yy := y + float64(i)*row
		p.SetXY(left, yy)
		p.CellFormat(58, row-1, pw.text(shorten(b.Label, 34)), "", 0, "R", false, 0, "")
		w := 0.0
		if top > 0 {
			w = 90 * float64(b.Contributions) / float64(top)
		}
		p.SetFillColor(0, 0, 145)
		if w > 0 {
			p.Rect(left+60, yy+0.5, w, row-2, "F")
		}
		p.SetXY(left+61+w, yy)
		p.CellFormat(25, row-1, FormatInt(b.Contributions), "", 0, "L", false, 0, "")
	}
	p.SetXY(left, y+float64(len(c.Bars))*row+2)
}

// mapScale is the size of a map unit in the PDF, in mm (783 units → 156.6 mm).
const mapScale = 0.2

// choropleth draws the map of the départements with its insets and legend.
func (pw *pdfWriter) choropleth(t Territories) {
	p := pw.p
	const scale = mapScale
	h := mapHeight * scale
	if p.GetY()+h > pageBottom {
		p.AddPage()
	}
	left, _, _, _ := p.GetMargins()
	x0, y0 := left, p.GetY()
	byCode := map[string]Rate{}
	for _, r := range t.Departements {
		byCode[r.Code] = r
	}
	fill := func(r Rate) {
		cr, cg, cb := hexColor(t.Classes[min(r.Class, len(t.Classes)-1)].Color)
		p.SetFillColor(cr, cg, cb)
	}
	p.SetDrawColor(102, 102, 102)
	p.SetLineWidth(0.1)
	for _, s := range departementShapes {
		fill(byCode[s.Code])
		for _, poly := range polygons(s.Path) {
			pts := make([]fpdf.PointType, len(poly))
			for i, pt := range poly {
				pts[i] = fpdf.PointType{X: x0 + (pt[0]+mapOffsetX)*scale, Y: y0 + pt[1]*scale}
			}
			p.Polygon(pts, "DF")
		}
	}
	p.SetFont("dejavu", "", 7)
	for i, o := range overseas {
		fill(byCode[o.Code])
		y := y0 + float64(insetY(i))*scale
		p.Rect(x0+8*scale, y, insetSize*scale, insetSize*scale, "DF")
		p.SetXY(x0+(8+insetSize+4)*scale, y+1)
		p.CellFormat(30, 3.5, o.Name+" ("+o.Code+")", "", 0, "L", false, 0, "")
	}
	ly := y0 + float64(insetY(len(overseas))+4)*scale
	p.SetXY(x0, ly)
	p.SetFont("dejavu", "B", 7)
	p.CellFormat(30, 3.5, "Pour 100 000 hab.", "", 0, "L", false, 0, "")
	p.SetFont("dejavu", "", 7)
	for i, c := range t.Classes {
		y := ly + 4.5 + float64(i)*4.5
		cr, cg, cb := hexColor(c.Color)
		p.SetFillColor(cr, cg, cb)
		p.Rect(x0, y, 3.5, 3.2, "DF")
		p.SetXY(x0+4.5, y)
		p.CellFormat(30, 3.2, c.Label, "", 0, "L", false, 0, "")
	}
	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(0.2)
	p.SetXY(left, y0+h+2)
}

// PDFText is pdfText for the tests and for anyone who prints with the same font.
func PDFText(s string) (string, bool) { return pdfText(s) }
