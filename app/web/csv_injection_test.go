package web

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// CSV formula injection: in the CSV made for spreadsheets (the public
// moderation log, the rapporteurs' "Excel français" exports), a cell a person
// typed that a spreadsheet would run as a formula starts with an apostrophe.
// Open data (/donnees and the rapporteurs' "données ouvertes" CSV) keeps
// every text exactly as written, as its datapackage.json and /donnees say
// (issue 12): the typed cells are there, unchanged.
func TestRegressionCSVFormulaInjection(t *testing.T) {
	f := newMatrixFix(t)
	formulas := []string{`=HYPERLINK("https://evil.example","clic")`, `+cmd|' /C calc'!A0`, `-2+3+cmd|' /C calc'!A0`, `@SUM(1+1)*cmd|' /C calc'!A0`, "\t=1+1", "\r=1+1"}
	for i, fm := range formulas {
		id := f.scalar(`INSERT INTO contributions (consultation_id, entry, axis_id, author_id, author_category, title, body)
			VALUES (?, 'libres', ?, ?, 'citoyen', ?, ?) RETURNING id`, f.cons, f.axis, f.owner, fm, fm)
		f.exec(`INSERT INTO contribution_counters (contribution_id) VALUES (?)`, id)
		f.argument(id, f.owner, fm)
		if i < 3 {
			f.as(f.ids[5])
			resp, body := f.post(fmt.Sprintf("/moderation/contributions/%d/masquer", id), url.Values{"motif": {"autre"}, "precision": {fm}})
			expect(t, "hide", resp, body, http.StatusSeeOther)
		}
	}
	f.exec(`UPDATE users SET display_name = ? WHERE id = ?`, formulas[0], f.owner)
	dangerous := func(cell string) bool { return cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) }
	checkCSV := func(name string, data []byte, comma rune, neutralised bool) {
		t.Helper()
		data = bytes.TrimPrefix(data, []byte("\uFEFF"))
		r := csv.NewReader(bytes.NewReader(data))
		r.Comma, r.FieldsPerRecord, r.LazyQuotes = comma, -1, true
		records, err := r.ReadAll()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		seen := 0
		for _, rec := range records {
			for _, cell := range rec {
				if strings.Contains(cell, "calc") || strings.Contains(cell, "HYPERLINK") || strings.Contains(cell, "SUM(") || strings.Contains(cell, "=1+1") {
					seen++
					if neutralised && dangerous(cell) {
						t.Errorf("%s: formula cell %q", name, cell)
					}
					if !neutralised && strings.HasPrefix(cell, "'") {
						t.Errorf("%s: open data changed the text %q", name, cell)
					}
				}
			}
		}
		if seen == 0 && (strings.Contains(name, "contributions") || strings.Contains(name, "moderation")) {
			t.Errorf("%s: the typed cells are missing (%d records)", name, len(records))
		}
	}
	get := func(path string) []byte {
		t.Helper()
		resp, body := f.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return []byte(body)
	}
	f.as(0)
	checkCSV("moderation log", get("/moderation/journal.csv"), ',', true)
	for _, table := range []string{"contributions", "arguments"} {
		checkCSV("open data "+table, get("/donnees/"+table+".csv"), ',', false)
	}
	f.as(f.ids[4]) // rapporteur
	for _, file := range []struct {
		name        string
		comma       rune
		neutralised bool
	}{{"export-csv.zip", ',', false}, {"export-excel.zip", ';', true}} {
		data := get("/synthese/export/" + file.name)
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%s: %v", file.name, err)
		}
		for _, zf := range zr.File {
			if !strings.HasSuffix(zf.Name, ".csv") {
				continue
			}
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			checkCSV(file.name+"/"+zf.Name, b, file.comma, file.neutralised)
		}
	}
}
