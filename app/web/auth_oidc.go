package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/account/openid"
	"github.com/gofiber/fiber/v2"
)

// Session data kept after an OpenID sign-in, to sign out at the provider.
const (
	sessionOIDCProvider = "oidc_provider"
	sessionOIDCIDToken  = "oidc_id_token"
)

// limitOIDC is the rule (ratelimit.DefaultRules) of the OpenID Connect
// sign-ins started from one address.
const limitOIDC = "oidc:ip"

var errOIDCFailed = &UserError{Status: http.StatusBadRequest,
	Message: "La connexion n'a pas pu aboutir. Merci de recommencer depuis la page de connexion."}

// errOIDCUnavailable is the answer when the provider cannot be reached or
// fails on its side (discovery, token exchange, userinfo).
func errOIDCUnavailable(p *openid.Provider) error {
	return &UserError{Status: http.StatusBadGateway,
		Message: "Le service de connexion " + p.Label() + " ne répond pas. Merci de réessayer plus tard ou de vous connecter avec votre adresse e-mail."}
}

// oidcBegin starts a sign-in at a provider (a form's POST, with the CSRF
// token): a fresh state and nonce, kept in this attempt's dance cookie.
func (s *Server) oidcBegin(c *fiber.Ctx) error {
	p, ok := s.OIDC.Get(c.Params("provider"))
	if !ok {
		return fiber.ErrNotFound
	}
	if err := s.limit(c, limitOIDC, c.IP()); err != nil {
		return err
	}
	known := p.Discovered()
	state := randomState()
	gs, err := p.BeginAuth(state)
	if err != nil {
		s.Log.Warn("openid: begin", "provider", p.Name(), "err", err)
		return errOIDCUnavailable(p)
	}
	authURL, err := gs.GetAuthURL()
	if err != nil {
		return err
	}
	d := dance{Provider: p.Name(), State: state, Session: gs.Marshal(), Return: safeReturn(c.FormValue("retour"), "/"), Expires: s.Now().Add(danceTTL)}
	if err := s.setDance(c, d); err != nil {
		return err
	}
	if !known {
		s.setSecurityHeaders(&c.Response().Header) // this page's policy knows the provider now
		// The page that posted was served before the provider's address was
		// known: its form-action does not allow a redirect there. A link is
		// a new navigation, which form-action does not govern.
		return s.message(c, http.StatusOK, "Connexion avec "+p.Label(),
			[]string{"Le service de connexion est prêt. Suivez le lien pour continuer."}, authURL, "Continuer vers "+p.Label())
	}
	return c.Redirect(authURL, http.StatusSeeOther)
}

// oidcCallback ends a sign-in: the state must be the one in this browser's
// dance cookie of that attempt (never trusted from the address alone); the
// provider session checks code, ID token, nonce, acr and userinfo. Then the
// account is found, linked or created, and a new app session starts. A
// provider that cannot be reached or fails on its side gets "ne répond pas".
func (s *Server) oidcCallback(c *fiber.Ctx) error {
	p, ok := s.OIDC.Get(c.Params("provider"))
	if !ok {
		return fiber.ErrNotFound
	}
	d, err := s.takeDance(c, c.Query("state"))
	if err != nil || d.Provider != p.Name() || d.State == "" ||
		subtle.ConstantTimeCompare([]byte(d.State), []byte(c.Query("state"))) != 1 {
		s.Log.Warn("openid: callback refused: state", "provider", p.Name())
		return errOIDCFailed
	}
	params := url.Values{}
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) { params.Set(string(k), string(v)) })
	gs, err := p.UnmarshalSession(d.Session)
	if err != nil {
		return errOIDCFailed
	}
	if _, err := gs.Authorize(p, params); err != nil {
		s.Log.Warn("openid: callback refused", "provider", p.Name(), "err", err)
		switch {
		case errors.Is(err, openid.ErrDenied):
			return &UserError{Status: http.StatusBadRequest, Message: "La connexion avec " + p.Label() + " a été annulée."}
		case errors.Is(err, openid.ErrUnavailable):
			return errOIDCUnavailable(p)
		}
		return errOIDCFailed
	}
	gu, err := p.FetchUser(gs)
	if err != nil {
		s.Log.Warn("openid: userinfo refused", "provider", p.Name(), "err", err)
		if errors.Is(err, openid.ErrUnavailable) {
			return errOIDCUnavailable(p)
		}
		return errOIDCFailed
	}
	verified, _ := gu.RawData["email_verified"].(bool)
	u, _, err := s.Accounts.SignInWithIdentity(c.UserContext(), account.Identity{
		Provider: p.Name(), Subject: gu.UserID, Email: gu.Email, EmailVerified: verified, DisplayName: gu.Name,
	}, s.Now())
	if errors.Is(err, account.ErrEmailUnverified) {
		return &UserError{Status: http.StatusForbidden, Message: p.Label() +
			" ne nous a pas transmis d'adresse e-mail vérifiée : nous ne pouvons pas créer votre compte ainsi. Vous pouvez créer un compte avec votre adresse e-mail."}
	}
	if err != nil {
		return err
	}
	data := map[string]string{sessionOIDCProvider: p.Name(), sessionOIDCIDToken: gu.IDToken}
	if _, err := s.startSession(c, &u.ID, data); err != nil {
		return err
	}
	return c.Redirect(afterSignIn(u, d.Return), http.StatusSeeOther)
}
