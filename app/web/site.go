package web

import (
	"errors"
	"net/http"

	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/gofiber/fiber/v2"
)

// Site pages.
const (
	tplHome          = "site/home"
	tplAxis          = "site/axis"
	tplHubList       = "hub/list"
	tplHubShow       = "hub/show"
	tplAccessibility = "site/accessibility"
)

// page builds the common page data: the current consultation and its phase.
func (s *Server) page(c *fiber.Ctx, title string) (Page, error) {
	cons, err := s.Contributions.CachedConsultation(c.UserContext()) // read at most once a second
	if err != nil && !errors.Is(err, consultation.ErrNotFound) {
		return Page{}, err
	}
	p := Page{
		Title: title, Path: c.Path(), Consultation: cons, Phase: cons.PhaseAt(s.Now()),
		User: viewer(c), CSRF: s.csrfToken(c),
	}
	return p, s.withEasyRead(c, &p)
}

type homePage struct {
	Page
}

func (s *Server) home(c *fiber.Ctx) error {
	p, err := s.page(c, "")
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplHome, homePage{Page: p})
}

type axisPage struct {
	Page
	Axis consultation.Axis
	List *listView // the contributions of the axis
}

// axes sends /axes, which a visitor may type, to the four axes on the home
// page.
func (s *Server) axes(c *fiber.Ctx) error { return c.Redirect("/#axes", fiber.StatusMovedPermanently) }

func (s *Server) axis(c *fiber.Ctx) error {
	p, err := s.page(c, "")
	if err != nil {
		return err
	}
	a, ok := p.Consultation.Axis(c.Params("slug"))
	if !ok {
		return fiber.ErrNotFound
	}
	p.Title = a.Title
	lv, err := s.buildList(c, p, "/axes/"+a.Slug, listFixed{AxisID: a.ID})
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplAxis, axisPage{Page: p, Axis: a, List: lv})
}

type hubListPage struct {
	Page
	Hubs []hub.Hub
}

func (s *Server) hubList(c *fiber.Ctx) error {
	p, err := s.page(c, "Les Hubs territoriaux")
	if err != nil {
		return err
	}
	hubs, err := s.Hubs.List(c.UserContext())
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplHubList, hubListPage{Page: p, Hubs: hubs})
}

type hubShowPage struct {
	Page
	Hub  hub.Hub
	List *listView // the Hub's proposals
}

func (s *Server) hubShow(c *fiber.Ctx) error {
	h, err := s.Hubs.BySlug(c.UserContext(), c.Params("slug"))
	if errors.Is(err, hub.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	p, err := s.page(c, h.Name)
	if err != nil {
		return err
	}
	lv, err := s.buildList(c, p, "/hubs/"+h.Slug, listFixed{HubID: h.ID})
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplHubShow, hubShowPage{Page: p, Hub: h, List: lv})
}
