package web

import (
	"net/http"
	"net/url"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/gofiber/fiber/v2"
)

type profilePage struct {
	Page
	choices
	Completing  bool // after a first OpenID sign-in: asks what is missing
	Email       string
	Form        profileForm
	TermsDone   bool
	Errors      account.FieldErrors
	Return      string
	Providers   []string
	HasPassword bool
}

// myAccount shows "Mon compte" (/compte) or, at /compte/completer, the same
// form asking what is missing before contributing.
func (s *Server) myAccount(c *fiber.Ctx) error {
	v := viewer(c)
	if v == nil {
		return s.toSignIn(c)
	}
	u, err := s.Accounts.ByID(c.UserContext(), v.ID)
	if err != nil {
		return err
	}
	f := profileForm{DisplayName: u.DisplayName, DepartementCode: s.Accounts.DepartementCode(c.UserContext(), u.DepartementID)}
	if u.Category != nil {
		f.Category = *u.Category
	}
	return s.renderProfile(c, http.StatusOK, u, f, nil)
}

func (s *Server) renderProfile(c *fiber.Ctx, status int, u account.User, f profileForm, errs account.FieldErrors) error {
	completing := c.Path() == "/compte/completer"
	title := "Mon compte"
	if completing {
		title = "Complétez votre profil"
	}
	p, err := s.page(c, title)
	if err != nil {
		return err
	}
	p.Flash = notice(c)
	ctx := c.UserContext()
	ch, err := s.choices(ctx)
	if err != nil {
		return err
	}
	providers, err := s.Accounts.IdentityProviders(ctx, u.ID)
	if err != nil {
		return err
	}
	return s.render.Render(c, status, tplProfile, profilePage{
		Page: p, choices: ch, Completing: completing, Email: u.Email, Form: f, TermsDone: u.TermsAcceptedAt != nil,
		Errors: errs, Return: safeReturn(c.Query("retour", c.FormValue("retour")), "/"), Providers: providers, HasPassword: u.PasswordHash != nil,
	})
}

// saveProfile saves the profile form of /compte and /compte/completer.
func (s *Server) saveProfile(c *fiber.Ctx) error {
	v, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	u, err := s.Accounts.ByID(ctx, v.ID)
	if err != nil {
		return err
	}
	f := readProfile(c)
	p := f.domain()
	p.AcceptTerms = p.AcceptTerms || u.TermsAcceptedAt != nil
	errs, err := s.Accounts.UpdateProfile(ctx, u.ID, p, s.Now())
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return s.renderProfile(c, http.StatusUnprocessableEntity, u, f, errs)
	}
	if c.Path() == "/compte/completer" {
		return c.Redirect(safeReturn(c.FormValue("retour"), "/"), http.StatusSeeOther)
	}
	return c.Redirect("/compte?info="+url.QueryEscape("profil"), http.StatusSeeOther)
}
