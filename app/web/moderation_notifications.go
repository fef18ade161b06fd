package web

import (
	"net/http"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/gofiber/fiber/v2"
)

type notificationsPage struct {
	Page
	Notifications []moderation.Notification
}

// myNotifications lists the moderation notifications of the signed-in
// person, newest first, and marks them read.
func (s *Server) myNotifications(c *fiber.Ctx) error {
	v, err := s.requireRole(c, func(*account.Viewer) bool { return true }, nil)
	if v == nil {
		return err
	}
	p, err := s.page(c, "Mes notifications")
	if err != nil {
		return err
	}
	list, err := s.Moderation.Notifications(c.UserContext(), v.ID, 100)
	if err != nil {
		return err
	}
	if err := s.Moderation.MarkNotificationsRead(c.UserContext(), v.ID); err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplModerationNotifList, notificationsPage{Page: p, Notifications: list})
}
