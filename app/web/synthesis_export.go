package web

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/moderation"
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
func (s *Server) synthesisReport(format string) func(c *fiber.Ctx, v *account.Viewer) error {
	return func(c *fiber.Ctx, v *account.Viewer) error {
		refs, f, err := s.synthesisView(c, false)
		if err != nil {
			return err
		}
		ctx := c.UserContext()
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
