package web

import (
	"errors"
	"net/http"

	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/gofiber/fiber/v2"
)

var (
	errConsultationClosed = &UserError{Status: http.StatusForbidden,
		Message: "La consultation est close : il n'est plus possible de proposer, modifier, retirer, soutenir, réagir ou argumenter. Vous pouvez toujours lire les contributions."}
	errConsultationUpcoming = &UserError{Status: http.StatusForbidden,
		Message: "La consultation n'est pas encore ouverte : vous pourrez contribuer dès son ouverture."}
)

// open is the one guard of every write of the concertation (contribution,
// edit, withdrawal, support, reaction, argument): it lets next run only while
// the consultation is open, as PhaseAt says at this instant (between its dates,
// unless an administrator closed it early). routes.go wraps each write route
// in it.
func (s *Server) open(next fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		cons, err := s.Contributions.Consultation(c.UserContext())
		if errors.Is(err, consultation.ErrNotFound) {
			return errConsultationUpcoming
		}
		if err != nil {
			return err
		}
		switch cons.PhaseAt(s.Now()) {
		case consultation.PhaseOpen:
			return next(c)
		case consultation.PhaseUpcoming:
			return errConsultationUpcoming
		default:
			return errConsultationClosed
		}
	}
}
