package web

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
)

// The easy-to-read (FALC) version of the texts is chosen with a link on the
// pages that have one (?facile=1, back with ?facile=0); the choice is kept in
// a cookie, so the next pages stay easy to read. It works without JavaScript.
const (
	easyParam  = "facile"
	easyCookie = "facile"
)

// easyRead tells whether the person asked for the easy-to-read version, and
// records a change of choice in the cookie.
func (s *Server) easyRead(c *fiber.Ctx) bool {
	switch c.Query(easyParam) {
	case "1":
		c.Cookie(&fiber.Cookie{Name: easyCookie, Value: "1", Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
			HTTPOnly: true, Secure: s.Config.Secure(), SameSite: fiber.CookieSameSiteLaxMode})
		return true
	case "0":
		c.Cookie(&fiber.Cookie{Name: easyCookie, Value: "", Path: "/", MaxAge: -1,
			HTTPOnly: true, Secure: s.Config.Secure(), SameSite: fiber.CookieSameSiteLaxMode})
		return false
	}
	return c.Cookies(easyCookie) == "1"
}

// easySwitchURL is the address of the current page with the other choice.
func easySwitchURL(c *fiber.Ctx, easy bool) string {
	q := url.Values{}
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) {
		if string(k) != easyParam {
			q.Add(string(k), string(v))
		}
	})
	if easy {
		q.Set(easyParam, "0")
	} else {
		q.Set(easyParam, "1")
	}
	return c.Path() + "?" + q.Encode()
}

// withEasyRead fills the easy-to-read part of p: the choice, the switch's
// address and, when chosen, the easy page texts.
func (s *Server) withEasyRead(c *fiber.Ctx, p *Page) error {
	p.Easy = s.easyRead(c)
	p.EasySwitch = easySwitchURL(c, p.Easy)
	if !p.Easy || p.Consultation.ID == 0 {
		return nil
	}
	texts, err := s.Consultations.EasyTexts(c.UserContext(), p.Consultation.ID)
	if err != nil {
		return err
	}
	p.EasyTexts = texts
	return nil
}
