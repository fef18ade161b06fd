package web

import (
	"net/http"

	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/gofiber/fiber/v2"
)

const tplSiteMap = "site/sitemap"

type siteMapPage struct {
	Page
	Hubs []hub.Hub
}

// siteMap lists every public page and the pages of the visitor's account: the
// second way to find one's way besides the menu (RGAA 12.1).
func (s *Server) siteMap(c *fiber.Ctx) error {
	p, err := s.page(c, "Plan du site")
	if err != nil {
		return err
	}
	hubs, err := s.Hubs.List(c.UserContext())
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplSiteMap, siteMapPage{Page: p, Hubs: hubs})
}
