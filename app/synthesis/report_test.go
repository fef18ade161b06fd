package synthesis_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/synthesis"
)

func TestMetricsEqualDirectCounts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	f := e.filter("", true)
	m, err := e.store.Metrics(ctx, e.refs, f)
	if err != nil {
		t.Fatal(err)
	}
	if m.Contributions != 4 || m.Contributors != 3 {
		t.Errorf("totals %d/%d, want 4 published by 3 people", m.Contributions, m.Contributors)
	}
	axis3 := m.Axes[2]
	if axis3.Contributions != 4 || axis3.Contributors != 3 {
		t.Errorf("axis 3: %+v", axis3.Count)
	}
	for _, c := range axis3.ByCategory {
		want := map[string]int{"elu": 1, "hub": 1, "association": 2}[c.Code] // the Hub proposal counts as "Hub territorial"
		if c.Contributions != want {
			t.Errorf("axis 3 %s: %d, want %d", c.Code, c.Contributions, want)
		}
	}
	with, without := synthesis.Covered(m.Departements)
	if len(with) != 3 || len(with)+len(without) != len(m.Departements) {
		t.Errorf("départements with contributions: %v", with)
	}
	var hubs synthesis.Count
	for _, en := range m.Entries {
		if en.Code == "propositions-des-hubs" {
			hubs = en.Count
		}
	}
	if hubs.Contributions != 1 {
		t.Errorf("hub entry %+v", hubs)
	}
	total := 0
	for _, tc := range m.Timeline {
		total += tc.Contributions
	}
	if total != 4 || m.Bucket != "jour" || len(m.Timeline) != 4 { // 24, 25, 26, 27 November
		t.Errorf("timeline %v", m.Timeline)
	}
	// Filters narrow the figures as a direct count does.
	m, err = e.store.Metrics(ctx, e.refs, e.filter("axe=3&categorie=elu", false))
	if err != nil {
		t.Fatal(err)
	}
	if m.Contributions != 1 || m.Contributors != 1 {
		t.Errorf("axe 3 + élu: %d/%d", m.Contributions, m.Contributors)
	}
}

func TestReportContentAndDeterminism(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	f := e.filter("axe=3", false)
	r, err := e.store.Report(ctx, e.refs, f)
	if err != nil {
		t.Fatal(err)
	}
	if r.Metrics.Contributions != 4 || len(r.Hash) != 64 || r.Snapshot.IsZero() {
		t.Fatalf("report %d contributions, hash %q, snapshot %v", r.Metrics.Contributions, r.Hash, r.Snapshot)
	}
	if r.TopSupported[0].ID != e.fx.Formation || r.TopSupported[0].Supports != 2 {
		t.Errorf("top supported %+v", r.TopSupported[0])
	}
	if len(r.HubProposals) != 1 || r.HubProposals[0].Reactions[2] != 1 {
		t.Errorf("hub proposals %+v", r.HubProposals)
	}
	if len(r.Duplicates) != 1 || r.Duplicates[0].Size != 2 ||
		r.Duplicates[0].Members[0].ID != e.fx.Formation || r.Duplicates[0].Members[1].ID != e.fx.Duplicate {
		t.Errorf("duplicates %+v", r.Duplicates)
	}
	found := false
	for _, th := range r.Expressions {
		if strings.Contains(th.Label, "médiateurs") || strings.Contains(th.Label, "formations") {
			found = true
			if th.Contributions < 2 || len(th.Examples) == 0 || th.Examples[0].Title == "" {
				t.Errorf("theme %+v", th)
			}
		}
	}
	if !found {
		t.Errorf("expressions %+v", r.Expressions)
	}
	for _, th := range r.Expressions {
		if th.Label == "les" || th.Label == "des" || th.Label == "pour" {
			t.Errorf("stop word as theme: %q", th.Label)
		}
	}

	render := func(r synthesis.Report) (pdf, odt []byte) {
		var p, o bytes.Buffer
		if err := synthesis.WritePDF(&p, r, "Rapport"); err != nil {
			t.Fatal(err)
		}
		if err := synthesis.WriteODT(&o, r, "Rapport"); err != nil {
			t.Fatal(err)
		}
		return p.Bytes(), o.Bytes()
	}
	pdf1, odt1 := render(r)
	r2, err := e.store.Report(ctx, e.refs, e.filter("axe=3", false))
	if err != nil {
		t.Fatal(err)
	}
	pdf2, odt2 := render(r2)
	if r2.Hash != r.Hash || !bytes.Equal(pdf1, pdf2) || !bytes.Equal(odt1, odt2) {
		t.Error("the same data gave different documents")
	}
	if !bytes.HasPrefix(pdf1, []byte("%PDF-")) {
		t.Error("not a PDF")
	}
	noSecrets(t, "ODT", odt1)
	z, err := zip.NewReader(bytes.NewReader(odt1), int64(len(odt1)))
	if err != nil {
		t.Fatal(err)
	}
	if z.File[0].Name != "mimetype" || z.File[0].Method != zip.Store {
		t.Error("ODT: mimetype is not the first, stored entry")
	}
	for _, zf := range z.File {
		if zf.Name == "content.xml" {
			rc, _ := zf.Open()
			content, _ := io.ReadAll(rc)
			for _, want := range []string{"Rapport", "Élu·e", "Former les médiateurs numériques", r.Hash, "Finistère (29)"} {
				if !bytes.Contains(content, []byte(want)) {
					t.Errorf("ODT lacks %q", want)
				}
			}
		}
	}

	// A change in the data changes the hash.
	if _, err := e.store.AddTag(ctx, e.fx.HubProp, e.fx.Alice, "gouvernance"); err != nil {
		t.Fatal(err)
	}
	r3, err := e.store.Report(ctx, e.refs, e.filter("axe=3", false))
	if err != nil {
		t.Fatal(err)
	}
	if r3.Hash == r.Hash {
		t.Error("hash unchanged after a new tag")
	}
}

// TestCrossTablesFromCellsEqualRows checks that the cross-tables of a view of
// the rollup's dimensions, counted on its cells, are those counted on its
// rows, for several views (statuses included).
func TestCrossTablesFromCellsEqualRows(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, q := range []string{"", "axe=3", "categorie=association", "axe=3&categorie=elu", "region=53", "entree=hubs",
		"statut=publiee&statut=masquee&statut=retiree", "statut=masquee"} {
		f := e.filter(q, false)
		if !f.OnCells() {
			t.Fatalf("%q: not a view of the cells", q)
		}
		cells, err := e.store.CrossTablesFrom(ctx, e.refs, f, true)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := e.store.CrossTablesFrom(ctx, e.refs, f, false)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(cells, rows) {
			t.Errorf("%q:\ncells %+v\nrows  %+v", q, cells, rows)
		}
		if got, err := e.store.CrossTables(ctx, e.refs, f); err != nil || !reflect.DeepEqual(got, cells) {
			t.Errorf("%q: CrossTables %+v (%v), want the cells' %+v", q, got, err, cells)
		}
		if q == "" {
			totals := []int{}
			for _, ct := range cells {
				totals = append(totals, ct.Total)
			}
			// 4 published, each with a région and a category, 1 of them a Hub proposal.
			if !reflect.DeepEqual(totals, []int{4, 1, 4}) {
				t.Errorf("whole view: totals %v", totals)
			}
		}
	}
}
