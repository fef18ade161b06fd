package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/mediation"
	"github.com/gofiber/fiber/v2"
)

// personFormPage records a person at the médiateur's side with their
// consent, before supporting contributions for them.
type personFormPage struct {
	Page
	personFields
	Mediator mediation.Mediator
	Problems contribution.Problems
	Back     string // where to go once recorded: a contribution page, or /mediation
}

func (s *Server) personPage(c *fiber.Ctx, m mediation.Mediator, back string) (*personFormPage, error) {
	p, err := s.page(c, "Recueillir l'accord d'une personne")
	if err != nil {
		return nil, err
	}
	pf, err := s.newPersonFields(c, m)
	if err != nil {
		return nil, err
	}
	return &personFormPage{Page: p, personFields: pf, Mediator: m, Problems: contribution.Problems{}, Back: safeReturn(back, "/mediation")}, nil
}

// personForm shows the form that records a person and their consent.
func (s *Server) personForm(c *fiber.Ctx) error {
	v, m, err := s.requireMediator(c)
	if v == nil {
		return err
	}
	back := c.Query("retour")
	if back == "" {
		back = "/mediation"
	}
	f, err := s.personPage(c, m, back)
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplMediationPerson, f)
}

// personCreate records the person, then goes back where the médiateur was.
func (s *Server) personCreate(c *fiber.Ctx) error {
	v, m, err := s.requireMediator(c)
	if v == nil {
		return err
	}
	f, err := s.personPage(c, m, c.FormValue("retour"))
	if err != nil {
		return err
	}
	in := readPerson(c, &f.personFields)
	_, problems, err := s.Mediation.RecordPerson(c.UserContext(), v.ID, in)
	if err != nil {
		return mediationError(err, m)
	}
	if len(problems) > 0 {
		f.Problems = problems
		return s.render.Render(c, http.StatusUnprocessableEntity, tplMediationPerson, f)
	}
	back := f.Back
	if back == "/mediation" || back == "/" {
		back = "/mediation?info=personne"
	} else {
		back += "#soutien-accompagne"
	}
	return c.Redirect(back, http.StatusSeeOther)
}

// assistedSupportView is the médiateur's part of a contribution page: the
// people at their side, each with the button that records or removes their
// support.
type assistedSupportView struct {
	ContributionID int64
	People         []assistedSupporter
	CSRF           string
	Back           string
	Done           string // confirmation of the last action
	NewPersonURL   string
}

type assistedSupporter struct {
	mediation.Person
	Supporting bool // supports this contribution
	Author     bool // the person wrote it with the médiateur
}

// assistedSupportFor builds the médiateur's part of the page of contribution
// id for viewer v, or nil for anyone else.
func (s *Server) assistedSupportFor(c *fiber.Ctx, v *account.Viewer, id int64, csrf string) (*assistedSupportView, error) {
	if !v.IsMediator() {
		return nil, nil
	}
	ctx := c.UserContext()
	people, err := s.Mediation.People(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	who, err := s.Mediation.Supporters(ctx, id, people)
	if err != nil {
		return nil, err
	}
	author, err := s.Mediation.PersonOf(ctx, id)
	if err != nil {
		return nil, err
	}
	back := "/contributions/" + strconv.FormatInt(id, 10)
	out := &assistedSupportView{ContributionID: id, CSRF: csrf, Back: back,
		NewPersonURL: "/mediation/personnes/nouvelle?retour=" + url.QueryEscape(back)}
	for _, p := range people {
		out.People = append(out.People, assistedSupporter{Person: p, Supporting: who[p.ID], Author: p.ID == author})
	}
	switch c.Query("soutien-accompagne") {
	case "ajoute":
		out.Done = "Le soutien de la personne est enregistré."
	case "retire":
		out.Done = "Le soutien de la personne est retiré."
	}
	return out, nil
}

// assistedSupport records or removes (action=retirer) the support of a
// person at the médiateur's side for contribution :id.
func (s *Server) assistedSupport(c *fiber.Ctx) error {
	v, m, err := s.requireMediator(c)
	if v == nil {
		return err
	}
	id, err := contributionID(c)
	if err != nil {
		return err
	}
	personID, err := strconv.ParseInt(c.FormValue("personne"), 10, 64)
	if err != nil || personID <= 0 {
		return &UserError{Status: http.StatusUnprocessableEntity, Message: "Choisissez la personne qui soutient cette contribution."}
	}
	add := c.FormValue("action") != "retirer"
	if _, err := s.Mediation.Support(c.UserContext(), v.ID, personID, id, add); err != nil {
		return mediationError(err, m)
	}
	done := "retire"
	if add {
		done = "ajoute"
	}
	return c.Redirect("/contributions/"+strconv.FormatInt(id, 10)+"?soutien-accompagne="+done+"#soutien-accompagne", http.StatusSeeOther)
}
