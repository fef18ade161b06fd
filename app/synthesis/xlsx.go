package synthesis

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// sheetName returns the name of the sheet of an axis (at most 31 characters).
func sheetName(a Axis) string { return fmt.Sprintf("Axe %d", a.Position) }

// summaryRows are the rows of the summary sheet: what the export holds, its
// filters and its figures by axis, entry and author category.
func summaryRows(refs Refs, f Filter, m Metrics) [][]any {
	rows := [][]any{
		{"Concertation nationale sur l'inclusion numérique – export des contributions"},
		{"Filtres", strings.Join(orWhole(f.Describe(refs)), " ; ")},
		{"Contributions", m.Contributions},
		{"Contributeurs distincts", m.Contributors},
		{},
		{"Répartition", "Contributions", "Contributeurs distincts"},
	}
	for _, a := range m.Axes {
		rows = append(rows, []any{a.Label, a.Contributions, a.Contributors})
	}
	for _, e := range m.Entries {
		rows = append(rows, []any{e.Label, e.Contributions, e.Contributors})
	}
	for _, c := range m.ByCategory {
		rows = append(rows, []any{c.Label, c.Contributions, c.Contributors})
	}
	rows = append(rows, []any{}, []any{"Une feuille par axe suit. Les auteurs sont désignés par un pseudonyme propre à cet export."})
	return rows
}

func orWhole(lines []string) []string {
	if len(lines) == 0 {
		return []string{"aucun (toute la consultation)"}
	}
	return lines
}

// writeXLSX streams the contributions into a workbook: a summary sheet, then
// one sheet per axis with a frozen header row and filter buttons. The rows
// come ordered by axis, so each sheet is written once, through excelize's
// stream writer (rows spill to a temporary file, not to memory).
func writeXLSX(ctx context.Context, w io.Writer, refs Refs, f Filter, m Metrics, t table) error {
	x := excelize.NewFile()
	defer x.Close()
	x.SetDocProps(&excelize.DocProperties{Title: "Export des contributions", Language: "fr-FR", Creator: "Concertation nationale sur l'inclusion numérique"})
	if err := x.SetSheetName("Sheet1", "Synthèse"); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter("Synthèse")
	if err != nil {
		return err
	}
	_ = sw.SetColWidth(1, 1, 60)
	_ = sw.SetColWidth(2, 3, 22)
	for i, r := range summaryRows(refs, f, m) {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, r); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	dateStyle, err := x.NewStyle(&excelize.Style{NumFmt: 22}) // d/m/yyyy h:mm
	if err != nil {
		return err
	}
	headerStyle, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	header := make([]any, len(t.columns))
	for i, c := range t.columns {
		header[i] = excelize.Cell{StyleID: headerStyle, Value: c.Name}
	}
	var cur *excelize.StreamWriter
	row := 0
	finish := func() error {
		if cur == nil {
			return nil
		}
		last, _ := excelize.CoordinatesToCellName(len(t.columns), max(row, 2))
		if err := cur.AddTable(&excelize.Table{Range: "A1:" + last, StyleName: "TableStyleLight1", ShowRowStripes: boolPtr(true)}); err != nil {
			return err
		}
		err := cur.Flush()
		cur = nil
		return err
	}
	open := func(a Axis) error {
		if err := finish(); err != nil {
			return err
		}
		name := sheetName(a)
		if _, err := x.NewSheet(name); err != nil {
			return err
		}
		sw, err := x.NewStreamWriter(name)
		if err != nil {
			return err
		}
		cur, row = sw, 1
		_ = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
		_ = sw.SetColWidth(1, len(t.columns), 16)
		_ = sw.SetColWidth(15, 16, 50)
		return sw.SetRow("A1", header)
	}
	// advance opens, in axis order, the sheets up to the axis of id (all the
	// remaining ones for id -1).
	curIdx := -1
	advance := func(id int64) error {
		k := axisIndex(refs, id)
		for curIdx < k {
			curIdx++
			if err := open(refs.Axes[curIdx]); err != nil {
				return err
			}
		}
		return nil
	}
	values := make([]any, len(t.columns))
	err = t.rows(ctx, func(cells []any, axisID int64) error {
		if err := advance(axisID); err != nil {
			return err
		}
		row++
		for i, v := range cells {
			switch x := v.(type) {
			case time.Time:
				if x.IsZero() {
					values[i] = nil
				} else {
					values[i] = excelize.Cell{StyleID: dateStyle, Value: localTime(x)}
				}
			default:
				values[i] = v
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		return cur.SetRow(cell, values)
	})
	if err != nil {
		return err
	}
	if err := advance(-1); err != nil { // the remaining axes, empty
		return err
	}
	if err := finish(); err != nil {
		return err
	}
	_, err = x.WriteTo(w)
	return err
}

// localTime returns t as a wall-clock time in Paris, as spreadsheets have no
// time zones.
func localTime(t time.Time) time.Time {
	p := t.In(Paris)
	return time.Date(p.Year(), p.Month(), p.Day(), p.Hour(), p.Minute(), p.Second(), 0, time.UTC)
}

func boolPtr(b bool) *bool { return &b }

// axisIndex returns the position of axis id in refs.Axes, or the last index
// for an unknown id.
func axisIndex(refs Refs, id int64) int {
	for i, a := range refs.Axes {
		if a.ID == id {
			return i
		}
	}
	return len(refs.Axes) - 1
}
