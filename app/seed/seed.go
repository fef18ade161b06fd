// Package seed loads the reference data of the real concertation (embedded in
// the seeds package) into the database. Loading is idempotent: running it
// twice changes nothing.
package seed

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/hub"
)

// Reference loads the consultation, territories and Hubs found in fsys
// (consultation.json, territories.csv, hubs.json), and the easy-to-read
// version of the texts (facile.json), in one transaction.
func Reference(ctx context.Context, d *db.DB, fsys fs.FS) error {
	cons, err := readConsultation(fsys)
	if err != nil {
		return err
	}
	territories, err := readTerritories(fsys)
	if err != nil {
		return err
	}
	hubs, err := readHubs(fsys)
	if err != nil {
		return err
	}
	easy, err := readEasyRead(fsys)
	if err != nil {
		return err
	}
	hubStore := hub.NewStore(d)
	return d.InTx(ctx, func(ctx context.Context) error {
		if err := consultation.NewStore(d).SeedConsultation(ctx, cons); err != nil {
			return err
		}
		if err := consultation.NewStore(d).SeedEasyRead(ctx, cons.Slug, easy); err != nil {
			return err
		}
		for _, t := range territories { // régions come first in the file
			if err := hubStore.SeedTerritory(ctx, t.kind, t.code, t.name, t.region); err != nil {
				return fmt.Errorf("seed territory %s %s: %w", t.kind, t.code, err)
			}
		}
		for _, h := range hubs {
			if err := hubStore.SeedHub(ctx, h.hub, h.territories); err != nil {
				return err
			}
		}
		return nil
	})
}

type consultationFile struct {
	Slug         string    `json:"slug"`
	Title        string    `json:"title"`
	Summary      string    `json:"summary"`
	Presentation string    `json:"presentation"`
	OpensAt      time.Time `json:"opens_at"`
	ClosesAt     time.Time `json:"closes_at"`
	Status       string    `json:"status"`
	Axes         []struct {
		Slug         string   `json:"slug"`
		Title        string   `json:"title"`
		Presentation string   `json:"presentation"`
		Questions    []string `json:"questions"`
	} `json:"axes"`
	Entries []struct {
		Kind         string `json:"kind"`
		Slug         string `json:"slug"`
		Title        string `json:"title"`
		Presentation string `json:"presentation"`
	} `json:"entries"`
}

func readConsultation(fsys fs.FS) (consultation.Consultation, error) {
	var f consultationFile
	if err := readJSON(fsys, "consultation.json", &f); err != nil {
		return consultation.Consultation{}, err
	}
	c := consultation.Consultation{
		Slug: f.Slug, Title: f.Title, Summary: f.Summary, Presentation: f.Presentation,
		OpensAt: f.OpensAt, ClosesAt: f.ClosesAt, Status: f.Status,
	}
	for i, a := range f.Axes {
		c.Axes = append(c.Axes, consultation.Axis{Position: i + 1, Slug: a.Slug, Title: a.Title, Presentation: a.Presentation, Questions: a.Questions})
	}
	for i, e := range f.Entries {
		c.Entries = append(c.Entries, consultation.Entry{Position: i + 1, Kind: e.Kind, Slug: e.Slug, Title: e.Title, Presentation: e.Presentation})
	}
	if len(c.Axes) == 0 || len(c.Entries) == 0 {
		return c, fmt.Errorf("consultation.json: axes and entries are required")
	}
	return c, nil
}

type territoryRow struct{ kind, code, name, region string }

func readTerritories(fsys fs.FS) ([]territoryRow, error) {
	f, err := fsys.Open("territories.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 4
	var rows []territoryRow
	for line := 0; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("territories.csv: %w", err)
		}
		if line == 0 {
			continue // header
		}
		rows = append(rows, territoryRow{rec[0], rec[1], rec[2], rec[3]})
	}
	// Régions before départements, whatever the file order.
	var ordered []territoryRow
	for _, kind := range []string{hub.KindRegion, hub.KindDepartement} {
		for _, t := range rows {
			if t.kind == kind {
				ordered = append(ordered, t)
			}
		}
	}
	if len(ordered) != len(rows) {
		return nil, fmt.Errorf("territories.csv: unknown kind in some rows")
	}
	return ordered, nil
}

type hubSeed struct {
	hub         hub.Hub
	territories [][2]string
}

func readHubs(fsys fs.FS) ([]hubSeed, error) {
	var f []struct {
		Slug         string   `json:"slug"`
		Name         string   `json:"name"`
		Presentation string   `json:"presentation"`
		Website      string   `json:"website"`
		Territories  []string `json:"territories"`
	}
	if err := readJSON(fsys, "hubs.json", &f); err != nil {
		return nil, err
	}
	out := make([]hubSeed, 0, len(f))
	for _, h := range f {
		s := hubSeed{hub: hub.Hub{Slug: h.Slug, Name: h.Name, Presentation: h.Presentation, Website: h.Website}}
		for _, ref := range h.Territories {
			kind, code, ok := strings.Cut(ref, ":")
			if !ok {
				return nil, fmt.Errorf("hubs.json: hub %s: territory %q is not kind:code", h.Slug, ref)
			}
			s.territories = append(s.territories, [2]string{kind, code})
		}
		out = append(out, s)
	}
	return out, nil
}

func readJSON(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// readEasyRead reads facile.json: the easy-to-read (FALC) texts of the axes,
// their questions and the pages.
func readEasyRead(fsys fs.FS) (consultation.EasyRead, error) {
	var f struct {
		Axes map[string]struct {
			Title        string   `json:"title"`
			Presentation string   `json:"presentation"`
			Questions    []string `json:"questions"`
		} `json:"axes"`
		Pages map[string]string `json:"pages"`
	}
	if err := readJSON(fsys, "facile.json", &f); err != nil {
		return consultation.EasyRead{}, err
	}
	e := consultation.EasyRead{Axes: map[string]consultation.EasyAxis{}, Pages: f.Pages}
	for slug, a := range f.Axes {
		e.Axes[slug] = consultation.EasyAxis{Title: a.Title, Presentation: a.Presentation, Questions: a.Questions}
	}
	return e, nil
}
