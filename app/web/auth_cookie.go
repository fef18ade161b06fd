package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Each OpenID Connect sign-in attempt keeps its state in its own short-lived
// cookie, separate from the app session, named after a hash of the attempt's
// state: two sign-ins started in two tabs each find theirs at the callback.
// The cookie is encrypted and authenticated (AES-GCM, key derived from the
// session secret, its name as additional data), bound to one provider and
// one state, valid 10 minutes and cleared at the callback, whatever its
// outcome. It is sent only to dancePath (not with every page, whose request
// headers must stay small), and a browser keeps at most maxDances of them.
const (
	danceTTL  = 10 * time.Minute
	maxDances = 4
	dancePath = "/connexion/oidc/"
)

type dance struct {
	Provider string    `json:"p"`
	State    string    `json:"s"`
	Session  string    `json:"g"` // the goth session (nonce, PKCE verifier)
	Return   string    `json:"r"`
	Expires  time.Time `json:"e"`
}

// dancePrefix starts the name of every dance cookie. Over https it is
// "__Secure-" (not "__Host-", which requires the path "/").
func (s *Server) dancePrefix() string {
	if s.Config.Secure() {
		return "__Secure-oidc-"
	}
	return "oidc-"
}

// danceCookieName is the name of the cookie of the attempt with state.
func (s *Server) danceCookieName(state string) string {
	h := sha256.Sum256([]byte("oidc-state\x00" + state))
	return s.dancePrefix() + hex.EncodeToString(h[:8])
}

func (s *Server) danceAEAD() cipher.AEAD {
	key := sha256.Sum256([]byte("oidc-dance\x00" + s.Config.SessionSecret))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

// setDance keeps d in its cookie, and clears the browser's oldest dance
// cookies beyond maxDances (and any unreadable or expired one).
func (s *Server) setDance(c *fiber.Ctx, d dance) error {
	s.pruneDances(c)
	plain, err := json.Marshal(d)
	if err != nil {
		return err
	}
	aead := s.danceAEAD()
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	name := s.danceCookieName(d.State)
	sealed := aead.Seal(nonce, nonce, plain, []byte(name))
	c.Cookie(&fiber.Cookie{
		Name: name, Value: base64.RawURLEncoding.EncodeToString(sealed), Path: dancePath,
		Expires: d.Expires, MaxAge: int(danceTTL.Seconds()),
		HTTPOnly: true, Secure: s.Config.Secure(), SameSite: fiber.CookieSameSiteLaxMode,
	})
	return nil
}

var errNoDance = errors.New("no valid sign-in cookie")

// openDance reads the dance cookie called name.
func (s *Server) openDance(name, raw string) (dance, error) {
	var d dance
	sealed, err := base64.RawURLEncoding.DecodeString(raw)
	aead := s.danceAEAD()
	if err != nil || len(sealed) < aead.NonceSize() {
		return d, errNoDance
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(name))
	if err != nil || json.Unmarshal(plain, &d) != nil || !s.Now().Before(d.Expires) {
		return d, errNoDance
	}
	return d, nil
}

// takeDance reads and clears the dance cookie of the attempt with state.
func (s *Server) takeDance(c *fiber.Ctx, state string) (dance, error) {
	if state == "" {
		return dance{}, errNoDance
	}
	name := s.danceCookieName(state)
	raw := c.Cookies(name)
	s.clearDance(c, name)
	if raw == "" {
		return dance{}, errNoDance
	}
	return s.openDance(name, raw)
}

// pruneDances clears the dance cookies of the request that cannot be read
// or have expired, and the oldest ones beyond maxDances-1 (room for one more).
func (s *Server) pruneDances(c *fiber.Ctx) {
	type live struct {
		name    string
		expires time.Time
	}
	var kept []live
	c.Request().Header.VisitAllCookie(func(k, v []byte) {
		name := string(k)
		if !strings.HasPrefix(name, s.dancePrefix()) {
			return
		}
		d, err := s.openDance(name, string(v))
		if err != nil {
			s.clearDance(c, name)
			return
		}
		kept = append(kept, live{name, d.Expires})
	})
	slices.SortFunc(kept, func(a, b live) int { return b.expires.Compare(a.expires) })
	for i := maxDances - 1; i < len(kept); i++ {
		s.clearDance(c, kept[i].name)
	}
}

// clearDance deletes the dance cookie called name.
func (s *Server) clearDance(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{
		Name: name, Value: "", Path: dancePath, Expires: time.Unix(0, 0), MaxAge: -1,
		HTTPOnly: true, Secure: s.Config.Secure(), SameSite: fiber.CookieSameSiteLaxMode,
	})
}

func randomState() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
