package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/cnr-numerique/concertation/app/synthesis"
	"github.com/gofiber/fiber/v2"
)

// Reports prepared in the background, for views too large to wait for.

const tplSynthesisReportFiles = "synthesis/reports"

type reportFilesPage struct {
	Page
	Files []synthesis.ReportFile
}

// synthesisReportPrepare queues the report of the view given in the form.
func (s *Server) synthesisReportPrepare(c *fiber.Ctx, v *account.Viewer) error {
	refs, err := s.Synthesis.LoadRefs(c.UserContext())
	if err != nil {
		return err
	}
	q, _ := url.ParseQuery(c.FormValue("filtres"))
	_, err = s.Synthesis.RequestReportFile(c.UserContext(), refs, synthesis.ParseFilter(q, refs, false), v.ID)
	if errors.Is(err, synthesis.ErrReportActive) {
		return &UserError{Status: http.StatusConflict, Message: err.Error()}
	}
	if err != nil {
		return err
	}
	return c.Redirect("/synthese/rapports?fait=1", http.StatusSeeOther)
}

// synthesisReportFiles lists the reports prepared in the background.
func (s *Server) synthesisReportFiles(c *fiber.Ctx, v *account.Viewer) error {
	refs, err := s.Synthesis.LoadRefs(c.UserContext())
	if err != nil {
		return err
	}
	files, err := s.Synthesis.ReportFiles(c.UserContext(), refs, 20)
	if err != nil {
		return err
	}
	p, err := s.page(c, "Rapports préparés")
	if err != nil {
		return err
	}
	if c.Query("fait") != "" {
		p.Flash = "Préparation demandée : le rapport est calculé en arrière-plan. Actualisez la page pour le télécharger une fois prêt."
	}
	return s.render.Render(c, http.StatusOK, tplSynthesisReportFiles, reportFilesPage{Page: p, Files: files})
}

// synthesisReportFile downloads a prepared report, after recording it in
// the audit log.
func (s *Server) synthesisReportFile(c *fiber.Ctx, v *account.Viewer) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return fiber.ErrNotFound
	}
	format := c.Params("format")
	b, slug, err := s.Synthesis.ReportFileContent(c.UserContext(), id, format)
	if errors.Is(err, synthesis.ErrNotFound) {
		return &UserError{Status: http.StatusNotFound, Message: "Ce rapport n'existe pas ou n'est pas encore prêt."}
	}
	if err != nil {
		return err
	}
	refs, err := s.Synthesis.LoadRefs(c.UserContext())
	if err != nil {
		return err
	}
	if err := s.audit(c.UserContext(), v, moderation.AuditReport, "rapports/"+strconv.FormatInt(id, 10)+"."+format, refs, synthesis.ParseFilter(nil, refs, false)); err != nil {
		return err
	}
	ct := map[string]string{"pdf": "application/pdf", "odt": "application/vnd.oasis.opendocument.text"}[format]
	c.Set(fiber.HeaderContentType, ct)
	name := strings.TrimSuffix(exportName("rapport-synthese", slug, "n"+strconv.FormatInt(id, 10), ""), "-")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.`+format+`"`)
	return c.Send(b)
}
