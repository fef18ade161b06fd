package web

import (
	"crypto/subtle"
	"net/http"

	"github.com/cnr-numerique/concertation/app/metrics"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

var prometheusHandler = adaptor.HTTPHandler(metrics.Handler())

// metrics serves GET /metrics in the Prometheus text format: search engine
// latency, search outbox lag and pending rows, Go runtime. The figures are
// operational, not personal; with METRICS_TOKEN set (production), only a
// scraper sending "Authorization: Bearer <token>" gets them; with
// METRICS_TOKEN=off the address does not exist.
func (s *Server) metrics(c *fiber.Ctx) error {
	if s.Config.MetricsOff {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if token := s.Config.MetricsToken; token != "" {
		sent := []byte(c.Get(fiber.HeaderAuthorization))
		if subtle.ConstantTimeCompare(sent, []byte("Bearer "+token)) != 1 {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
			return c.Status(http.StatusUnauthorized).SendString("Accès réservé à la supervision.")
		}
	}
	return prometheusHandler(c)
}
