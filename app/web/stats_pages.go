package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/synthesis"
	"github.com/gofiber/fiber/v2"
)

// Public statistics pages.
const (
	tplStats            = "stats/index"
	tplStatsDefinitions = "stats/definitions"
	tplStatsTerritories = "stats/territories"
)

// chart is a horizontal bar chart drawn in SVG on the server (no script, no
// inline style), always shown beside a table that holds the same figures.
type chart struct {
	ID      string
	Title   string
	Column  string // heading of the first column of the table
	Bars    []bar
	Height  int
	Contrib bool // the table also has distinct contributors
}

type bar struct {
	Label string // full label, for the table
	Short string // label in the chart
	Value int
	Width int // bar length in SVG units (0..chartBarMax)
	Y     int
	// Prepared here rather than in the template: a page holds about a
	// hundred bars, and each function call of a template goes through
	// reflection.
	TextY        int    // baseline of the bar's texts
	ValueX       int    // where the figure after the bar starts
	ValueText    string // the figure, formatted (12 345)
	Contributors string // distinct contributors, formatted
}

const (
	chartBarX   = 190
	chartBarMax = 330
	chartRow    = 26
)

func newChart(id, title, column string, counts []synthesis.Count, short func(i int, c synthesis.Count) string, contributors bool) chart {
	ch := chart{ID: id, Title: title, Column: column, Contrib: contributors}
	top := 0
	for _, c := range counts {
		top = max(top, c.Contributions)
	}
	for i, c := range counts {
		w := 0
		if top > 0 {
			w = c.Contributions * chartBarMax / top
		}
		y := 8 + i*chartRow
		ch.Bars = append(ch.Bars, bar{Label: c.Label, Short: short(i, c), Value: c.Contributions, Width: w, Y: y,
			TextY: y + 15, ValueX: w + chartBarX + 6, ValueText: formatNumber(c.Contributions), Contributors: formatNumber(c.Contributors)})
	}
	ch.Height = 16 + len(counts)*chartRow
	return ch
}

func sameLabel(_ int, c synthesis.Count) string {
	r := []rune(c.Label)
	if len(r) > 28 {
		return string(r[:27]) + "…"
	}
	return c.Label
}

type statsPage struct {
	Page
	Metrics        synthesis.Metrics
	Filters        []string
	Charts         []chart
	Departements   []synthesis.Count
	DepsWith       int
	Bucket         string
	TerritoriesURL string        // the map and the départements, on their own page (light pages)
	HTML           template.HTML // the main part already rendered, when cached
}

// stats shows the public statistics: published contributions only, computed
// by the same metrics layer as the rapporteurs' report.
//
// The page is the same for every visitor of a view, so its main part is
// rendered once per view for as long as list orders are kept (a couple of
// seconds) and dropped by any change made through this process; a person who
// has just written reads it afresh.
func (s *Server) stats(c *fiber.Ctx) error {
	refs, f, err := s.synthesisView(c, true)
	if err != nil {
		return err
	}
	p, err := s.page(c, "Statistiques de participation")
	if err != nil {
		return err
	}
	if p.User != nil || db.OnPrimary(c.UserContext()) {
		data, err := s.statsData(c.UserContext(), p, refs, f)
		if err != nil {
			return err
		}
		return s.render.Render(c, http.StatusOK, tplStats, data)
	}
	key := "stats|" + strconv.FormatInt(refs.ConsultationID, 10) + "|" + f.QueryString()
	v, err := s.Query.CacheList(c.UserContext(), key, anonymousListTTL, func(ctx context.Context) (any, error) {
		data, err := s.statsData(ctx, p, refs, f)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := s.render.pages[tplStats].ExecuteTemplate(&buf, "stats-main", data); err != nil {
			return nil, fmt.Errorf("render statistics: %w", err)
		}
		return template.HTML(buf.String()), nil // escaped by html/template
	})
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplStats, statsPage{Page: p, HTML: v.(template.HTML)})
}

// statsData computes what /statistiques shows for the view f.
func (s *Server) statsData(ctx context.Context, p Page, refs synthesis.Refs, f synthesis.Filter) (statsPage, error) {
	m, err := s.Query.Stats(ctx, refs, f)
	if err != nil {
		return statsPage{}, err
	}
	var axes, entries []synthesis.Count
	for _, a := range m.Axes {
		axes = append(axes, a.Count)
	}
	for _, e := range m.Entries {
		entries = append(entries, e.Count)
	}
	var timeline []synthesis.Count
	for _, tc := range m.Timeline {
		timeline = append(timeline, synthesis.Count{Label: tc.Label, Contributions: tc.Contributions})
	}
	with, _ := synthesis.Covered(m.Departements)
	data := statsPage{Page: p, Metrics: m, Filters: f.Describe(refs), Departements: m.Departements, DepsWith: len(with), Bucket: m.Bucket,
		TerritoriesURL: withQuery("/statistiques/territoires", f.QueryString())}
	known := !m.Pending // distinct contributors and the timeline come from the background
	data.Charts = []chart{
		newChart("axes", "Contributions par axe", "Axe", axes, func(i int, _ synthesis.Count) string { return "Axe " + strconv.Itoa(i+1) }, known),
		newChart("entrees", "Contributions par entrée", "Entrée", entries, sameLabel, known),
		newChart("categories", "Contributions par catégorie d'auteur", "Catégorie d'auteur", m.ByCategory, sameLabel, known),
		newChart("regions", "Contributions par région", "Région", m.Regions, sameLabel, known),
		newChart("accompagnees", "Contributions accompagnées par un médiateur numérique", "Accompagnement", m.Assisted,
			func(i int, _ synthesis.Count) string { return [...]string{"Accompagnées", "Sans accompagnement"}[i%2] }, known),
	}
	if known {
		data.Charts = append(data.Charts, newChart("temps", "Contributions publiées par "+m.Bucket, "Période", timeline, sameLabel, false))
	}
	answered := make([]synthesis.Count, len(m.Answers))
	for i, a := range m.Answers {
		answered[i] = synthesis.Count{Code: a.Code, Label: strings.TrimPrefix(a.Label, "Réponse officielle : "), Contributions: a.Contributions}
	}
	data.Charts = append(data.Charts, newChart("reponses", "Réponses officielles de l'équipe de la concertation, par état", "État de la réponse",
		answered, sameLabel, false))
	return data, nil
}

type statsTerritoriesPage struct {
	Page
	Metrics synthesis.Metrics
	Filters []string
	Back    string
}

// statsTerritories shows the participation per inhabitant with the map of
// the départements: on a page of its own, so that /statistiques stays light
// on a poor connection (the map weighs more than the rest of the page).
func (s *Server) statsTerritories(c *fiber.Ctx) error {
	refs, f, err := s.synthesisView(c, true)
	if err != nil {
		return err
	}
	m, err := s.Query.Stats(c.UserContext(), refs, f)
	if err != nil {
		return err
	}
	p, err := s.page(c, "Participation par territoire")
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplStatsTerritories, statsTerritoriesPage{Page: p, Metrics: m, Filters: f.Describe(refs),
		Back: withQuery("/statistiques", f.QueryString())})
}

func (s *Server) statsDefinitions(c *fiber.Ctx) error {
	p, err := s.page(c, "Définitions des statistiques")
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplStatsDefinitions, p)
}
