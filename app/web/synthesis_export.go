package web

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/cnr-numerique/concertation/app/query"
	"github.com/cnr-numerique/concertation/app/synthesis"
	"github.com/gofiber/fiber/v2"
)

// synthesisExport streams one export of the current view, after recording it
// in the audit log.
func (s *Server) synthesisExport(c *fiber.Ctx, v *account.Viewer) error {
	name := c.Params("file")
	file, ok := exportFiles[name]
	if !ok {
		return fiber.ErrNotFound
	}
	refs, f, err := s.synthesisView(c, false)
	if err != nil {
		return err
	}
	if err := s.audit(c.UserContext(), v, moderation.AuditExport, name, refs, f); err != nil {
		return err
	}
	return s.writeExport(c, "synthese", name, file, refs, f)
}

const reportTitle = synthesis.ReportTitle

type synthesisReportPage struct {
	Page
	Report        synthesis.Report
	ReactionTypes [4]string
	PDF, ODT      string
	Back          string
	Query         string // the view, for the form that prepares the report in the background
}

// synthesisReport builds the report of the current view as a printable page,
// a PDF or an ODT document, and records it in the audit log.
// reportInlineLimit is the largest view whose report is computed in the
// request (about 6 s at 200,000 contributions on two cores); beyond, the
// report is prepared in the background (a variable for the tests).
var reportInlineLimit = 200_000

const tplSynthesisReportLarge = "synthesis/report_large"

type reportLargePage struct {
	Page
	Total, Limit int
	Query, Back  string
}

func (s *Server) synthesisReport(format string) func(c *fiber.Ctx, v *account.Viewer) error {
	return func(c *fiber.Ctx, v *account.Viewer) error {
		refs, f, err := s.synthesisView(c, false)
		if err != nil {
			return err
		}
		ctx := c.UserContext()
		// A view too large to compute while the rapporteur waits (about
		// 33 s at 1,000,000) is offered to the background instead.
		if page, err := s.Query.IDs(ctx, f, query.PageRequest{PerPage: 1}); err != nil {
			return err
		} else if page.Total > reportInlineLimit {
			p, err := s.page(c, "Rapport de synthèse")
			if err != nil {
				return err
			}
			q := f.QueryString()
			return s.render.Render(c, http.StatusOK, tplSynthesisReportLarge, reportLargePage{Page: p, Total: page.Total,
				Limit: reportInlineLimit, Query: q, Back: withQuery("/synthese", q)})
		}
		r, err := s.Synthesis.Report(ctx, refs, f)
		if err != nil {
			return err
		}
		if err := s.audit(ctx, v, moderation.AuditReport, "rapport."+format, refs, f); err != nil {
			return err
		}
		var buf bytes.Buffer
		switch format {
		case "pdf":
			if err := synthesis.WritePDF(&buf, r, reportTitle); err != nil {
				return err
			}
			c.Set(fiber.HeaderContentType, "application/pdf")
		case "odt":
			if err := synthesis.WriteODT(&buf, r, reportTitle); err != nil {
				return err
			}
			c.Set(fiber.HeaderContentType, "application/vnd.oasis.opendocument.text")
		default:
			p, err := s.page(c, "Rapport de synthèse")
			if err != nil {
				return err
			}
			q := f.QueryString()
			return s.render.Render(c, http.StatusOK, tplSynthesisReport, synthesisReportPage{Page: p, Report: r, ReactionTypes: synthesis.ReactionTypes,
				PDF: withQuery("/synthese/rapport.pdf", q), ODT: withQuery("/synthese/rapport.odt", q), Back: withQuery("/synthese", q), Query: q})
		}
		name := exportName("rapport-synthese", f.FileSlug(refs), s.Now().In(paris).Format("2006-01-02"), "") // ends with "-"
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+strings.TrimSuffix(name, "-")+`.`+format+`"`)
		return c.Send(buf.Bytes())
	}
}
