package web

import (
	"net/http"
	"strconv"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/gofiber/fiber/v2"
)

// editable loads contribution :id for viewer v, who must be allowed to change it.
func (s *Server) editable(c *fiber.Ctx, v *account.Viewer) (contribution.View, error) {
	id, err := contributionID(c)
	if err != nil {
		return contribution.View{}, err
	}
	cv, err := s.Contributions.Get(c.UserContext(), id)
	if err != nil {
		return cv, contributionError(err)
	}
	if !cv.Published() {
		return cv, errNotPublished
	}
	if !cv.CanEdit(actor(v)) {
		return cv, errNotEditable
	}
	return cv, nil
}

// editForm prepares the edit form of cv.
func (s *Server) editForm(c *fiber.Ctx, v *account.Viewer, cv contribution.View) (*contributionFormPage, error) {
	p, err := s.page(c, "Modifier la contribution")
	if err != nil {
		return nil, err
	}
	f, err := s.newForm(c, p, v)
	if err != nil {
		return nil, err
	}
	f.Edit, f.ID, f.Entry = true, cv.ID, cv.Entry
	f.Action = "/contributions/" + strconv.FormatInt(cv.ID, 10) + "/modifier"
	f.HubSlug = cv.HubSlug
	if cv.ReactsToID != nil {
		f.ReactsTo = &contribution.View{Contribution: contribution.Contribution{ID: *cv.ReactsToID, Title: cv.ReactsToTitle}, HubName: cv.ReactsToHub}
		f.ReactionType = *cv.ReactionType
	}
	return f, nil
}

func (s *Server) contributionEdit(c *fiber.Ctx) error {
	v, err := s.requireContributor(c)
	if err != nil {
		return err
	}
	cv, err := s.editable(c, v)
	if err != nil {
		return err
	}
	f, err := s.editForm(c, v, cv)
	if err != nil {
		return err
	}
	f.Title, f.Body = cv.Title, cv.Body
	for _, a := range f.Consultation.Axes {
		if a.ID == cv.AxisID {
			f.AxisSlug = a.Slug
		}
	}
	f.Territory = cv.TerritoryKind + ":" + cv.TerritoryCode
	return s.render.Render(c, http.StatusOK, tplContributionForm, f)
}

func (s *Server) contributionUpdate(c *fiber.Ctx) error {
	v, err := s.requireContributor(c)
	if err != nil {
		return err
	}
	cv, err := s.editable(c, v)
	if err != nil {
		return err
	}
	f, err := s.editForm(c, v, cv)
	if err != nil {
		return err
	}
	d := readForm(c, f.Page, f)
	f.Entry, f.HubSlug = cv.Entry, cv.HubSlug
	if c.FormValue("action") == "verifier" {
		return s.renderChecked(c, f, cv.ID)
	}
	if err := s.limitAction(c, limitContribute, v); err != nil {
		return err
	}
	problems, err := s.Contributions.Update(c.UserContext(), actor(v), cv.ID, d)
	if err != nil {
		return contributionError(err)
	}
	if len(problems) > 0 {
		f.Problems = problems
		return s.render.Render(c, http.StatusUnprocessableEntity, tplContributionForm, f)
	}
	return c.Redirect("/contributions/"+strconv.FormatInt(cv.ID, 10), http.StatusSeeOther)
}

type contributionWithdrawPage struct {
	Page
	C contribution.View
}

func (s *Server) contributionWithdrawForm(c *fiber.Ctx) error {
	v, err := s.requireContributor(c)
	if err != nil {
		return err
	}
	cv, err := s.editable(c, v)
	if err != nil {
		return err
	}
	p, err := s.page(c, "Retirer la contribution")
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplContributionWithdraw, contributionWithdrawPage{Page: p, C: cv})
}

func (s *Server) contributionWithdraw(c *fiber.Ctx) error {
	v, err := s.requireContributor(c)
	if err != nil {
		return err
	}
	cv, err := s.editable(c, v)
	if err != nil {
		return err
	}
	if err := s.Contributions.Withdraw(c.UserContext(), actor(v), cv.ID); err != nil {
		return contributionError(err)
	}
	return c.Redirect("/contributions/"+strconv.FormatInt(cv.ID, 10), http.StatusSeeOther)
}
