package web

import (
	"html/template"

	"github.com/cnr-numerique/concertation/app/french"
	"github.com/cnr-numerique/concertation/app/synthesis"
)

// Template helpers of the report and of the figures per inhabitant.

// chartSVG returns the chart drawn by the synthesis package: its texts are
// escaped there, so it is safe as HTML.
func chartSVG(c *synthesis.Chart) template.HTML {
	if c == nil {
		return ""
	}
	return template.HTML(c.SVG()) // escaped by synthesis.Chart.SVG
}

// mapSVG returns the choropleth of the départements (escaped by the
// synthesis package).
func mapSVG(t synthesis.Territories) template.HTML {
	return template.HTML(t.MapSVG()) // escaped by synthesis.Territories.MapSVG
}

// chartByID returns the chart id of charts, or nil.
func chartByID(charts []synthesis.Chart, id string) *synthesis.Chart {
	for i := range charts {
		if charts[i].ID == id {
			return &charts[i]
		}
	}
	return nil
}

// rowsTable is a table given as rows (header first), for the report page.
type rowsTable struct {
	Caption string
	Rows    [][]string
}

func newRowsTable(caption string, rows [][]string) rowsTable { return rowsTable{caption, rows} }

var (
	countWord  = french.Count // "12 contributions"
	pluralWord = french.Plural
)
