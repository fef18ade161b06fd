package web

import (
	"strconv"
	"strings"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/query"
	"github.com/gofiber/fiber/v2"
)

// Rate-limited actions of the concertation. Each has two rules in
// ratelimit.DefaultRules (overridable by RATE_LIMITS): "<action>:account"
// counted per signed-in account and "<action>:ip" per address.
const (
	limitContribute = "contribute" // creating or editing a contribution
	limitSupport    = "support"    // supporting or removing a support
	limitArgue      = "argue"      // an argument or a reply
	limitReport     = "report"     // reporting a contribution or an argument
	limitSearch     = "search"     // a list with a searched text (q)
)

// limitAction counts one attempt of action by viewer v (nil: anonymous) from
// the request's address, and answers the French 429 page when either the
// account's or the address's limit is reached.
func (s *Server) limitAction(c *fiber.Ctx, action string, v *account.Viewer) error {
	if v != nil {
		if err := s.limit(c, action+":account", strconv.FormatInt(v.ID, 10)); err != nil {
			return err
		}
	}
	return s.limit(c, action+":ip", c.IP())
}

// limitSearchQuery limits the lists that search a text: only requests with a
// non-empty q count, plain browsing of the lists does not.
func (s *Server) limitSearchQuery(c *fiber.Ctx, v *account.Viewer) error {
	if strings.TrimSpace(c.Query(query.ParamText)) == "" {
		return nil
	}
	return s.limitAction(c, limitSearch, v)
}
