package web

import (
	"context"
	"errors"
	"net/http"
	"time"

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

// oidcPageWait bounds how long the sign-in page waits for the discovery of
// providers not discovered yet (see contentSecurityPolicy).
const oidcPageWait = 2 * time.Second

func (s *Server) renderSignIn(c *fiber.Ctx, status int, email, msg string) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), oidcPageWait)
	if err := s.OIDC.Discover(ctx); err != nil {
		s.Log.Warn("openid: discovery", "err", err)
	}
	cancel()
	s.setSecurityHeaders(&c.Response().Header) // the form-action of the providers just discovered
	p, err := s.page(c, "Se connecter")
	if err != nil {
		return err
	}
	p.Flash = notice(c)
	return s.render.Render(c, status, tplSignIn, signInPage{
		Page: p, Email: email, Return: safeReturn(c.Query("retour", c.FormValue("retour")), "/"), Error: msg,
		Providers: s.OIDC.List(),
	})
}

// signIn checks an address and a password. Wrong address and wrong password
// get the same answer, after the same work (Authenticate). The limits count
// failures only, per account and address (ratelimit.PasswordAllowed).
func (s *Server) signIn(c *fiber.Ctx) error {
	email := account.NormalizeEmail(c.FormValue("email"))
	if err := s.passwordAllowed(c, email); err != nil {
		return err
	}
	u, err := s.Accounts.Authenticate(c.UserContext(), email, c.FormValue("password"))
	switch {
	case errors.Is(err, account.ErrBadCredentials):
		if err := s.passwordFailed(c, email); err != nil {
			return err
		}
		return s.renderSignIn(c, http.StatusUnauthorized, email, "Adresse e-mail ou mot de passe incorrect.")
	case errors.Is(err, account.ErrNotVerified):
		ret := safeReturn(c.FormValue("retour"), "/")
		if err := s.sendVerification(c, u, ret); err != nil {
			return err
		}
		return s.checkMailbox(c, u.Email, ret)
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
