package web

import (
	"time"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/gofiber/fiber/v2"
)

// recentWriteTTL is how long the pages of a browser that has just written
// read from the primary: far longer than a healthy replica's lag.
const recentWriteTTL = 10 * time.Second

func (s *Server) recentWriteCookieName() string {
	if s.Config.Secure() {
		return "__Host-ecrit"
	}
	return "ecrit"
}

// readYourWrites keeps the pages of a person who has just acted exact when
// reads go to a replica (DATABASE_REPLICA_URL): after a POST answered below
// 400, it sets a short-lived cookie, and while the cookie is there the
// request's context is marked db.WithPrimary, so that db.Read uses the
// primary, and that the query service does not reuse kept answers
// (searches). The cookie carries no identifier.
func (s *Server) readYourWrites(c *fiber.Ctx) error {
	// With or without a replica: the person who has just written also
	// skips the answers that the query service keeps a while (searches).
	if c.Cookies(s.recentWriteCookieName()) != "" {
		c.SetUserContext(db.WithPrimary(c.UserContext()))
	}
	err := c.Next()
	if err == nil && c.Method() == fiber.MethodPost && c.Response().StatusCode() < 400 {
		c.Cookie(&fiber.Cookie{
			Name:     s.recentWriteCookieName(),
			Value:    "1",
			Path:     "/",
			MaxAge:   int(recentWriteTTL.Seconds()),
			Expires:  s.Now().Add(recentWriteTTL),
			Secure:   s.Config.Secure(),
			HTTPOnly: true,
			SameSite: fiber.CookieSameSiteLaxMode,
		})
	}
	return err
}
