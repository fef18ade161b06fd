package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/gofiber/fiber/v2"
)

// contributionFormPage is the form to propose or edit a contribution.
type contributionFormPage struct {
	Page
	Edit         bool
	ID           int64
	Action       string
	Entry        string
	AxisSlug     string
	HubSlug      string
	Territory    string // "departement:29" or "region:53"
	Title        string
	Body         string
	ReactsTo     *contribution.View
	ReactionType string
	Problems     contribution.Problems
	Hubs         []contribution.HubRef // the viewer's Hubs only
	Refs         *contribution.Reference
	Reactions    []filterOption
	Similar      []contribution.View
	Checked      bool // the similar contributions were looked up
	MaxTitle     int
	MaxBody      int
}

const maxSimilar = 5

// newForm prepares the form for viewer v.
func (s *Server) newForm(c *fiber.Ctx, p Page, v *account.Viewer) (*contributionFormPage, error) {
	refs, err := s.Contributions.Refs(c.UserContext())
	if err != nil {
		return nil, err
	}
	f := &contributionFormPage{Page: p, Action: "/contributions/nouvelle", Entry: contribution.EntryLibres, Refs: refs,
		Problems: contribution.Problems{}, MaxTitle: contribution.MaxTitle, MaxBody: contribution.MaxBody}
	for _, id := range v.HubIDs {
		if h, ok := refs.Hub(id); ok {
			f.Hubs = append(f.Hubs, h)
		}
	}
	if v.DepartementID != nil {
		if t, ok := refs.Territory(*v.DepartementID); ok {
			f.Territory = t.Kind + ":" + t.Code
		}
	}
	for _, t := range contribution.ReactionTypes {
		f.Reactions = append(f.Reactions, filterOption{Value: t, Label: contribution.ReactionLabel(t)})
	}
	return f, nil
}

// reactionTarget loads the Hub proposal a reaction answers, nil when id is not
// a published Hub proposal of the consultation.
func (s *Server) reactionTarget(c *fiber.Ctx, p Page, raw string) *contribution.View {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return nil
	}
	t, err := s.Contributions.Get(c.UserContext(), id)
	if err != nil || !t.Published() || !t.IsHubProposal() || t.ConsultationID != p.Consultation.ID {
		return nil
	}
	return &t
}

func (s *Server) contributionNew(c *fiber.Ctx) error {
	v, err := s.requireContributor(c)
	if err != nil {
		return err
	}
	p, err := s.page(c, "Proposer une contribution")
	if err != nil {
		return err
	}
	f, err := s.newForm(c, p, v)
	if err != nil {
		return err
	}
	if c.Query("entree") == contribution.EntryHubs && len(f.Hubs) > 0 {
		f.Entry = contribution.EntryHubs
	}
	if _, ok := p.Consultation.Axis(c.Query("axe")); ok {
		f.AxisSlug = c.Query("axe")
	}
	if f.ReactsTo = s.reactionTarget(c, p, c.Query("reagit_a")); f.ReactsTo != nil {
		f.Entry = contribution.EntryLibres
		for _, a := range p.Consultation.Axes {
			if a.ID == f.ReactsTo.AxisID {
				f.AxisSlug = a.Slug
			}
		}
	}
	return s.render.Render(c, http.StatusOK, tplContributionForm, f)
}

// readForm copies the submitted fields into f and returns the draft.
func readForm(c *fiber.Ctx, p Page, f *contributionFormPage) contribution.Draft {
	f.Entry, f.AxisSlug, f.HubSlug = c.FormValue("entree"), c.FormValue("axe"), c.FormValue("hub")
	f.Territory, f.Title, f.Body = c.FormValue("territoire"), c.FormValue("titre"), c.FormValue("texte")
	f.ReactionType = c.FormValue("reaction")
	d := contribution.Draft{Entry: f.Entry, Title: f.Title, Body: f.Body, ReactionType: f.ReactionType}
	if a, ok := p.Consultation.Axis(f.AxisSlug); ok {
		d.AxisID = a.ID
	}
	if h, ok := f.Refs.HubBySlug(f.HubSlug); ok {
		d.HubID = h.ID
	}
	if kind, code, ok := strings.Cut(f.Territory, ":"); ok {
		d.TerritoryKind, d.TerritoryCode = kind, code
	} else if f.Territory != "" {
		d.TerritoryKind = "?" // reported as an unknown territory
	}
	return d
}

func (s *Server) contributionCreate(c *fiber.Ctx) error {
	v, err := s.requireContributor(c)
	if err != nil {
		return err
	}
	p, err := s.page(c, "Proposer une contribution")
	if err != nil {
		return err
	}
	f, err := s.newForm(c, p, v)
	if err != nil {
		return err
	}
	d := readForm(c, p, f)
	if raw := c.FormValue("reagit_a"); raw != "" {
		if f.ReactsTo = s.reactionTarget(c, p, raw); f.ReactsTo == nil {
			return &UserError{Status: http.StatusUnprocessableEntity, Message: "On ne peut réagir qu'à une proposition de Hub publiée."}
		}
		d.Entry, d.ReactsToID, f.Entry = contribution.EntryLibres, f.ReactsTo.ID, contribution.EntryLibres
	}
	if c.FormValue("action") == "verifier" {
		return s.renderChecked(c, f, 0)
	}
	if err := s.limitAction(c, limitContribute, v); err != nil {
		return err
	}
	id, problems, err := s.Contributions.Create(c.UserContext(), actor(v), p.Consultation.ID, d)
	if err != nil {
		return contributionError(err)
	}
	if len(problems) > 0 {
		f.Problems = problems
		return s.render.Render(c, http.StatusUnprocessableEntity, tplContributionForm, f)
	}
	return c.Redirect("/contributions/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// renderChecked shows the form again with the contributions similar to its
// title: the no-JavaScript way of the writing help.
func (s *Server) renderChecked(c *fiber.Ctx, f *contributionFormPage, exclude int64) error {
	if err := s.limitAction(c, limitSearch, viewer(c)); err != nil {
		return err
	}
	var err error
	f.Similar, err = s.Query.Similar(c.UserContext(), f.Consultation.ID, f.Title, exclude, maxSimilar)
	if err != nil {
		return err
	}
	f.Checked = true
	return s.render.Render(c, http.StatusOK, tplContributionForm, f)
}

// contributionSimilar answers htmx with the list of contributions similar to
// the title being typed: a search of its words, bounded in cost like any
// search (an empty list when too broad), counted with the searches, per
// account and per address.
func (s *Server) contributionSimilar(c *fiber.Ctx) error {
	// A search on every pause in the typing: limited like the searches.
	if err := s.limitAction(c, limitSearch, viewer(c)); err != nil {
		return err
	}
	p, err := s.contributionPage(c, "Contributions similaires")
	if err != nil {
		return err
	}
	exclude, _ := strconv.ParseInt(c.Query("exclure"), 10, 64)
	f := &contributionFormPage{Page: p, Title: c.Query("titre"), Checked: true}
	if f.Similar, err = s.Query.Similar(c.UserContext(), p.Consultation.ID, f.Title, exclude, maxSimilar); err != nil {
		return err
	}
	return s.renderFragment(c, http.StatusOK, tplContributionForm, "similar-list", f)
}
