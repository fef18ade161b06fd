package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/answer"
	"github.com/gofiber/fiber/v2"
)

// Official answers are given by administrators: an answer commits the
// consultation team in public, while rapporteurs analyse and select for the
// report. The form is on the workspace page of the contribution.

var errAnswerAdminOnly = &UserError{Status: http.StatusForbidden,
	Message: "Seule l'équipe de la consultation (administrateurs) peut publier une réponse officielle."}

// answerStateOption is one choice of the answer form.
type answerStateOption struct {
	Value, Label string
	Checked      bool
}

// answerOptions lists the states for the form, current one checked.
func answerOptions(current answer.State) []answerStateOption {
	var out []answerStateOption
	for _, st := range answer.States {
		out = append(out, answerStateOption{Value: string(st), Label: st.Label(), Checked: st == current})
	}
	return out
}

// contributionAnswer publishes or changes the official answer to a
// contribution (administrators only); the store writes the audit log.
func (s *Server) contributionAnswer(c *fiber.Ctx, v *account.Viewer) error {
	if !v.IsAdmin() {
		return errAnswerAdminOnly
	}
	id, err := markTarget(c)
	if err != nil {
		return err
	}
	st, ok := answer.ParseState(c.FormValue("etat"))
	if !ok {
		return &UserError{Status: http.StatusUnprocessableEntity, Message: answer.ErrState.Error()}
	}
	err = s.Answers.Set(c.UserContext(), id, v.ID, st, c.FormValue("reponse"))
	switch {
	case errors.Is(err, answer.ErrNotFound):
		return fiber.ErrNotFound
	case errors.Is(err, answer.ErrBody), errors.Is(err, answer.ErrState):
		return &UserError{Status: http.StatusUnprocessableEntity, Message: err.Error()}
	case err != nil:
		return err
	}
	s.Contributions.Invalidate() // pages and counts showing the contribution are read again
	return c.Redirect("/synthese/contributions/"+strconv.FormatInt(id, 10)+"?"+url.Values{"fait": {"reponse"}}.Encode(), http.StatusSeeOther)
}
