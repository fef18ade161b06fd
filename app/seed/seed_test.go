package seed_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/seeds"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var seededTables = []string{"consultations", "axes", "axis_questions", "entries", "territories", "hubs", "hub_territories", "easy_read_texts"}

// snapshot returns, per table, its rows with their xmin: a row rewritten by an
// UPDATE gets a new xmin even when its values are the same.
func snapshot(t *testing.T, d *db.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range seededTables {
		var s string
		q := `SELECT coalesce(string_agg(x::text, '|' ORDER BY x::text), '') FROM (SELECT t.xmin, t.* FROM ` + table + ` t) x`
		if err := d.SQL().QueryRow(q).Scan(&s); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		out[table] = s
	}
	return out
}

func TestReferenceIsIdempotent(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	if err := seed.Reference(ctx, d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	first := snapshot(t, d)
	if err := seed.Reference(ctx, d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	second := snapshot(t, d)
	for _, table := range seededTables {
		if first[table] != second[table] {
			t.Errorf("seeding twice changed %s", table)
		}
	}
}

func TestReferenceContent(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	if err := seed.Reference(ctx, d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	c, err := consultation.NewStore(d).Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Axes) != 4 || len(c.Entries) != 2 {
		t.Fatalf("%d axes, %d entries; want 4 and 2", len(c.Axes), len(c.Entries))
	}
	for _, a := range c.Axes {
		if len(a.Questions) < 3 {
			t.Errorf("axis %s has %d questions", a.Slug, len(a.Questions))
		}
	}
	regions, err := hub.NewStore(d).Regions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deps := 0
	for _, r := range regions {
		deps += len(r.Departements)
	}
	if len(regions) != 18 || deps != 101 {
		t.Errorf("%d régions and %d départements, want 18 and 101", len(regions), deps)
	}
	hubs := hub.NewStore(d)
	for code, want := range map[string]string{"2A": "Corse-du-Sud", "976": "Mayotte", "29": "Finistère"} {
		dep, err := hubs.TerritoryByCode(ctx, hub.KindDepartement, code)
		if err != nil || dep.Name != want {
			t.Errorf("département %s = %q (%v), want %q", code, dep.Name, err, want)
		}
	}
	rhinocc, err := hubs.BySlug(ctx, "rhinocc")
	if err != nil {
		t.Fatal(err)
	}
	if len(rhinocc.Territories) != 1 || rhinocc.Territories[0].Name != "Occitanie" {
		t.Errorf("RhinOcc territories = %+v, want Occitanie", rhinocc.Territories)
	}
	// A Hub whose territory public sources do not establish has none.
	hinaura, err := hubs.BySlug(ctx, "hinaura")
	if err != nil {
		t.Fatal(err)
	}
	if len(hinaura.Territories) != 0 {
		t.Errorf("Hinaura has invented territories: %+v", hinaura.Territories)
	}
	if !strings.Contains(c.Presentation, "CNR Numérique") {
		t.Error("presentation does not come from the source texts")
	}
}

// An administrator's change to a Hub survives a new seeding.
func TestReferenceKeepsAdministratorChanges(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	if err := seed.Reference(ctx, d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SQL().Exec(`INSERT INTO hub_territories (hub_id, territory_id)
		SELECT h.id, t.id FROM hubs h, territories t WHERE h.slug = 'hinaura' AND t.kind = 'region' AND t.code = '84'`); err != nil {
		t.Fatal(err)
	}
	if err := seed.Reference(ctx, d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	h, err := hub.NewStore(d).BySlug(ctx, "hinaura")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Territories) != 1 {
		t.Errorf("seeding removed an administrator's territory: %+v", h.Territories)
	}
}
