package web

import (
	"net/http"
	"strconv"
	"strings"

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
	Label        string // full label, for the table
	Short        string // label in the chart
	Value        int
	Contributors int
	Width        int // bar length in SVG units (0..chartBarMax)
	Y            int
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
		ch.Bars = append(ch.Bars, bar{Label: c.Label, Short: short(i, c), Value: c.Contributions, Contributors: c.Contributors, Width: w, Y: 8 + i*chartRow})
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
	TerritoriesURL string // the map and the départements, on their own page (light pages)
}

// stats shows the public statistics: published contributions only, computed
// by the same metrics layer as the rapporteurs' report.
func (s *Server) stats(c *fiber.Ctx) error {
	refs, f, err := s.synthesisView(c, true)
	if err != nil {
		return err
	}
	m, err := s.Query.Stats(c.UserContext(), refs, f)
	if err != nil {
		return err
	}
	p, err := s.page(c, "Statistiques de participation")
	if err != nil {
		return err
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
	return s.render.Render(c, http.StatusOK, tplStats, data)
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
