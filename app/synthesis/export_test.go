package synthesis_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/app/synthesis"
	"github.com/cnr-numerique/concertation/app/synthesis/synthesistest"
	"github.com/cnr-numerique/concertation/seeds"
	"github.com/xuri/excelize/v2"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type env struct {
	db    *db.DB
	store *synthesis.Store
	refs  synthesis.Refs
	fx    synthesistest.Fixture
}

func newEnv(t *testing.T) env {
	t.Helper()
	d := dbtest.New(t)
	if err := seed.Reference(context.Background(), d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	fx := synthesistest.Load(t, d)
	base, _ := url.Parse("https://concertation.example")
	s := synthesis.NewStore(d, base)
	refs, err := s.LoadRefs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return env{db: d, store: s, refs: refs, fx: fx}
}

func (e env) filter(query string, public bool) synthesis.Filter {
	q, _ := url.ParseQuery(query)
	return synthesis.ParseFilter(q, e.refs, public)
}

func (e env) export(t *testing.T, f synthesis.Filter, name string, format synthesis.Format) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := e.store.WriteTable(context.Background(), &b, e.refs, f, name, format); err != nil {
		t.Fatalf("export %s %s: %v", name, format, err)
	}
	return b.Bytes()
}

func noSecrets(t *testing.T, what string, b []byte) {
	t.Helper()
	for _, s := range synthesistest.Secrets {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("%s contains %q", what, s)
		}
	}
}

func parseCSV(t *testing.T, b []byte, comma rune) []map[string]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma = comma
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v", err)
	}
	var out []map[string]string
	for _, rec := range records[1:] {
		m := map[string]string{}
		for i, h := range records[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

func TestCSVExportOpenDataDialect(t *testing.T) {
	e := newEnv(t)
	b := e.export(t, e.filter("axe=3&inconnu=1", false), "contributions", synthesis.FormatCSV)
	noSecrets(t, "CSV", b)
	if bytes.HasPrefix(b, []byte("\uFEFF")) {
		t.Error("open-data CSV starts with a BOM")
	}
	if !bytes.HasPrefix(b, []byte("id,url,entree,")) || !bytes.Contains(b, []byte("\r\n")) {
		t.Errorf("header or line ends: %q", b[:40])
	}
	rows := parseCSV(t, b, ',')
	if len(rows) != 4 {
		t.Fatalf("%d rows, want 4 (axis 3, published)", len(rows))
	}
	byID := map[string]map[string]string{}
	for _, r := range rows {
		byID[r["id"]] = r
	}
	formation := byID[strconv.FormatInt(e.fx.Formation, 10)]
	if formation["texte"] != synthesistest.FormationBody {
		t.Errorf("body = %q", formation["texte"])
	}
	if formation["url"] != "https://concertation.example/contributions/"+strconv.FormatInt(e.fx.Formation, 10) ||
		formation["categorie_auteur"] != "Élu·e" || formation["departement_code"] != "29" || formation["departement"] != "Finistère" ||
		formation["region"] != "Bretagne" || formation["soutiens"] != "2" || formation["arguments_pour"] != "1" ||
		formation["etiquettes"] != "formation" || formation["retenue"] != "oui" || formation["axe_numero"] != "3" {
		t.Errorf("formation row = %v", formation)
	}
	if len(formation["auteur_pseudonyme"]) != 16 {
		t.Errorf("pseudonym = %q", formation["auteur_pseudonyme"])
	}
	hub := byID[strconv.FormatInt(e.fx.HubProp, 10)]
	if !strings.HasPrefix(hub["titre"], "=HYPERLINK") {
		t.Errorf("open data changed a text: %q (the apostrophe prefix is for the Excel dialect only)", hub["titre"])
	}
	if !bytes.Contains(b, []byte("Première ligne ; avec point-virgule, virgule et \"\"guillemets\"\".\nDeuxième ligne")) {
		t.Error("the line break inside a text is not kept as LF")
	}
	if hub["hub"] != "Hub Bretagne" || hub["categorie_auteur"] != "Hub territorial" || hub["reactions_nuance"] != "1" || !strings.Contains(hub["texte"], "\n") {
		t.Errorf("hub row = %v", hub)
	}
	reaction := byID[strconv.FormatInt(e.fx.Reaction, 10)]
	if reaction["reagit_a"] != strconv.FormatInt(e.fx.HubProp, 10) || reaction["type_reaction"] != "nuance" {
		t.Errorf("reaction row = %v", reaction)
	}
}

func TestCSVExportExcelDialect(t *testing.T) {
	e := newEnv(t)
	b := e.export(t, e.filter("statut=publiee&statut=masquee", false), "contributions", synthesis.FormatExcelCSV)
	if !bytes.HasPrefix(b, []byte("\uFEFFid;url;entree;")) {
		t.Fatalf("no BOM or not semicolons: %q", b[:30])
	}
	rows := parseCSV(t, bytes.TrimPrefix(b, []byte("\uFEFF")), ';')
	if bytes.Count(b, []byte("\r\n")) != len(rows)+1 || !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Error("records do not end with CRLF")
	}
	if len(rows) != 5 { // withdrawn excluded by default, hidden included
		t.Fatalf("%d rows, want 5", len(rows))
	}
	hidden := 0
	for _, r := range rows {
		if r["masquee"] == "oui" {
			hidden++
			if r["statut"] != "masquée par la modération" {
				t.Errorf("hidden status = %q", r["statut"])
			}
		}
		if strings.HasPrefix(r["titre"], "=") {
			t.Errorf("formula cell %q", r["titre"])
		}
	}
	if hidden != 1 {
		t.Errorf("%d hidden rows, want 1", hidden)
	}
}

func TestPublicExportHasNoHiddenNorRapporteurColumns(t *testing.T) {
	e := newEnv(t)
	b := e.export(t, e.filter("statut=masquee&etiquette=formation", true), "contributions", synthesis.FormatCSV)
	noSecrets(t, "public CSV", b)
	rows := parseCSV(t, b, ',')
	if len(rows) != 4 {
		t.Fatalf("%d rows, want the 4 published", len(rows))
	}
	for _, col := range []string{"etiquettes", "retenue", "masquee"} {
		if _, ok := rows[0][col]; ok {
			t.Errorf("public export has column %q", col)
		}
	}
	if bytes.Contains(b, []byte("Contribution masquée")) {
		t.Error("public export contains a hidden contribution")
	}
}

func TestEmptyViewGivesHeaders(t *testing.T) {
	e := newEnv(t)
	f := e.filter("categorie=entreprise", false)
	for _, format := range []synthesis.Format{synthesis.FormatCSV, synthesis.FormatExcelCSV} {
		b := e.export(t, f, "contributions", format)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], "titre") {
			t.Errorf("%s: %q", format, b)
		}
	}
	if b := e.export(t, f, "contributions", synthesis.FormatJSONL); len(b) != 0 {
		t.Errorf("jsonl: %q", b)
	}
	x, err := excelize.OpenReader(bytes.NewReader(e.export(t, f, "contributions", synthesis.FormatXLSX)))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("Axe 3")
	if len(rows) != 1 || rows[0][0] != "id" {
		t.Errorf("empty xlsx sheet: %v", rows)
	}
	tables := parseODS(t, e.export(t, f, "contributions", synthesis.FormatODS))
	if len(tables["Axe 3"]) != 1 {
		t.Errorf("empty ods table: %v", tables["Axe 3"])
	}
}

func TestXLSXExport(t *testing.T) {
	e := newEnv(t)
	b := e.export(t, e.filter("statut=publiee&statut=masquee", false), "contributions", synthesis.FormatXLSX)
	noSecrets(t, "XLSX", b)
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Synthèse", "Axe 1", "Axe 2", "Axe 3", "Axe 4"}
	if got := x.GetSheetList(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	counts := map[string]int{"Axe 1": 1, "Axe 2": 0, "Axe 3": 4, "Axe 4": 0}
	for sheet, n := range counts {
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows)-1 != n {
			t.Errorf("%s: %d rows, want %d", sheet, len(rows)-1, n)
		}
		panes, _ := x.GetPanes(sheet)
		if !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s: header not frozen: %+v", sheet, panes)
		}
		tables, _ := x.GetTables(sheet)
		if len(tables) != 1 {
			t.Errorf("%s: no filter table", sheet)
		}
	}
	rows, _ := x.GetRows("Axe 3")
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	found := false
	for _, r := range rows[1:] {
		if r[col["id"]] == strconv.FormatInt(e.fx.Formation, 10) {
			found = true
			if r[col["texte"]] != synthesistest.FormationBody || r[col["categorie_auteur"]] != "Élu·e" {
				t.Errorf("formation row %v", r)
			}
		}
	}
	if !found {
		t.Error("formation not in Axe 3")
	}
	summary, _ := x.GetRows("Synthèse")
	if len(summary) < 4 || summary[2][0] != "Contributions" || summary[2][1] != "5" {
		t.Errorf("summary %v", summary)
	}
}

// parseODS returns the rows of each table of an ODS file, after checking the
// package layout.
func parseODS(t *testing.T, b []byte) map[string][][]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if z.File[0].Name != "mimetype" || z.File[0].Method != zip.Store {
		t.Fatalf("first entry %q method %d", z.File[0].Name, z.File[0].Method)
	}
	files := map[string][]byte{}
	for _, f := range z.File {
		r, _ := f.Open()
		files[f.Name], _ = io.ReadAll(r)
	}
	if string(files["mimetype"]) != "application/vnd.oasis.opendocument.spreadsheet" || files["META-INF/manifest.xml"] == nil {
		t.Fatal("bad ODS package")
	}
	for name, content := range files {
		if strings.HasSuffix(name, ".xml") {
			if err := xml.Unmarshal(content, new(struct{})); err != nil {
				t.Fatalf("%s is not XML: %v", name, err)
			}
		}
	}
	type cell struct {
		Paras []string `xml:"p"`
	}
	type row struct {
		Cells []cell `xml:"table-cell"`
	}
	type tbl struct {
		Name   string `xml:"name,attr"`
		Header []row  `xml:"table-header-rows>table-row"`
		Rows   []row  `xml:"table-row"`
	}
	var doc struct {
		Tables []tbl `xml:"body>spreadsheet>table"`
	}
	if err := xml.Unmarshal(files["content.xml"], &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string][][]string{}
	for _, tb := range doc.Tables {
		var rows [][]string
		for _, r := range append(tb.Header, tb.Rows...) {
			var cells []string
			for _, c := range r.Cells {
				cells = append(cells, strings.Join(c.Paras, "\n"))
			}
			rows = append(rows, cells)
		}
		out[tb.Name] = rows
	}
	return out
}

func TestODSExport(t *testing.T) {
	e := newEnv(t)
	b := e.export(t, e.filter("axe=3&categorie=elu", false), "contributions", synthesis.FormatODS)
	noSecrets(t, "ODS", b)
	tables := parseODS(t, b)
	rows := tables["Axe 3"]
	if len(rows) != 2 {
		t.Fatalf("Axe 3: %d rows, want header + 1", len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	if rows[1][col["texte"]] != synthesistest.FormationBody || rows[1][col["categorie_auteur"]] != "Élu·e" {
		t.Errorf("row %v", rows[1])
	}
	if len(tables["Axe 1"]) != 1 || tables["Synthèse"] == nil {
		t.Errorf("tables %v", tables)
	}
}

func TestJSONBundle(t *testing.T) {
	e := newEnv(t)
	var b bytes.Buffer
	if err := e.store.WriteBundle(context.Background(), &b, e.refs, e.filter("statut=publiee&statut=masquee", false), synthesis.FormatJSONL); err != nil {
		t.Fatal(err)
	}
	noSecrets(t, "JSON bundle", b.Bytes())
	z, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]map[string]any{}
	var pkg struct {
		SchemaVersion string `json:"schema_version"`
		Licenses      []struct{ Title string }
		Resources     []struct {
			Name, Path string
			Schema     struct{ Fields []struct{ Name, Type string } }
		}
	}
	for _, f := range z.File {
		r, _ := f.Open()
		content, _ := io.ReadAll(r)
		if f.Name == "datapackage.json" {
			if err := json.Unmarshal(content, &pkg); err != nil {
				t.Fatal(err)
			}
			continue
		}
		for _, line := range strings.Split(strings.TrimSpace(string(content)), "\n") {
			if line == "" {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			files[f.Name] = append(files[f.Name], m)
		}
	}
	if pkg.SchemaVersion != synthesis.SchemaVersion || len(pkg.Resources) != 4 || pkg.Licenses[0].Title != synthesis.LicenceName {
		t.Fatalf("datapackage %+v", pkg)
	}
	for _, res := range pkg.Resources {
		rows := files[res.Path]
		for _, row := range rows {
			if len(row) != len(res.Schema.Fields) {
				t.Errorf("%s: %d keys, %d fields", res.Path, len(row), len(res.Schema.Fields))
			}
		}
	}
	if n := len(files["contributions.jsonl"]); n != 5 {
		t.Errorf("%d contributions", n)
	}
	if n := len(files["soutiens.jsonl"]); n != 3 {
		t.Errorf("%d supports", n)
	}
	if n := len(files["reactions.jsonl"]); n != 1 {
		t.Errorf("%d reactions", n)
	}
	if n := len(files["arguments.jsonl"]); n != 2 {
		t.Errorf("%d arguments", n)
	}
	// Alice wrote the Hub proposal and supports the Formation contribution:
	// one pseudonym across the files of one export.
	var alice string
	for _, c := range files["contributions.jsonl"] {
		if int64(c["id"].(float64)) == e.fx.HubProp {
			alice = c["auteur_pseudonyme"].(string)
		}
	}
	seen := false
	for _, s := range files["soutiens.jsonl"] {
		if s["soutien_pseudonyme"] == alice {
			seen = true
		}
	}
	if alice == "" || !seen {
		t.Errorf("pseudonym of Alice %q not found among supports", alice)
	}
	// Another export uses another key.
	again := e.export(t, e.filter("statut=publiee&statut=masquee", false), "contributions", synthesis.FormatJSONL)
	if bytes.Contains(again, []byte(alice)) {
		t.Error("pseudonym stable across exports")
	}
}

// The public bundle must not link a supporter to a named author: supporters
// and authors have pseudonyms from different keys, and a Hub proposal has no
// author pseudonym.
func TestPublicBundleSupportersUnlinkedFromAuthors(t *testing.T) {
	e := newEnv(t)
	var b bytes.Buffer
	if err := e.store.WriteBundle(context.Background(), &b, e.refs, e.filter("", true), synthesis.FormatCSV); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]map[string]string{}
	for _, f := range z.File {
		if !strings.HasSuffix(f.Name, ".csv") {
			continue
		}
		r, _ := f.Open()
		content, _ := io.ReadAll(r)
		files[f.Name] = parseCSV(t, content, ',')
	}
	authors := map[string]bool{}
	for _, name := range []string{"contributions.csv", "reactions.csv", "arguments.csv"} {
		for _, row := range files[name] {
			if p := row["auteur_pseudonyme"]; p != "" {
				authors[p] = true
			}
		}
	}
	if len(authors) == 0 {
		t.Fatal("no author pseudonym in the public bundle")
	}
	supporters := map[string]bool{}
	for _, row := range files["soutiens.csv"] {
		p := row["soutien_pseudonyme"]
		if p == "" {
			t.Errorf("support without pseudonym: %v", row)
		}
		if authors[p] {
			t.Errorf("supporter pseudonym %q is also an author pseudonym", p)
		}
		supporters[p] = true
	}
	// Alice, Chloé and Bernard support: three distinct supporters.
	if len(supporters) != 3 {
		t.Errorf("%d distinct supporters, want 3", len(supporters))
	}
	hub := strconv.FormatInt(e.fx.HubProp, 10)
	found := false
	for _, row := range files["contributions.csv"] {
		if row["id"] == hub {
			found = true
			if row["auteur_pseudonyme"] != "" {
				t.Errorf("Hub proposal has author pseudonym %q", row["auteur_pseudonyme"])
			}
		} else if row["auteur_pseudonyme"] == "" {
			t.Errorf("contribution %s has no author pseudonym", row["id"])
		}
	}
	if !found {
		t.Error("Hub proposal missing from the public bundle")
	}
}
