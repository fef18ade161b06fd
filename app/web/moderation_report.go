package web

import (
	"errors"
	"net/http"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/gofiber/fiber/v2"
)

// reportPage is the report form of a contribution or an argument, and the
// page that thanks for a report.
type reportPage struct {
	Page
	Item       moderation.Item
	What       string // "cette contribution", "cet argument"
	Action     string // the form's address
	Back       string // the item's public address
	Reasons    []reasonOption
	Details    string
	MaxDetails int
	Error      string
	Already    bool // the viewer had already reported the item
	Hidden     bool // this report hid the item
}

// reporter returns the viewer who may report: signed in and not blocked.
// On a page, people who are not signed in are sent to sign in (nil, nil).
func (s *Server) reporter(c *fiber.Ctx) (*account.Viewer, error) {
	v, err := s.requireRole(c, func(*account.Viewer) bool { return true }, nil)
	if v == nil {
		return nil, err
	}
	if v.Blocked(s.Now()) {
		return nil, &UserError{Status: http.StatusForbidden, Message: "Votre compte est suspendu jusqu'au " +
			frenchDateTime(*v.BlockedUntil) + " : vous ne pouvez pas signaler de contenu pendant cette période."}
	}
	return v, nil
}

// reportItem loads the item of the path and the page around it.
func (s *Server) reportItem(c *fiber.Ctx, kind string) (reportPage, error) {
	id, err := itemID(c)
	if err != nil {
		return reportPage{}, err
	}
	it, err := s.Moderation.Item(c.UserContext(), kind, id)
	if err != nil {
		return reportPage{}, moderationError(err)
	}
	what := "cette contribution"
	if kind == moderation.KindArgument {
		what = "cet argument"
	}
	p, err := s.page(c, "Signaler "+what)
	if err != nil {
		return reportPage{}, err
	}
	return reportPage{
		Page: p, Item: it, What: what, MaxDetails: moderation.MaxDetails,
		Action: "/" + kindPath(kind) + "/" + c.Params("id") + "/signaler",
		Back:   itemURL(kind, it.ID, it.ContributionID),
	}, nil
}

// reportForm shows the form to report the item kind/:id.
func (s *Server) reportForm(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := s.reporter(c)
		if v == nil {
			return err
		}
		data, err := s.reportItem(c, kind)
		if err != nil {
			return err
		}
		switch {
		case data.Item.AuthorID != nil && *data.Item.AuthorID == v.ID:
			return moderationError(moderation.ErrOwn)
		case data.Item.Status != "published":
			return moderationError(moderation.ErrNotVisible)
		}
		already, err := s.Moderation.Reported(c.UserContext(), kind, data.Item.ID, v.ID)
		if err != nil {
			return err
		}
		if already {
			data.Already = true
			return s.render.Render(c, http.StatusOK, tplReportDone, data)
		}
		data.Reasons = reasonOptions("")
		return s.render.Render(c, http.StatusOK, tplReportForm, data)
	}
}

// report records the report of the item kind/:id.
func (s *Server) report(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := s.reporter(c)
		if v == nil {
			return err
		}
		data, err := s.reportItem(c, kind)
		if err != nil {
			return err
		}
		if err := s.limitAction(c, limitReport, v); err != nil {
			return err
		}
		in := moderation.ReportInput{Reason: c.FormValue("raison"), Details: c.FormValue("explication")}
		res, err := s.Moderation.Report(c.UserContext(), kind, data.Item.ID, v.ID, in)
		if ve, ok := moderation.IsValidation(err); ok {
			data.Error, data.Reasons, data.Details = ve.Message, reasonOptions(in.Reason), in.Details
			return s.render.Render(c, http.StatusUnprocessableEntity, tplReportForm, data)
		}
		if errors.Is(err, moderation.ErrAlreadyReported) {
			data.Already = true
			return s.render.Render(c, http.StatusOK, tplReportDone, data)
		}
		if err != nil {
			return moderationError(err)
		}
		data.Hidden = res.Hidden
		data.Title = "Signalement enregistré"
		return s.render.Render(c, http.StatusOK, tplReportDone, data)
	}
}
