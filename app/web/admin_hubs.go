package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/gofiber/fiber/v2"
)

type adminHubsPage struct {
	Page
	Hubs []hub.Hub
}

func (s *Server) adminHubs(c *fiber.Ctx) error {
	if _, done, err := s.requireAdmin(c); done {
		return err
	}
	p, err := s.page(c, "Territoires des Hubs")
	if err != nil {
		return err
	}
	p.Flash = adminNotices[c.Query("info")]
	hubs, err := s.Hubs.List(c.UserContext())
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplAdminHubs, adminHubsPage{Page: p, Hubs: hubs})
}

type adminHubPage struct {
	Page
	Hub      hub.Hub
	Regions  []hub.Region
	Selected map[int64]bool
}

func (s *Server) adminHub(c *fiber.Ctx) error {
	if _, done, err := s.requireAdmin(c); done {
		return err
	}
	ctx := c.UserContext()
	h, err := s.Hubs.BySlug(ctx, c.Params("slug"))
	if errors.Is(err, hub.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	p, err := s.page(c, "Territoires de "+h.Name)
	if err != nil {
		return err
	}
	regions, err := s.Hubs.Regions(ctx)
	if err != nil {
		return err
	}
	sel := map[int64]bool{}
	for _, t := range h.Territories {
		sel[t.ID] = true
	}
	return s.render.Render(c, http.StatusOK, tplAdminHub, adminHubPage{Page: p, Hub: h, Regions: regions, Selected: sel})
}

// adminHubTerritories replaces a Hub's territories (checkboxes "territoire"
// with territory ids). Audited.
func (s *Server) adminHubTerritories(c *fiber.Ctx) error {
	admin, done, err := s.requireAdmin(c)
	if done {
		return err
	}
	ctx := c.UserContext()
	h, err := s.Hubs.BySlug(ctx, c.Params("slug"))
	if errors.Is(err, hub.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	var ids []int64
	args := c.Request().PostArgs()
	for _, v := range args.PeekMulti("territoire") {
		id, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return &UserError{Status: http.StatusBadRequest, Message: "Un territoire choisi est inconnu."}
		}
		ids = append(ids, id)
	}
	err = s.DB.InTx(ctx, func(ctx2 context.Context) error {
		if err := s.Hubs.SetTerritories(ctx2, h.ID, ids); err != nil {
			return err
		}
		return moderation.NewAudit(s.DB).Record(ctx2, &admin.ID, "hub.territories", "hub:"+h.Slug, map[string]any{"territories": ids})
	})
	if errors.Is(err, hub.ErrNotFound) {
		return &UserError{Status: http.StatusBadRequest, Message: "Un territoire choisi est inconnu."}
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/hubs?info=territoires", http.StatusSeeOther)
}

type adminConsultationPage struct {
	Page
}

func (s *Server) adminConsultation(c *fiber.Ctx) error {
	if _, done, err := s.requireAdmin(c); done {
		return err
	}
	p, err := s.page(c, "Ouverture de la consultation")
	if err != nil {
		return err
	}
	p.Flash = adminNotices[c.Query("info")]
	return s.render.Render(c, http.StatusOK, tplAdminConsultation, adminConsultationPage{Page: p})
}

// adminConsultationStatus closes the consultation early or reopens it
// (form: status=closed|open). Audited.
func (s *Server) adminConsultationStatus(c *fiber.Ctx) error {
	admin, done, err := s.requireAdmin(c)
	if done {
		return err
	}
	ctx := c.UserContext()
	cons, err := s.Consultations.Current(ctx)
	if err != nil {
		return err
	}
	status, action := c.FormValue("status"), moderation.AuditConsultationShut
	switch status {
	case consultation.StatusClosed:
	case consultation.StatusOpen:
		action = moderation.AuditConsultationOpen
	default:
		return &UserError{Status: http.StatusBadRequest, Message: "Choisissez d'ouvrir ou de fermer la consultation."}
	}
	err = s.DB.InTx(ctx, func(ctx2 context.Context) error {
		if err := s.Consultations.SetStatus(ctx2, cons.ID, status); err != nil {
			return err
		}
		return moderation.NewAudit(s.DB).Record(ctx2, &admin.ID, action, "consultation:"+cons.Slug, map[string]any{"status": status})
	})
	if err != nil {
		return err
	}
	s.Contributions.ForgetConsultation() // the banner changes at once here, within a second elsewhere
	return c.Redirect("/admin/consultation?info=consultation", http.StatusSeeOther)
}
