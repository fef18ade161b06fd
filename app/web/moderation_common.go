package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/gofiber/fiber/v2"
)

// Moderation pages.
const (
	tplReportForm          = "moderation/report"
	tplReportDone          = "moderation/reported"
	tplModerationQueue     = "moderation/queue"
	tplModerationJournal   = "moderation/journal"
	tplModerationNotifList = "moderation/notifications"
	tplAuditJournal        = "audit/journal"
)

var (
	errModeratorsOnly = &UserError{Status: http.StatusForbidden,
		Message: "Cette page est réservée à l'équipe de modération."}
	errAdminsOnly = &UserError{Status: http.StatusForbidden,
		Message: "Cette page est réservée aux administrateurs et administratrices."}
	errItemNotFound = &UserError{Status: http.StatusNotFound,
		Message: "Ce contenu n'existe pas ou a été supprimé."}
)

// requireRole returns the signed-in viewer when allowed(viewer), else nil
// and the answer: people who are not signed in are sent to the sign-in page
// (toSignIn), others get denied (403). Use it as
//
//	v, err := s.requireRole(c, (*account.Viewer).IsModerator, errModeratorsOnly)
//	if v == nil {
//		return err
//	}
func (s *Server) requireRole(c *fiber.Ctx, allowed func(*account.Viewer) bool, denied error) (*account.Viewer, error) {
	v := viewer(c)
	switch {
	case v == nil:
		return nil, s.toSignIn(c)
	case !allowed(v):
		return nil, denied
	}
	return v, nil
}

// requireModerator is requireRole for moderators and administrators.
func (s *Server) requireModerator(c *fiber.Ctx) (*account.Viewer, error) {
	return s.requireRole(c, (*account.Viewer).IsModerator, errModeratorsOnly)
}

// itemID parses the :id of the path; anything else is a 404.
func itemID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errItemNotFound
	}
	return id, nil
}

// pageNumber reads ?page=; a missing, wrong or absurd value gives page 1.
func pageNumber(c *fiber.Ctx) int {
	n, err := strconv.Atoi(c.Query("page"))
	if err != nil || n < 1 || n > 100000 {
		return 1
	}
	return n
}

// pager is the "previous / next" navigation of a paginated page.
type pager struct {
	Page, Pages int
	Prev, Next  string // empty when there is none
}

// newPager builds the navigation of page for total rows, size per page, with
// links made by href(page).
func newPager(page, total, size int, href func(int) string) pager {
	pages := (total + size - 1) / size
	if pages < 1 {
		pages = 1
	}
	p := pager{Page: page, Pages: pages}
	if page > 1 {
		p.Prev = href(min(page-1, pages))
	}
	if page < pages {
		p.Next = href(page + 1)
	}
	return p
}

// moderationError translates the domain's errors into French answers; a
// form error is returned as is for the caller to show beside the form.
func moderationError(err error) error {
	switch {
	case errors.Is(err, moderation.ErrNotFound):
		return errItemNotFound
	case errors.Is(err, moderation.ErrOwn):
		return &UserError{Status: http.StatusForbidden, Message: "Vous ne pouvez pas signaler ce que vous avez vous-même écrit."}
	case errors.Is(err, moderation.ErrNotVisible):
		return &UserError{Status: http.StatusConflict, Message: "Ce contenu est déjà masqué ou a été retiré : il n'est plus nécessaire de le signaler."}
	case errors.Is(err, moderation.ErrNotHidden):
		return &UserError{Status: http.StatusConflict, Message: "Ce contenu n'est pas masqué : il n'y a rien à rétablir."}
	case errors.Is(err, moderation.ErrWithdrawn):
		return &UserError{Status: http.StatusConflict, Message: "Ce contenu a été retiré par son auteur ou son autrice : il n'est plus visible."}
	case errors.Is(err, moderation.ErrProtected):
		return &UserError{Status: http.StatusForbidden, Message: "Ce compte fait partie de l'équipe de modération ou d'administration : retirez-lui d'abord ce rôle."}
	}
	return err
}

// kindPath returns the path segment of an item kind.
func kindPath(kind string) string {
	if kind == moderation.KindArgument {
		return "arguments"
	}
	return "contributions"
}

// itemURL returns the public address of an item: its contribution, with the
// argument's anchor for an argument.
func itemURL(kind string, id, contributionID int64) string {
	if kind == moderation.KindArgument {
		return "/contributions/" + strconv.FormatInt(contributionID, 10) + "#arg-" + strconv.FormatInt(id, 10)
	}
	return "/contributions/" + strconv.FormatInt(id, 10)
}

// reasonOption is one choice of a reason or motif list.
type reasonOption struct {
	Value, Label string
	Checked      bool
}

func reasonOptions(selected string) []reasonOption {
	out := make([]reasonOption, len(moderation.Reasons))
	for i, r := range moderation.Reasons {
		out[i] = reasonOption{Value: r, Label: moderation.ReasonLabel(r), Checked: r == selected}
	}
	return out
}
