package web

import (
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/gofiber/fiber/v2"
)

const auditPageSize = 50

type auditOption struct {
	Value, Label string
	Selected     bool
}

type auditJournalPage struct {
	Page
	Rows    []moderation.AuditRow
	Total   int
	Action  string
	Actions []auditOption
	Pager   pager
}

// auditJournal is the audit log, for administrators: who did what, when, on
// what, optionally filtered by action.
func (s *Server) auditJournal(c *fiber.Ctx) error {
	v, err := s.requireRole(c, (*account.Viewer).IsAdmin, errAdminsOnly)
	if v == nil {
		return err
	}
	p, err := s.page(c, "Journal d'audit")
	if err != nil {
		return err
	}
	audit := moderation.NewAudit(s.DB)
	actions, err := audit.Actions(c.UserContext())
	if err != nil {
		return err
	}
	action := c.Query("action")
	if len(action) > 100 || !utf8.ValidString(action) {
		action = ""
	}
	data := auditJournalPage{Page: p, Action: action}
	for _, a := range actions {
		data.Actions = append(data.Actions, auditOption{Value: a, Label: moderation.AuditLabel(a), Selected: a == action})
	}
	page := pageNumber(c)
	rows, total, err := audit.Page(c.UserContext(), action, auditPageSize, (page-1)*auditPageSize)
	if err != nil {
		return err
	}
	data.Rows, data.Total = rows, total
	data.Pager = newPager(page, total, auditPageSize, func(n int) string {
		q := url.Values{"page": {strconv.Itoa(n)}}
		if action != "" {
			q.Set("action", action)
		}
		return "/admin/journal?" + q.Encode()
	})
	return s.render.Render(c, http.StatusOK, tplAuditJournal, data)
}
