package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/cnr-numerique/concertation/app/mediation"
	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/gofiber/fiber/v2"
)

// mediationVolumesPage shows the moderators what each médiateur did.
type mediationVolumesPage struct {
	Page
	Rows   []mediation.Volume
	Total  mediation.Volume
	Limits mediation.Limits
}

// mediationVolumes lists the médiateurs with their assisted volume: people,
// contributions, supports, refusals, in all and over seven days.
func (s *Server) mediationVolumes(c *fiber.Ctx) error {
	v, err := s.requireModerator(c)
	if v == nil {
		return err
	}
	p, err := s.page(c, "Contributions accompagnées par médiateur")
	if err != nil {
		return err
	}
	rows, total, err := s.Mediation.Volumes(c.UserContext())
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplMediationVolumes, mediationVolumesPage{Page: p, Rows: rows, Total: total, Limits: s.Mediation.Limits()})
}

// mediatorActivityPage is one médiateur's trail, for the moderators.
type mediatorActivityPage struct {
	Page
	Mediator mediation.Mediator
	Recent   []mediation.Assisted
	Activity []moderation.AuditRow
	Now      time.Time
}

// mediatorActivity shows one médiateur: their contributions accompagnées
// and every action they took (from the audit log).
func (s *Server) mediatorActivity(c *fiber.Ctx) error {
	v, err := s.requireModerator(c)
	if v == nil {
		return err
	}
	id, err := itemID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	m, err := s.Mediation.Get(ctx, id)
	if errors.Is(err, mediation.ErrNotFound) {
		return &UserError{Status: http.StatusNotFound, Message: "Ce compte n'est pas celui d'un médiateur numérique."}
	}
	if err != nil {
		return err
	}
	p, err := s.page(c, "Activité de "+m.DisplayName)
	if err != nil {
		return err
	}
	data := mediatorActivityPage{Page: p, Mediator: m, Now: s.Now()}
	if data.Recent, err = s.Mediation.Recent(ctx, id, 100); err != nil {
		return err
	}
	if data.Activity, err = s.Mediation.Activity(ctx, id, 200); err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplMediatorActivity, data)
}
