package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/cnr-numerique/concertation/app/config"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/gofiber/fiber/v2"
)

// healthz is the liveness probe of an outside supervisor: it answers 200
// while the process serves requests and the database has not been
// unreachable for longer than HEALTHZ_DATABASE_GRACE, 503 after that, so that
// the supervisor restarts an app that cannot heal (the embedded PostgreSQL is
// restarted by the app itself within seconds, an external pool reconnects by
// itself).
func (s *Server) healthz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	_ = s.DB.Ping(ctx)
	if down, err := s.DB.Unreachable(); down > s.healthGrace() {
		s.Log.Error("liveness: database unreachable beyond the grace period", "down_for", down.Round(time.Second), "err", err)
		return c.Status(http.StatusServiceUnavailable).SendString(fmt.Sprintf("base de données injoignable depuis %d s", int(down.Seconds())))
	}
	return c.SendString("ok")
}

func (s *Server) healthGrace() time.Duration {
	if s.Config.HealthzDatabaseGrace > 0 {
		return s.Config.HealthzDatabaseGrace
	}
	return config.DefaultHealthzDatabaseGrace
}

// readyz answers 200 when the database is reachable, 503 otherwise. With a
// read replica, a second line gives its state and lag; a replica that is down
// or late does not make the instance unready (reads then use the primary).
func (s *Server) readyz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if err := s.DB.Ping(c.UserContext()); err != nil {
		s.Log.Warn("readiness: database unreachable", "err", err)
		return c.Status(http.StatusServiceUnavailable).SendString("base de données injoignable")
	}
	// The instance stays ready when the replica or Meilisearch fails (reads
	// go to the primary, searches to PostgreSQL); the body says so.
	body := "ok"
	if s.DB.HasReplica() {
		st := s.DB.CheckReplica(c.UserContext())
		if st.Err != nil {
			s.Log.Warn("readiness: read replica not in use", "err", st.Err)
		}
		body += "\n" + replicaLine(st)
	}
	if s.SearchMonitor != nil {
		body += "\n" + searchReadiness(s.SearchMonitor.Status())
	}
	return c.SendString(body)
}

// replicaLine describes the read replica for /readyz.
func replicaLine(st db.ReplicaStatus) string {
	switch {
	case !st.Reachable:
		return "réplique : injoignable, lectures sur la base principale"
	case !st.InRecovery:
		return "réplique : n'est pas une réplique en attente (pg_is_in_recovery faux), lectures sur la base principale"
	case !st.Usable:
		return fmt.Sprintf("réplique : en retard de %.1f s (%d octets), lectures sur la base principale", st.Lag.Seconds(), st.LagBytes)
	}
	return fmt.Sprintf("réplique : en service, retard %.1f s (%d octets)", st.Lag.Seconds(), st.LagBytes)
}
