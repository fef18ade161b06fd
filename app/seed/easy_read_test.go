package seed_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/seeds"
)

// withFacile returns the real seeds with facile.json replaced by edit's result.
func withFacile(t *testing.T, edit func(map[string]any)) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	for _, name := range []string{"consultation.json", "territories.csv", "hubs.json", "facile.json"} {
		b, err := fs.ReadFile(seeds.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		m[name] = &fstest.MapFile{Data: b}
	}
	var f map[string]any
	if err := json.Unmarshal(m["facile.json"].Data, &f); err != nil {
		t.Fatal(err)
	}
	edit(f)
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	m["facile.json"] = &fstest.MapFile{Data: b}
	return m
}

// TestEasyReadSeeded checks that every axis and question has its easy version
// after seeding, that an editor's change of facile.json is applied by the
// next seed, and that an easy version with the wrong number of questions is
// refused.
func TestEasyReadSeeded(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	if err := seed.Reference(ctx, d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	store := consultation.NewStore(d)
	c, err := store.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range c.Axes {
		if a.EasyTitle == "" || a.EasyPresentation == "" || len(a.EasyQuestions) != len(a.Questions) {
			t.Errorf("axis %s: easy title %q, %d easy questions for %d", a.Slug, a.EasyTitle, len(a.EasyQuestions), len(a.Questions))
		}
		for i, q := range a.EasyQuestions {
			if q == "" {
				t.Errorf("axis %s: question %d has no easy version", a.Slug, i+1)
			}
		}
	}
	texts, err := store.EasyTexts(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"accueil", "formulaire-contribution", "inscription"} {
		if texts[key] == "" {
			t.Errorf("no easy text %q", key)
		}
	}

	edited := withFacile(t, func(f map[string]any) {
		axis := f["axes"].(map[string]any)["formation-structuration-filiere"].(map[string]any)
		axis["title"] = "Former celles et ceux qui aident"
		f["pages"].(map[string]any)["inscription"] = "Créez un compte."
		delete(f["pages"].(map[string]any), "accueil")
	})
	if err := seed.Reference(ctx, d, edited); err != nil {
		t.Fatal(err)
	}
	c, _ = store.Current(ctx)
	if a, _ := c.Axis("formation-structuration-filiere"); a.EasyTitle != "Former celles et ceux qui aident" {
		t.Errorf("edited easy title not applied: %q", a.EasyTitle)
	}
	texts, _ = store.EasyTexts(ctx, c.ID)
	if texts["inscription"] != "Créez un compte." || texts["accueil"] != "" {
		t.Errorf("edited page texts not applied: %v", texts)
	}

	short := withFacile(t, func(f map[string]any) {
		axis := f["axes"].(map[string]any)["formation-structuration-filiere"].(map[string]any)
		axis["questions"] = []string{"Une seule question ?"}
	})
	if err := seed.Reference(ctx, d, short); err == nil || !strings.Contains(err.Error(), "questions") {
		t.Errorf("an easy version with too few questions: %v", err)
	}
}
