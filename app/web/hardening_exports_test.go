package web

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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

// Reusable personal-data download links: the data export exists only as the
// answer to a POST form of the signed-in session (CSRF token), marked
// no-store; there is no address to share, bookmark or replay.
func TestRegressionNoReusableDataDownloadLink(t *testing.T) {
	f := newModFix(t)
	me := f.user("Moi")
	email := f.text(`SELECT email FROM users WHERE id = ?`, me)
	f.as(me)
	_, page := f.get("/compte/donnees")
	if strings.Contains(page, `href="/compte/donnees/export`) || strings.Contains(page, "jeton=") {
		t.Error("the data page links to a download address")
	}
	for _, p := range []string{"/compte/donnees/export", "/compte/donnees/export?format=json", "/compte/donnees.json"} {
		resp, body := f.get(p)
		if resp.StatusCode == 200 || strings.Contains(body, email) {
			t.Errorf("GET %s: %d: a download address exists", p, resp.StatusCode)
		}
	}
	token := f.csrf()
	cookies := map[string]string{}
	for k, v := range f.jar {
		cookies[k] = v
	}
	resp, body := f.post("/compte/donnees/export", url.Values{"_csrf": {token}})
	if resp.StatusCode != 200 || !strings.Contains(body, email) {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	if resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("export headers: %v", resp.Header)
	}
	if strings.Contains(resp.Header.Get("Location"), "http") {
		t.Error("the export redirects to a download address")
	}
	// Signed out, the same request (same cookies, same token) gives nothing.
	resp, _ = f.post("/deconnexion", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	req := httptest.NewRequest(http.MethodPost, "/compte/donnees/export", strings.NewReader(url.Values{"_csrf": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := f.app.Test(req, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	if b := readBody(t, resp); resp.StatusCode == 200 || strings.Contains(b, email) {
		t.Errorf("replayed export after sign-out: %d", resp.StatusCode)
	}
}
