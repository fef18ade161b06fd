package web

import (
	"net/http"
	"strconv"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/mediation"
	"github.com/gofiber/fiber/v2"
)

// personFields are the person's part of the médiateur's forms.
type personFields struct {
	Consent      []string // the text read aloud
	Categories   []contribution.Category
	Departements []hub.Territory // those of the médiateur's territory
	Label        string
	Category     string
	Departement  string // INSEE code
	Consented    bool
	MaxLabel     int
}

// assistedFormPage is the form a médiateur fills with a person at their
// side: the person (or the one chosen among those at their side), their
// consent, and their contribution.
type assistedFormPage struct {
	Page
	personFields
	Mediator mediation.Mediator
	Person   *mediation.Person
	AxisSlug string
	Title    string
	Body     string
	Problems contribution.Problems
	MaxTitle int
	MaxBody  int
}

// newPersonFields prepares the person's part for médiateur m.
func (s *Server) newPersonFields(c *fiber.Ctx, m mediation.Mediator) (personFields, error) {
	f := personFields{Consent: mediation.ConsentText, MaxLabel: mediation.MaxLabel}
	refs, err := s.Contributions.Refs(c.UserContext())
	if err != nil {
		return f, err
	}
	for _, cat := range refs.Categories {
		if cat.Code != hub.AuthorCategory {
			f.Categories = append(f.Categories, cat)
		}
	}
	if f.Departements, err = s.Mediation.Departements(c.UserContext(), m); err != nil {
		return f, err
	}
	if len(f.Departements) == 1 {
		f.Departement = f.Departements[0].Code
	}
	return f, nil
}

// readPerson copies the person's fields of the form into f.
func readPerson(c *fiber.Ctx, f *personFields) mediation.PersonInput {
	f.Label, f.Category, f.Departement = c.FormValue(mediation.FieldLabel), c.FormValue(mediation.FieldCategory), c.FormValue(mediation.FieldDepartement)
	f.Consented = c.FormValue(mediation.FieldConsent) == "oui"
	return mediation.PersonInput{Label: f.Label, Category: f.Category, Departement: f.Departement, Consent: f.Consented}
}

// assistedPage builds the form for the request, with the person chosen by
// the "personne" field or parameter, if any.
func (s *Server) assistedPage(c *fiber.Ctx, m mediation.Mediator, raw string) (*assistedFormPage, error) {
	p, err := s.page(c, "Écrire une contribution avec une personne")
	if err != nil {
		return nil, err
	}
	pf, err := s.newPersonFields(c, m)
	if err != nil {
		return nil, err
	}
	f := &assistedFormPage{Page: p, personFields: pf, Mediator: m, Problems: contribution.Problems{},
		MaxTitle: contribution.MaxTitle, MaxBody: contribution.MaxBody}
	if raw == "" {
		return f, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return nil, mediationError(mediation.ErrPersonAbsent, m)
	}
	people, err := s.Mediation.People(c.UserContext(), m.UserID)
	if err != nil {
		return nil, err
	}
	for i := range people {
		if people[i].ID == id {
			f.Person = &people[i]
		}
	}
	if f.Person == nil {
		return nil, mediationError(mediation.ErrPersonAbsent, m)
	}
	return f, nil
}

// assistedForm shows the form of a contribution accompagnée.
func (s *Server) assistedForm(c *fiber.Ctx) error {
	v, m, err := s.requireMediator(c)
	if v == nil {
		return err
	}
	f, err := s.assistedPage(c, m, c.Query("personne"))
	if err != nil {
		return err
	}
	if _, ok := f.Consultation.Axis(c.Query("axe")); ok {
		f.AxisSlug = c.Query("axe")
	}
	return s.render.Render(c, http.StatusOK, tplMediationForm, f)
}

// assistedCreate publishes a contribution accompagnée and shows its receipt,
// once: the claim code is never shown again (only its hash is kept). A form
// without the person's consent, or with other problems, comes back with
// the messages; nothing is stored.
func (s *Server) assistedCreate(c *fiber.Ctx) error {
	v, m, err := s.requireMediator(c)
	if v == nil {
		return err
	}
	f, err := s.assistedPage(c, m, c.FormValue("personne"))
	if err != nil {
		return err
	}
	in := readPerson(c, &f.personFields)
	f.AxisSlug, f.Title, f.Body = c.FormValue("axe"), c.FormValue("titre"), c.FormValue("texte")
	d := contribution.Draft{Title: f.Title, Body: f.Body}
	if a, ok := f.Consultation.Axis(f.AxisSlug); ok {
		d.AxisID = a.ID
	}
	var personID int64
	if f.Person != nil {
		personID = f.Person.ID
	}
	r, problems, err := s.Mediation.Contribute(c.UserContext(), v.ID, f.Consultation.ID, personID, in, d)
	if err != nil {
		return mediationError(err, m)
	}
	if len(problems) > 0 {
		f.Problems = problems
		return s.render.Render(c, http.StatusUnprocessableEntity, tplMediationForm, f)
	}
	return s.renderReceipt(c, r, false)
}

// receiptPage is the receipt the médiateur prints or writes down for the
// person.
type receiptPage struct {
	Page
	Receipt  mediation.Receipt
	SiteURL  string
	ClaimURL string
	Again    bool // a new code for a lost receipt
}

func (s *Server) renderReceipt(c *fiber.Ctx, r mediation.Receipt, again bool) error {
	p, err := s.page(c, "Reçu de contribution accompagnée")
	if err != nil {
		return err
	}
	base := s.Config.BaseURL.String()
	return s.render.Render(c, http.StatusOK, tplMediationReceipt, receiptPage{Page: p, Receipt: r, SiteURL: base, ClaimURL: base + "/compte/recuperer", Again: again})
}

// assistedNewCode gives a contribution accompagnée of the médiateur a new
// claim code (a lost receipt) and shows the new receipt.
func (s *Server) assistedNewCode(c *fiber.Ctx) error {
	v, m, err := s.requireMediator(c)
	if v == nil {
		return err
	}
	id, err := contributionID(c)
	if err != nil {
		return err
	}
	r, err := s.Mediation.NewCode(c.UserContext(), v.ID, id)
	if err != nil {
		return mediationError(err, m)
	}
	return s.renderReceipt(c, r, true)
}
