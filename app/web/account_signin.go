package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/account/openid"
	"github.com/gofiber/fiber/v2"
)

type signInPage struct {
	Page
	Email     string
	Return    string
	Error     string
	Providers []*openid.Provider
}

func (s *Server) signInForm(c *fiber.Ctx) error {
	return s.renderSignIn(c, http.StatusOK, "", "")
}

func (s *Server) renderSignIn(c *fiber.Ctx, status int, email, msg string) error {
	p, err := s.page(c, "Se connecter")
	if err != nil {
		return err
	}
	p.Flash = notice(c)
	return s.render.Render(c, status, tplSignIn, signInPage{
		Page: p, Email: email, Return: safeReturn(c.Query("retour", c.FormValue("retour"))), Error: msg,
		Providers: s.OIDC.List(),
	})
}

// signIn checks an address and a password. Wrong address and wrong password
// get the same answer, in the same time.
func (s *Server) signIn(c *fiber.Ctx) error {
	email := account.NormalizeEmail(c.FormValue("email"))
	if err := s.limit(c, "signin:ip", c.IP()); err != nil {
		return err
	}
	if err := s.limit(c, "signin:account", strings.ToLower(email)); err != nil {
		return err
	}
	u, err := s.Accounts.Authenticate(c.UserContext(), email, c.FormValue("password"))
	switch {
	case errors.Is(err, account.ErrBadCredentials):
		return s.renderSignIn(c, http.StatusUnauthorized, email, "Adresse e-mail ou mot de passe incorrect.")
	case errors.Is(err, account.ErrNotVerified):
		if err := s.sendVerification(c, u); err != nil {
			return err
		}
		return s.checkMailbox(c, u.Email)
	case err != nil:
		return err
	}
	if _, err := s.startSession(c, &u.ID, nil); err != nil {
		return err
	}
	return c.Redirect(afterSignIn(u, c.FormValue("retour")), http.StatusSeeOther)
}

// signOut ends the session server-side, then, after an OpenID sign-in, at
// the provider too.
func (s *Server) signOut(c *fiber.Ctx) error {
	var provider, idToken string
	if sess := session(c); sess != nil {
		provider, idToken = sess.Data[sessionOIDCProvider], sess.Data[sessionOIDCIDToken]
	}
	if err := s.endSession(c); err != nil {
		return err
	}
	if p, ok := s.OIDC.Get(provider); ok {
		if u, ok := p.EndSessionURL(idToken, s.Config.BaseURL.String()+"/deconnecte", randomState()); ok {
			return c.Redirect(u, http.StatusSeeOther)
		}
	}
	return c.Redirect("/deconnecte", http.StatusSeeOther)
}
