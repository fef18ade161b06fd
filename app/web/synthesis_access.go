package web

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/cnr-numerique/concertation/app/synthesis"
	"github.com/gofiber/fiber/v2"
)

var errRapporteurOnly = &UserError{Status: http.StatusForbidden,
	Message: "Cet espace est réservé aux rapporteurs de la concertation. Votre compte n'y a pas accès."}

// rapporteurOnly guards every route of the workspace, its exports and its
// report: only rapporteurs and administrators pass, people not signed in are
// sent to the sign-in page (as for moderation), every answer (refusals
// included) is marked no-store.
func (s *Server) rapporteurOnly(h func(c *fiber.Ctx, v *account.Viewer) error) fiber.Handler {
	return noStore(func(c *fiber.Ctx) error {
		v, err := s.requireRole(c, (*account.Viewer).IsRapporteur, errRapporteurOnly)
		if v == nil {
			return err
		}
		return h(c, v)
	})
}

// requestQuery returns every value of the URL's query string.
func requestQuery(c *fiber.Ctx) url.Values {
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	return q
}

// synthesisView reads the view of the request: the reference lists and the
// filters, parsed by the one function that the lists, exports and report share.
func (s *Server) synthesisView(c *fiber.Ctx, public bool) (synthesis.Refs, synthesis.Filter, error) {
	load := s.Synthesis.LoadRefs // rapporteurs see their new tags at once
	if public {
		load = s.Query.Refs
	}
	refs, err := load(c.UserContext())
	if err != nil {
		return refs, synthesis.Filter{}, err
	}
	return refs, synthesis.ParseFilter(requestQuery(c), refs, public), nil
}

// audit records an export or a report: who, which view, which file.
func (s *Server) audit(ctx context.Context, v *account.Viewer, action, target string, refs synthesis.Refs, f synthesis.Filter) error {
	var actor *int64
	if v != nil {
		id := v.ID
		actor = &id
	}
	return moderation.NewAudit(s.DB).Record(ctx, actor, action, target, map[string]any{
		"filtres":     f.QueryString(),
		"description": f.Describe(refs),
		"public":      f.Public,
	})
}

// stream sends a file written by write as it is produced, so that a large
// export never sits in memory. write runs after the handler returns: it must
// not touch c.
func (s *Server) stream(c *fiber.Ctx, contentType, filename string, write func(ctx context.Context, w *bufio.Writer) error) error {
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	log := s.Log
	c.Context().SetBodyStreamWriter(func(conn *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		// fasthttp's writer holds 4 KB: a 1,000,000-row export made 200,000
		// writes to the socket through it. 256 KB makes them few.
		w := bufio.NewWriterSize(conn, 256<<10)
		if err := write(ctx, w); err != nil {
			log.Error("export stream", "file", filename, "err", err)
		}
		err := w.Flush()
		if err == nil {
			err = conn.Flush()
		}
		if err != nil {
			log.Warn("export stream: client gone", "file", filename, "err", err)
		}
	})
	return nil
}

// exportFile is a file that the exports serve.
type exportFile struct {
	table  string // contributions, soutiens, reactions, arguments; "" for a zip bundle
	format synthesis.Format
}

// exportFiles maps the file names of the export URLs to what they hold.
var exportFiles = func() map[string]exportFile {
	m := map[string]exportFile{
		"contributions.xlsx": {"contributions", synthesis.FormatXLSX},
		"contributions.ods":  {"contributions", synthesis.FormatODS},
		"export-csv.zip":     {"", synthesis.FormatCSV},
		"export-excel.zip":   {"", synthesis.FormatExcelCSV},
		"export-json.zip":    {"", synthesis.FormatJSONL},
	}
	for _, t := range synthesis.Tables {
		m[t+".csv"] = exportFile{t, synthesis.FormatCSV}
		m[t+"-excel.csv"] = exportFile{t, synthesis.FormatExcelCSV}
		m[t+".jsonl"] = exportFile{t, synthesis.FormatJSONL}
	}
	return m
}()

// writeExport streams file of the view.
func (s *Server) writeExport(c *fiber.Ctx, prefix, name string, file exportFile, refs synthesis.Refs, f synthesis.Filter) error {
	filename := exportName(prefix, f.FileSlug(refs), s.Now().In(paris).Format("2006-01-02"), name)
	contentType, write := s.exportWriter(file, refs, f)
	return s.stream(c, contentType, filename, write)
}

// exportWriter returns the media type of file and the function that writes
// it.
func (s *Server) exportWriter(file exportFile, refs synthesis.Refs, f synthesis.Filter) (string, func(ctx context.Context, w *bufio.Writer) error) {
	store := s.Synthesis
	if file.table == "" {
		return "application/zip", func(ctx context.Context, w *bufio.Writer) error {
			return store.WriteBundle(ctx, w, refs, f, file.format)
		}
	}
	return file.format.ContentType(), func(ctx context.Context, w *bufio.Writer) error {
		return store.WriteTable(ctx, w, refs, f, file.table, file.format)
	}
}

// exportName is the name of a downloaded file: what, the filters of the
// view, the day and the file, e.g. synthese-axe3-elu-2026-11-29-contributions.csv.
func exportName(prefix, slug, day, name string) string {
	parts := []string{prefix}
	if slug != "" {
		parts = append(parts, slug)
	}
	return strings.Join(append(parts, day, name), "-")
}

func formatNumber(n int) string { return synthesis.FormatInt(n) }

func formatScore(f float64) string { return synthesis.FormatScore(f) }

// countsTable is a table of figures with its caption, for the report page.
type countsTable struct {
	Caption, Column string
	Counts          []synthesis.Count
}

func newCountsTable(caption, column string, counts []synthesis.Count) countsTable {
	return countsTable{Caption: caption, Column: column, Counts: counts}
}
