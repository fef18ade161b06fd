package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/mediation"
	"github.com/gofiber/fiber/v2"
)

// Pages of the médiation numérique.
const (
	tplMediationHome    = "mediation/home"
	tplMediationForm    = "mediation/form"
	tplMediationPerson  = "mediation/person"
	tplMediationReceipt = "mediation/receipt"
	tplMediationClaim   = "mediation/claim"
	tplMediationVolumes = "moderation/mediation"
	tplMediatorActivity = "moderation/mediator"
)

var errMediatorsOnly = &UserError{Status: http.StatusForbidden,
	Message: "Cette page est réservée aux médiateurs et médiatrices numériques. Le rôle est donné par l'équipe de la concertation."}

// requireMediator returns the signed-in médiateur and their profile, as
// requireRole does for the role (sign-in page for a page, 401 for a form,
// 403 for others); a blocked account gets errBlocked.
func (s *Server) requireMediator(c *fiber.Ctx) (*account.Viewer, mediation.Mediator, error) {
	v, err := s.requireRole(c, (*account.Viewer).IsMediator, errMediatorsOnly)
	if v == nil {
		return nil, mediation.Mediator{}, err
	}
	if v.Blocked(s.Now()) {
		return nil, mediation.Mediator{}, errBlocked
	}
	m, err := s.Mediation.Get(c.UserContext(), v.ID)
	if errors.Is(err, mediation.ErrNotFound) || err == nil && !m.Active() {
		return nil, m, errMediatorsOnly
	}
	if err != nil {
		return nil, m, err
	}
	return v, m, nil
}

// mediationError translates the errors of the médiation into French answers.
func mediationError(err error, m mediation.Mediator) error {
	var le *mediation.LimitError
	switch {
	case errors.As(err, &le):
		return &UserError{Status: http.StatusTooManyRequests, Message: limitMessage(le)}
	case errors.Is(err, mediation.ErrOutsideTerritory):
		return &UserError{Status: http.StatusForbidden, Message: fmt.Sprintf(
			"Cette personne habite hors de votre territoire (%s). Vous pouvez accompagner seulement les personnes de votre territoire.", m.TerritoryName)}
	case errors.Is(err, mediation.ErrPersonAbsent):
		return &UserError{Status: http.StatusConflict, Message: "L'accord de cette personne a plus de 12 heures, ou elle n'est pas dans votre liste. " +
			"Si elle est à côté de vous, lisez-lui de nouveau le texte et recueillez son accord."}
	case errors.Is(err, mediation.ErrNotMediator):
		return errMediatorsOnly
	case errors.Is(err, mediation.ErrNotFound):
		return &UserError{Status: http.StatusNotFound, Message: "Cette contribution n'a pas été écrite par vous, ou la personne l'a déjà récupérée."}
	case errors.Is(err, contribution.ErrOwn):
		return &UserError{Status: http.StatusForbidden, Message: "Cette personne a écrit cette contribution : elle ne peut pas la soutenir."}
	case errors.Is(err, contribution.ErrMediatorOwn):
		return &UserError{Status: http.StatusForbidden, Message: "Vous ne pouvez pas enregistrer de soutien pour votre propre contribution, ni pour une proposition de votre Hub."}
	}
	return contributionError(err)
}

// limitMessage says which daily limit was reached, in plain French.
func limitMessage(le *mediation.LimitError) string {
	what := map[string]string{
		"personnes":             "personnes accompagnées",
		"contributions":         "contributions accompagnées",
		"soutiens":              "soutiens enregistrés",
		"soutiens_par_personne": "soutiens pour cette personne",
	}[le.What]
	if le.What == "soutiens_par_personne" {
		return fmt.Sprintf("Cette personne a déjà %d soutiens enregistrés : c'est le maximum.", le.Max)
	}
	return fmt.Sprintf("Vous avez atteint la limite du jour : %d %s. Vous pourrez continuer demain. "+
		"Si vous avez besoin de plus, écrivez à l'équipe de la concertation.", le.Max, what)
}

type mediationHomePage struct {
	Page
	Mediator mediation.Mediator
	Usage    mediation.Usage
	People   []mediation.Person
	Recent   []mediation.Assisted
	Now      time.Time // for the state of the codes
}

// mediationHome is the médiateur's page: their structure and territory,
// what they did today against their limits, the people at their side, and
// their latest contributions accompagnées with their codes.
func (s *Server) mediationHome(c *fiber.Ctx) error {
	v, m, err := s.requireMediator(c)
	if v == nil {
		return err
	}
	p, err := s.page(c, "Espace médiateur numérique")
	if err != nil {
		return err
	}
	p.Flash = mediationNotices[c.Query("info")]
	ctx := c.UserContext()
	data := mediationHomePage{Page: p, Mediator: m, Now: s.Now()}
	if data.Usage, err = s.Mediation.Usage(ctx, v.ID); err != nil {
		return err
	}
	if data.People, err = s.Mediation.People(ctx, v.ID); err != nil {
		return err
	}
	if data.Recent, err = s.Mediation.Recent(ctx, v.ID, 30); err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplMediationHome, data)
}

var mediationNotices = map[string]string{
	"personne": "L'accord de la personne est enregistré. Ouvrez une contribution pour enregistrer son soutien.",
}
