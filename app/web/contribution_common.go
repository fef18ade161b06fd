package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/gofiber/fiber/v2"
)

// Contribution pages.
const (
	tplContributionList     = "contribution/list"
	tplContributionShow     = "contribution/show"
	tplContributionForm     = "contribution/form"
	tplContributionWithdraw = "contribution/withdraw"
	tplAuthorShow           = "author/show"
)

var (
	errBlocked = &UserError{Status: http.StatusForbidden,
		Message: "Votre compte est suspendu par la modération : vous ne pouvez pas écrire pour le moment."}
	errContributionNotFound = &UserError{Status: http.StatusNotFound, Message: "Cette contribution n'existe pas."}
	errNotEditable          = &UserError{Status: http.StatusForbidden,
		Message: "Seule la personne qui a écrit cette contribution peut la modifier ou la retirer. Pour une proposition de Hub : un membre du Hub."}
	errNotPublished = &UserError{Status: http.StatusConflict,
		Message: "Cette contribution a été retirée ou cachée. On ne peut plus la modifier, la soutenir ni la commenter."}
	errOwnSupport = &UserError{Status: http.StatusForbidden,
		Message: "Vous ne pouvez pas soutenir votre propre contribution (ni celle de votre Hub)."}
)

// actor returns the signed-in person as the contribution domain sees them.
func actor(v *account.Viewer) contribution.Actor {
	if v == nil {
		return contribution.Actor{}
	}
	return contribution.Actor{UserID: v.ID, Category: v.Category, DepartementID: v.DepartementID, HubIDs: v.HubIDs}
}

// requireContributor returns the viewer who may write: signed in, not
// blocked (French 403), with a complete profile: otherwise they are sent to
// /compte/completer, which brings them back here once done.
func (s *Server) requireContributor(c *fiber.Ctx) (*account.Viewer, error) {
	v, err := s.requireViewer(c)
	if err != nil {
		return nil, err
	}
	if v.Blocked(s.Now()) {
		return nil, errBlocked
	}
	if !v.ProfileComplete() {
		return nil, &redirectError{URL: "/compte/completer?retour=" + url.QueryEscape(contributorReturn(c))}
	}
	return v, nil
}

// contributorReturn is where to come back after completing the profile: the
// page asked for, or for a form the page it was sent from.
func contributorReturn(c *fiber.Ctx) string {
	if c.Method() == fiber.MethodGet {
		return safeReturn(c.OriginalURL(), "/")
	}
	fallback := "/contributions/nouvelle"
	if id, err := strconv.ParseInt(c.Params("id"), 10, 64); err == nil && id > 0 {
		fallback = "/contributions/" + strconv.FormatInt(id, 10)
	} else if r := c.FormValue("reagit_a"); r != "" {
		if id, err := strconv.ParseInt(r, 10, 64); err == nil && id > 0 {
			fallback += "?reagit_a=" + strconv.FormatInt(id, 10)
		}
	}
	return safeReturn(c.FormValue("retour"), fallback)
}

// redirectError answers by a redirection (303), or for htmx by HX-Redirect so
// that the whole page goes there rather than a fragment.
type redirectError struct{ URL string }

func (e *redirectError) Error() string { return "redirect to " + e.URL }

func (e *redirectError) send(c *fiber.Ctx) error {
	if isHTMX(c) {
		c.Set("HX-Redirect", e.URL)
		return c.SendStatus(http.StatusNoContent)
	}
	return c.Redirect(e.URL, http.StatusSeeOther)
}

// contributionID parses the :id of the path; anything else is a 404.
func contributionID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errContributionNotFound
	}
	return id, nil
}

// contributionError translates the domain's errors into French answers.
func contributionError(err error) error {
	switch {
	case errors.Is(err, contribution.ErrNotFound):
		return errContributionNotFound
	case errors.Is(err, contribution.ErrNotAllowed):
		return errNotEditable
	case errors.Is(err, contribution.ErrNotPublished):
		return errNotPublished
	case errors.Is(err, contribution.ErrOwn):
		return errOwnSupport
	}
	return err
}

// isHTMX reports whether htmx sent the request (it then wants a fragment).
func isHTMX(c *fiber.Ctx) bool { return c.Get("HX-Request") == "true" }

// renderFragment renders the template block of page tpl alone, for htmx.
func (s *Server) renderFragment(c *fiber.Ctx, status int, tpl, block string, data any) error {
	t, ok := s.render.pages[tpl]
	if !ok {
		return fmt.Errorf("render: no page %q", tpl)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, data); err != nil {
		return fmt.Errorf("render %s/%s: %w", tpl, block, err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Response().SetBody(buf.Bytes())
	return nil
}

// contributionPage builds the common page data like page, with the
// consultation cached for a second by the contribution store: the busiest
// pages (lists, contribution pages) then run no query for it. The closing
// guard (open) never uses this cache.
func (s *Server) contributionPage(c *fiber.Ctx, title string) (Page, error) {
	cons, err := s.Contributions.CachedConsultation(c.UserContext())
	if err != nil && !errors.Is(err, consultation.ErrNotFound) {
		return Page{}, err
	}
	return Page{
		Title: title, Path: c.Path(), Consultation: cons, Phase: cons.PhaseAt(s.Now()),
		User: viewer(c), CSRF: s.csrfToken(c),
	}, nil
}
