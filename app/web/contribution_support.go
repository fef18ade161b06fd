package web

import (
	"net/http"
	"strconv"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/gofiber/fiber/v2"
)

// tplSupportFragment is the page set used to render the support button alone.
const tplSupportFragment = tplContributionShow

func (s *Server) contributionSupport(c *fiber.Ctx) error {
	return s.toggleSupport(c, true)
}

func (s *Server) contributionUnsupport(c *fiber.Ctx) error {
	return s.toggleSupport(c, false)
}

// toggleSupport adds or removes the viewer's support, then answers htmx with
// the new button, or redirects back to the page of the form.
func (s *Server) toggleSupport(c *fiber.Ctx, add bool) error {
	v, err := s.requireContributor(c)
	if err != nil {
		return err
	}
	id, err := contributionID(c)
	if err != nil {
		return err
	}
	if err := s.limitAction(c, limitSupport, v); err != nil {
		return err
	}
	var count int
	if add {
		count, err = s.Contributions.Support(c.UserContext(), actor(v), id)
	} else {
		count, err = s.Contributions.Unsupport(c.UserContext(), actor(v), id)
	}
	if err != nil {
		return contributionError(err)
	}
	back := safeReturn(c.FormValue("retour"), "/contributions/"+strconv.FormatInt(id, 10))
	if isHTMX(c) {
		sv := supportView{ID: id, Count: count, Unit: supportUnit(count), Supported: add, SignedIn: true, Open: true, CSRF: s.csrfToken(c), Back: back}
		return s.renderFragment(c, http.StatusOK, tplSupportFragment, "support-form", sv)
	}
	return c.Redirect(back, http.StatusSeeOther)
}

func (s *Server) argumentCreate(c *fiber.Ctx) error {
	v, err := s.requireContributor(c)
	if err != nil {
		return err
	}
	id, err := contributionID(c)
	if err != nil {
		return err
	}
	if err := s.limitAction(c, limitArgue, v); err != nil {
		return err
	}
	d := contribution.ArgumentDraft{Stance: c.FormValue("position"), Body: c.FormValue("texte")}
	if raw := c.FormValue("reponse_a"); raw != "" {
		if d.ParentID, err = strconv.ParseInt(raw, 10, 64); err != nil || d.ParentID <= 0 {
			return &UserError{Status: http.StatusBadRequest, Message: "On ne peut répondre qu'à un argument publié de cette contribution."}
		}
	}
	problems, err := s.Contributions.AddArgument(c.UserContext(), actor(v), id, d)
	if err != nil {
		return contributionError(err)
	}
	if len(problems) > 0 {
		msg := ""
		for _, f := range []string{contribution.FieldStance, contribution.FieldBody} {
			if problems[f] != "" {
				msg += problems[f] + " "
			}
		}
		return &UserError{Status: http.StatusUnprocessableEntity, Message: msg + "Revenez à la page précédente pour corriger."}
	}
	return c.Redirect("/contributions/"+strconv.FormatInt(id, 10)+"#arguments", http.StatusSeeOther)
}
