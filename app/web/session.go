package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/gofiber/fiber/v2"
)

const (
	localSession = "session"
	csrfField    = "_csrf"
	csrfHeader   = "X-CSRF-Token"
)

func (s *Server) sessionCookieName() string {
	if s.Config.Secure() {
		return "__Host-session"
	}
	return "session"
}

func (s *Server) csrfCookieName() string {
	if s.Config.Secure() {
		return "__Host-csrf"
	}
	return "csrf"
}

// loadSession reads the session cookie and puts the live session, if any, in
// the request's locals. An unknown or expired cookie is cleared.
func (s *Server) loadSession(c *fiber.Ctx) error {
	token := c.Cookies(s.sessionCookieName())
	if token == "" {
		return c.Next()
	}
	sess, err := s.Sessions.Get(c.UserContext(), token)
	switch {
	case errors.Is(err, account.ErrNotFound), errors.Is(err, account.ErrSessionExpired):
		s.clearCookie(c, s.sessionCookieName())
	case err != nil:
		return err
	default:
		c.Locals(localSession, &sess)
	}
	return c.Next()
}

// session returns the request's session, or nil.
func session(c *fiber.Ctx) *account.Session {
	sess, _ := c.Locals(localSession).(*account.Session)
	return sess
}

// viewer returns the signed-in person, or nil.
func viewer(c *fiber.Ctx) *account.Viewer {
	if sess := session(c); sess != nil {
		return sess.Viewer
	}
	return nil
}

// startSession opens a new session for userID (a new id: no fixation) and
// sets its cookie. The previous session of the request, if any, is ended.
func (s *Server) startSession(c *fiber.Ctx, userID *int64, data map[string]string) (*account.Session, error) {
	if old := session(c); old != nil {
		if err := s.Sessions.Delete(c.UserContext(), old.Token); err != nil {
			return nil, err
		}
	}
	sess, err := s.Sessions.Create(c.UserContext(), userID, data)
	if err != nil {
		return nil, err
	}
	c.Cookie(&fiber.Cookie{
		Name: s.sessionCookieName(), Value: sess.Token, Path: "/",
		Expires:  sess.ExpiresAt,
		HTTPOnly: true, Secure: s.Config.Secure(), SameSite: fiber.CookieSameSiteLaxMode,
	})
	c.Locals(localSession, &sess)
	return &sess, nil
}

// endSession deletes the request's session server-side and clears its cookie.
func (s *Server) endSession(c *fiber.Ctx) error {
	if sess := session(c); sess != nil {
		if err := s.Sessions.Delete(c.UserContext(), sess.Token); err != nil {
			return err
		}
	}
	c.Locals(localSession, nil)
	s.clearCookie(c, s.sessionCookieName())
	return nil
}

func (s *Server) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{
		Name: name, Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		HTTPOnly: true, Secure: s.Config.Secure(), SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// csrfToken returns the token that forms of this request must send back. It is
// an HMAC, under the session secret, of a random per-browser cookie and of the
// session: it changes at sign-in and sign-out, and cannot be forged without
// both the cookie and the secret.
func (s *Server) csrfToken(c *fiber.Ctx) string {
	seed := c.Cookies(s.csrfCookieName())
	if seed == "" || len(seed) > 64 {
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		seed = base64.RawURLEncoding.EncodeToString(b)
		c.Cookie(&fiber.Cookie{
			Name: s.csrfCookieName(), Value: seed, Path: "/",
			HTTPOnly: true, Secure: s.Config.Secure(), SameSite: fiber.CookieSameSiteLaxMode,
		})
		c.Request().Header.SetCookie(s.csrfCookieName(), seed) // same request renders more forms
	}
	sessionToken := ""
	if sess := session(c); sess != nil {
		sessionToken = sess.Token
	}
	mac := hmac.New(sha256.New, []byte(s.Config.SessionSecret))
	mac.Write([]byte("csrf\x00" + seed + "\x00" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// errCSRF is the answer to a state-changing request without a valid token.
var errCSRF = &UserError{Status: http.StatusForbidden,
	Message: "Ce formulaire a expiré ou ne vient pas de ce site. Rechargez la page et réessayez."}

// checkCSRF refuses every state-changing request (anything but GET, HEAD and
// OPTIONS) that comes from another origin or lacks the token of this browser.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && origin != "null" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != s.Config.BaseURL.Host || u.Scheme != s.Config.BaseURL.Scheme {
			return errCSRF
		}
	}
	if c.Cookies(s.csrfCookieName()) == "" {
		return errCSRF
	}
	sent := c.Get(csrfHeader)
	if sent == "" {
		sent = c.FormValue(csrfField)
	}
	if sent == "" || !hmac.Equal([]byte(sent), []byte(s.csrfToken(c))) {
		return errCSRF
	}
	return c.Next()
}

// requireViewer returns the signed-in person; people who are not signed in
// are sent to the sign-in page, which brings them back (toSignIn).
func (s *Server) requireViewer(c *fiber.Ctx) (*account.Viewer, error) {
	v := viewer(c)
	if v == nil {
		return nil, s.toSignIn(c)
	}
	return v, nil
}
