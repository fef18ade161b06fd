package synthesis

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Charts and the map are drawn on the server as SVG (for the HTML report and,
// as images, for the ODT); the PDF draws the same data with its own
// primitives. Every text is escaped; no script, no style attribute.

// Chart is a horizontal bar chart of counts.
type Chart struct {
	ID    string
	Title string
	Bars  []Count // Label is shown in the chart, shortened
}

const (
	chartWidth = 580
	chartBarX  = 190
	chartBarW  = 330
	chartRow   = 26
)

// SVG draws the chart.
func (c Chart) SVG() string {
	var b strings.Builder
	h := 16 + len(c.Bars)*chartRow
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`,
		chartWidth, h, chartWidth, h, xmlEscape(c.Title+" (graphique en barres ; les chiffres sont dans le tableau)"))
	b.WriteString(`<title>` + xmlEscape(c.Title) + `</title>`)
	top := 0
	for _, bar := range c.Bars {
		top = max(top, bar.Contributions)
	}
	for i, bar := range c.Bars {
		y := 8 + i*chartRow
		w := 0
		if top > 0 {
			w = bar.Contributions * chartBarW / top
		}
		fmt.Fprintf(&b, `<text x="184" y="%d" text-anchor="end" font-family="DejaVu Sans, Marianne, Arial, sans-serif" font-size="12" fill="#161616">%s</text>`, y+15, xmlEscape(shorten(bar.Label, 28)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="20" fill="#000091"/>`, chartBarX, y, w)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-family="DejaVu Sans, Marianne, Arial, sans-serif" font-size="12" fill="#161616">%s</text>`, chartBarX+w+6, y+15, FormatInt(bar.Contributions))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

//go:embed data/departements-map.json
var mapJSON []byte

// mapShape is the outline of one metropolitan département.
type mapShape struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Path string `json:"path"`
}

var departementShapes = func() []mapShape {
	var m struct {
		Locations []mapShape `json:"locations"`
	}
	if err := json.Unmarshal(mapJSON, &m); err != nil {
		panic("departements-map.json: " + err.Error())
	}
	return m.Locations
}()

// overseas are the overseas départements, drawn as labelled insets.
var overseas = []struct{ Code, Name string }{
	{"971", "Guadeloupe"}, {"972", "Martinique"}, {"973", "Guyane"}, {"974", "La Réunion"}, {"976", "Mayotte"},
}

// Map geometry: the metropolitan outlines (613 × 585) are shifted right to
// leave a column for the overseas insets and the legend.
const (
	mapOffsetX = 170
	mapWidth   = 783
	mapHeight  = 585
	insetSize  = 56
)

func insetY(i int) int { return 10 + i*(insetSize+22) }

// MapSVG draws the choropleth of the départements: contributions per
// 100,000 inhabitants, by class, with the overseas insets and the legend.
func (t Territories) MapSVG() string {
	byCode := map[string]Rate{}
	for _, r := range t.Departements {
		byCode[r.Code] = r
	}
	title := func(r Rate, name string) string {
		if r.Contributions == 0 {
			return name + " : aucune contribution"
		}
		return name + " : " + FormatRate(r.Per100k) + " contributions pour 100 000 habitants (" + FormatInt(r.Contributions) + ")"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`, mapWidth, mapHeight, mapWidth, mapHeight,
		xmlEscape("Carte des contributions pour 100 000 habitants par département ; les chiffres sont dans le tableau qui suit"))
	b.WriteString(`<title>Contributions pour 100 000 habitants, par département</title>`)
	fmt.Fprintf(&b, `<g transform="translate(%d 0)" stroke="#666666" stroke-width="0.6">`, mapOffsetX)
	for _, s := range departementShapes {
		r := byCode[s.Code]
		fmt.Fprintf(&b, `<path d="%s" fill="%s"><title>%s</title></path>`, xmlEscape(s.Path), t.Classes[min(r.Class, len(t.Classes)-1)].Color, xmlEscape(title(r, s.Name+" ("+s.Code+")")))
	}
	b.WriteString(`</g>`)
	font := `font-family="DejaVu Sans, Marianne, Arial, sans-serif"`
	for i, o := range overseas {
		r := byCode[o.Code]
		y := insetY(i)
		fmt.Fprintf(&b, `<rect x="8" y="%d" width="%d" height="%d" fill="%s" stroke="#666666"><title>%s</title></rect>`, y, insetSize, insetSize,
			t.Classes[min(r.Class, len(t.Classes)-1)].Color, xmlEscape(title(r, o.Name+" ("+o.Code+")")))
		fmt.Fprintf(&b, `<text x="%d" y="%d" %s font-size="11" fill="#161616">%s</text>`, 8+insetSize+6, y+24, font, xmlEscape(o.Name))
		fmt.Fprintf(&b, `<text x="%d" y="%d" %s font-size="11" fill="#161616">%s</text>`, 8+insetSize+6, y+40, font, o.Code)
	}
	ly := insetY(len(overseas)) + 10
	fmt.Fprintf(&b, `<text x="8" y="%d" %s font-size="11" font-weight="bold" fill="#161616">Pour 100 000 hab.</text>`, ly, font)
	for i, c := range t.Classes {
		y := ly + 10 + i*20
		fmt.Fprintf(&b, `<rect x="8" y="%d" width="16" height="14" fill="%s" stroke="#666666"/>`, y, c.Color)
		fmt.Fprintf(&b, `<text x="30" y="%d" %s font-size="10" fill="#161616">%s</text>`, y+11, font, xmlEscape(c.Label))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// polygons parses an outline path of relative "m x,y dx,dy … z" commands
// into closed polygons, in map units.
func polygons(path string) [][][2]float64 {
	var out [][][2]float64
	var cur [][2]float64
	var x, y, sx, sy float64
	f := strings.Fields(strings.ReplaceAll(path, ",", " "))
	cmd := byte('m')
	first := true
	for i := 0; i < len(f); i++ {
		switch f[i] {
		case "m", "M":
			cmd, first = f[i][0], true
			continue
		case "z", "Z":
			if len(cur) > 2 {
				out = append(out, cur)
			}
			cur = nil
			x, y = sx, sy // a closed subpath returns to its start
			continue
		case "l", "L":
			cmd = f[i][0]
			continue
		}
		if i+1 >= len(f) {
			break
		}
		dx, err1 := strconv.ParseFloat(f[i], 64)
		dy, err2 := strconv.ParseFloat(f[i+1], 64)
		i++
		if err1 != nil || err2 != nil {
			continue
		}
		if cmd == 'M' || cmd == 'L' || first && cmd == 'M' {
			x, y = dx, dy
		} else {
			x, y = x+dx, y+dy
		}
		if first {
			sx, sy = x, y
			if len(cur) > 2 {
				out = append(out, cur)
			}
			cur = nil
			first = false
			if cmd == 'm' {
				cmd = 'l'
			} else {
				cmd = 'L'
			}
		}
		cur = append(cur, [2]float64{x, y})
	}
	if len(cur) > 2 {
		out = append(out, cur)
	}
	return out
}

// hexColor reads "#rrggbb".
func hexColor(s string) (int, int, int) {
	v, _ := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	return int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)
}
