package openid

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"

	"github.com/markbates/goth"
	"golang.org/x/oauth2"
)

// Sign-in refusals.
var (
	ErrDenied = errors.New("openid: the person or the provider refused the sign-in")
	ErrNonce  = errors.New("openid: the ID token's nonce is not this sign-in's")
	ErrACR    = errors.New("openid: the ID token's acr is not accepted")
	// ErrUnavailable wraps the failures that are the provider's, not the
	// person's: unreachable, too slow, or answering with a server error
	// (discovery, token exchange, userinfo).
	ErrUnavailable = errors.New("openid: the provider does not answer")
)

// unavailable wraps err in ErrUnavailable when it says the provider could
// not be reached or failed (network error, timeout, HTTP status 5xx).
func unavailable(err error) error {
	var ue *url.Error
	var re *oauth2.RetrieveError
	var ne net.Error
	switch {
	case errors.As(err, &re):
		if re.Response != nil && re.Response.StatusCode >= 500 {
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return err
	case errors.As(err, &ue), errors.As(err, &ne), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	case status5xx.MatchString(err.Error()):
		// go-oidc's userinfo error for a non-200 answer is "<status>: <body>".
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

var status5xx = regexp.MustCompile(`^5[0-9][0-9] `)

// Session is one sign-in in progress: written in the platform's short-lived
// encrypted cookie between the redirection to the provider and its callback.
type Session struct {
	AuthURL  string `json:"-"` // used once, at the redirection: not kept in the cookie
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	// Filled by Authorize:
	AccessToken string     `json:"at,omitempty"`
	IDToken     string     `json:"it,omitempty"`
	Subject     string     `json:"s,omitempty"`
	ACR         string     `json:"a,omitempty"`
	Claims      userClaims `json:"c,omitempty"`
}

var _ goth.Session = (*Session)(nil)

// GetAuthURL is the provider's login page for this sign-in.
func (s *Session) GetAuthURL() (string, error) {
	if s.AuthURL == "" {
		return "", errors.New(goth.NoAuthUrlErrorMessage)
	}
	return s.AuthURL, nil
}

// Marshal writes the session as JSON.
func (s *Session) Marshal() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Authorize exchanges the callback's code (with the PKCE verifier) and
// verifies the ID token: signature against the provider's keys, issuer,
// audience (and azp when there are several), expiry, this sign-in's nonce,
// and an accepted acr. The caller has already checked the state.
func (s *Session) Authorize(gp goth.Provider, params goth.Params) (string, error) {
	p, ok := gp.(*Provider)
	if !ok {
		return "", errors.New("openid: foreign provider")
	}
	if params.Get("error") != "" {
		return "", ErrDenied
	}
	code := params.Get("code")
	if code == "" || s.Nonce == "" {
		return "", errors.New("openid: callback without code")
	}
	ctx, cancel := p.context()
	defer cancel()
	d, err := p.discover(ctx)
	if err != nil {
		return "", err
	}
	tok, err := d.oauth.Exchange(ctx, code, oauth2.VerifierOption(s.Verifier))
	if err != nil {
		return "", fmt.Errorf("openid %s: token exchange: %w", p.cfg.Name, unavailable(err))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", fmt.Errorf("openid %s: no ID token", p.cfg.Name)
	}
	idt, err := d.verifier.Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("openid %s: ID token: %w", p.cfg.Name, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(s.Nonce)) != 1 {
		return "", ErrNonce
	}
	var c userClaims
	if err := idt.Claims(&c); err != nil {
		return "", fmt.Errorf("openid %s: ID token claims: %w", p.cfg.Name, err)
	}
	if len(idt.Audience) > 1 && c.AuthorizedParty != p.cfg.ClientID {
		return "", fmt.Errorf("openid %s: ID token azp %q", p.cfg.Name, c.AuthorizedParty)
	}
	if len(p.cfg.ACR) > 0 && !contains(p.cfg.ACR, c.ACR) {
		return "", ErrACR
	}
	s.AccessToken, s.IDToken, s.Subject, s.ACR = tok.AccessToken, raw, idt.Subject, c.ACR
	s.Claims = userClaims{Email: c.Email, EmailVerified: c.EmailVerified, GivenName: c.GivenName, Name: c.Name, PreferredUsername: c.PreferredUsername}
	return tok.AccessToken, nil
}

// userClaims are the claims the platform reads, from the ID token or the
// userinfo. Nothing else is kept.
type userClaims struct {
	Issuer            string   `json:"iss,omitempty"`
	Audience          audience `json:"aud,omitempty"`
	AuthorizedParty   string   `json:"azp,omitempty"`
	ACR               string   `json:"acr,omitempty"`
	Email             string   `json:"email,omitempty"`
	EmailVerified     flexBool `json:"email_verified,omitempty"`
	GivenName         string   `json:"given_name,omitempty"`
	Name              string   `json:"name,omitempty"`
	PreferredUsername string   `json:"preferred_username,omitempty"`
}

// merge returns c completed by u (userinfo wins when it has a value).
func (c userClaims) merge(u userClaims) userClaims {
	if u.Email != "" {
		c.Email, c.EmailVerified = u.Email, u.EmailVerified
	}
	if u.GivenName != "" {
		c.GivenName = u.GivenName
	}
	if u.Name != "" {
		c.Name = u.Name
	}
	if u.PreferredUsername != "" {
		c.PreferredUsername = u.PreferredUsername
	}
	return c
}

// flexBool reads true, "true" (some providers send a string).
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case bool:
		*b = flexBool(x)
	case string:
		*b = flexBool(x == "true")
	}
	return nil
}

// audience reads "aud" as a string or a list.
type audience []string

func (a *audience) UnmarshalJSON(data []byte) error {
	var one string
	if json.Unmarshal(data, &one) == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return err
	}
	*a = many
	return nil
}
