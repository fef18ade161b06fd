package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/gofiber/fiber/v2"
)

// Account pages.
const (
	tplSignUp   = "account/signup"
	tplSignIn   = "account/signin"
	tplMessage  = "account/message"
	tplVerify   = "account/verify"
	tplForgot   = "account/forgot"
	tplReset    = "account/reset"
	tplProfile  = "account/profile"
	tplMyData   = "account/data"
	tplPrivacy  = "account/privacy"
	tplDevMails = "account/dev_mails"
)

// profileForm is the part of the forms that says who someone is.
type profileForm struct {
	DisplayName     string
	Category        string
	DepartementCode string
	AcceptTerms     bool
}

// choices are the lists the profile fields offer.
type choices struct {
	Categories []account.Category
	Regions    []hub.Region
}

func (s *Server) choices(ctx context.Context) (choices, error) {
	cats, err := s.Accounts.Categories(ctx)
	if err != nil {
		return choices{}, err
	}
	regions, err := s.Hubs.Regions(ctx)
	return choices{Categories: cats, Regions: regions}, err
}

func readProfile(c *fiber.Ctx) profileForm {
	return profileForm{
		DisplayName:     c.FormValue("display_name"),
		Category:        c.FormValue("category"),
		DepartementCode: c.FormValue("departement"),
		AcceptTerms:     c.FormValue("terms") == "oui",
	}
}

func (f profileForm) domain() account.Profile {
	return account.Profile{DisplayName: f.DisplayName, Category: f.Category, DepartementCode: f.DepartementCode, AcceptTerms: f.AcceptTerms}
}

// messagePage is a page with a title, a few paragraphs and a link.
type messagePage struct {
	Page
	Lines     []string
	LinkHref  string
	LinkLabel string
}

func (s *Server) message(c *fiber.Ctx, status int, title string, lines []string, href, label string) error {
	p, err := s.page(c, title)
	if err != nil {
		return err
	}
	return s.render.Render(c, status, tplMessage, messagePage{Page: p, Lines: lines, LinkHref: href, LinkLabel: label})
}

// toSignIn is the answer to someone who is not signed in on a page or a
// form that needs an account: a redirection (303, or HX-Redirect for htmx)
// to the sign-in page, whose return address is the page asked for, or for
// a form the page it was sent from (returnPath).
func (s *Server) toSignIn(c *fiber.Ctx) error {
	return &redirectError{URL: "/connexion?retour=" + url.QueryEscape(s.returnPath(c))}
}

// returnPath is where to come back to after signing in: the address asked
// for (GET), or for a form its "retour" field, else the page of this site it
// was sent from (Referer), else the home page.
func (s *Server) returnPath(c *fiber.Ctx) string {
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		return safeReturn(c.OriginalURL(), "/")
	}
	if r := safeReturn(c.FormValue("retour"), ""); r != "" {
		return r
	}
	return s.refererPath(c, "/")
}

// refererPath is the path of the request's Referer when it is a page of
// this site, fallback otherwise.
func (s *Server) refererPath(c *fiber.Ctx, fallback string) string {
	u, err := url.Parse(c.Get(fiber.HeaderReferer))
	if err != nil || u.Scheme != s.Config.BaseURL.Scheme || u.Host != s.Config.BaseURL.Host {
		return fallback
	}
	return safeReturn(u.RequestURI(), fallback)
}

// afterSignIn is where to go once signed in as u: completing the profile
// first when something contributing needs is missing.
func afterSignIn(u account.User, ret string) string {
	ret = safeReturn(ret, "/")
	if u.Category == nil || u.DepartementID == nil || u.TermsAcceptedAt == nil {
		return "/compte/completer?retour=" + url.QueryEscape(ret)
	}
	return ret
}

func (s *Server) privacy(c *fiber.Ctx) error {
	p, err := s.page(c, "Données personnelles")
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplPrivacy, p)
}

func (s *Server) signedOut(c *fiber.Ctx) error {
	return s.message(c, http.StatusOK, "Vous êtes déconnecté·e", []string{"À bientôt sur la concertation."}, "/", "Retourner à l'accueil")
}
