package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
)

// The OpenID Connect dance keeps its state in its own short-lived cookie,
// separate from the app session: encrypted and authenticated (AES-GCM, key
// derived from the session secret), bound to one provider, valid 10 minutes
// and cleared at the callback, whatever its outcome.
const danceTTL = 10 * time.Minute

type dance struct {
	Provider string    `json:"p"`
	State    string    `json:"s"`
	Session  string    `json:"g"` // the goth session (nonce, PKCE verifier)
	Return   string    `json:"r"`
	Expires  time.Time `json:"e"`
}

func (s *Server) danceCookieName() string {
	if s.Config.Secure() {
		return "__Host-oidc"
	}
	return "oidc"
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

func (s *Server) setDance(c *fiber.Ctx, d dance) error {
	plain, err := json.Marshal(d)
	if err != nil {
		return err
	}
	aead := s.danceAEAD()
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	sealed := aead.Seal(nonce, nonce, plain, []byte(s.danceCookieName()))
	c.Cookie(&fiber.Cookie{
		Name: s.danceCookieName(), Value: base64.RawURLEncoding.EncodeToString(sealed), Path: "/",
		Expires: d.Expires, MaxAge: int(danceTTL.Seconds()),
		HTTPOnly: true, Secure: s.Config.Secure(), SameSite: fiber.CookieSameSiteLaxMode,
	})
	return nil
}

var errNoDance = errors.New("no valid sign-in cookie")

// takeDance reads and clears the dance cookie.
func (s *Server) takeDance(c *fiber.Ctx) (dance, error) {
	raw := c.Cookies(s.danceCookieName())
	s.clearCookie(c, s.danceCookieName())
	var d dance
	sealed, err := base64.RawURLEncoding.DecodeString(raw)
	aead := s.danceAEAD()
	if err != nil || len(sealed) < aead.NonceSize() {
		return d, errNoDance
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(s.danceCookieName()))
	if err != nil || json.Unmarshal(plain, &d) != nil || !s.Now().Before(d.Expires) {
		return d, errNoDance
	}
	return d, nil
}

func randomState() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
