package synthesis

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
)

// Reports of large views are prepared in the background (RequestReportFile,
// then RunNextReportJob from the same worker as the theme analyses): the
// request only queues the job, the worker writes the PDF and the ODT into
// synthesis_report_files, and the rapporteur downloads them from the list.

// ReportTitle is the title of the synthesis report.
const ReportTitle = "Rapport de synthèse – Concertation nationale sur l'inclusion numérique"

// ErrReportActive is returned while another report is being prepared.
var ErrReportActive = errorString("Un rapport est déjà en préparation : attendez qu'il soit prêt.")

type errorString string

func (e errorString) Error() string { return string(e) }

// ReportFile is one report prepared in the background.
type ReportFile struct {
	ID            int64
	Query         string
	Filters       []string
	Status        string // queued, running, done, failed
	RequestedBy   string
	RequestedAt   time.Time
	FinishedAt    time.Time
	Contributions int
	Hash          string
	Slug          string // the filter, for file names
	PDFSize       int
	ODTSize       int
	Error         string
}

// StatusText is the state of the preparation in French.
func (f ReportFile) StatusText() string {
	return ThemeRun{Status: f.Status}.StatusText()
}

// Ready reports whether the files can be downloaded.
func (f ReportFile) Ready() bool { return f.Status == RunDone }

// RequestReportFile queues the preparation of the report of view f.
func (s *Store) RequestReportFile(ctx context.Context, refs Refs, f Filter, by int64) (int64, error) {
	var id int64
	err := s.sql().QueryRowContext(ctx, `INSERT INTO synthesis_report_files (consultation_id, query, file_slug, requested_by)
		VALUES ($1, $2, $3, $4) RETURNING id`, refs.ConsultationID, f.QueryString(), f.FileSlug(refs), by).Scan(&id)
	if isUnique(err) {
		return 0, ErrReportActive
	}
	if err != nil {
		return 0, fmt.Errorf("request report: %w", err)
	}
	return id, nil
}

// ReportFiles lists the latest prepared reports, newest first.
func (s *Store) ReportFiles(ctx context.Context, refs Refs, n int) ([]ReportFile, error) {
	var out []ReportFile
	err := queryEach(ctx, s.sql(), `SELECT r.id, r.query, r.status, coalesce(u.display_name, ''), r.requested_at, coalesce(r.finished_at, 'epoch'),
		r.contributions, r.hash, r.file_slug, coalesce(length(r.pdf), 0), coalesce(length(r.odt), 0), r.error
		FROM synthesis_report_files r LEFT JOIN users u ON u.id = r.requested_by
		WHERE r.consultation_id = $1 ORDER BY r.id DESC LIMIT $2`, []any{refs.ConsultationID, n}, func(rs *sql.Rows) error {
		var f ReportFile
		if err := rs.Scan(&f.ID, &f.Query, &f.Status, &f.RequestedBy, &f.RequestedAt, &f.FinishedAt, &f.Contributions, &f.Hash, &f.Slug,
			&f.PDFSize, &f.ODTSize, &f.Error); err != nil {
			return err
		}
		q, _ := url.ParseQuery(f.Query)
		f.Filters = orWhole(ParseFilter(q, refs, false).Describe(refs))
		out = append(out, f)
		return nil
	})
	return out, err
}

// ReportFileContent returns the PDF ("pdf") or ODT ("odt") of a prepared
// report, with its file slug; ErrNotFound when it is not ready.
func (s *Store) ReportFileContent(ctx context.Context, id int64, format string) ([]byte, string, error) {
	col := map[string]string{"pdf": "pdf", "odt": "odt"}[format]
	if col == "" {
		return nil, "", ErrNotFound
	}
	var b []byte
	var slug string
	err := s.sql().QueryRowContext(ctx, `SELECT `+col+`, file_slug FROM synthesis_report_files WHERE id = $1 AND status = 'done'`, id).Scan(&b, &slug)
	if db.IsNotFound(err) || err == nil && b == nil {
		return nil, "", ErrNotFound
	}
	return b, slug, err
}

// RunNextReportJob claims the oldest queued report and prepares it; it
// reports whether there was one.
func (s *Store) RunNextReportJob(ctx context.Context) (bool, error) {
	if _, err := s.sql().ExecContext(ctx, `UPDATE synthesis_report_files SET status = 'failed', finished_at = now(),
		error = 'Préparation interrompue (arrêt du serveur) : relancez-la.'
		WHERE status = 'running' AND heartbeat_at < now() - interval '10 minutes'`); err != nil {
		return false, fmt.Errorf("expire reports: %w", err)
	}
	var id int64
	var query string
	err := s.sql().QueryRowContext(ctx, `WITH next AS (
			SELECT id FROM synthesis_report_files WHERE status = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
		UPDATE synthesis_report_files r SET status = 'running', started_at = now(), heartbeat_at = now()
		FROM next WHERE r.id = next.id RETURNING r.id, r.query`).Scan(&id, &query)
	if db.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim report: %w", err)
	}
	pdf, odt, r, err := s.prepareReport(ctx, query)
	if err != nil {
		_, uerr := s.sql().ExecContext(context.WithoutCancel(ctx), `UPDATE synthesis_report_files SET status = 'failed', finished_at = now(),
			error = 'La préparation du rapport a échoué ; réessayez ou signalez-le à l''équipe technique.' WHERE id = $1`, id)
		if uerr != nil {
			return true, uerr
		}
		return true, fmt.Errorf("report %d: %w", id, err)
	}
	_, err = s.sql().ExecContext(ctx, `UPDATE synthesis_report_files SET status = 'done', finished_at = now(), contributions = $2, hash = $3, pdf = $4, odt = $5
		WHERE id = $1`, id, r.Metrics.Contributions, r.Hash, pdf, odt)
	return true, err
}

func (s *Store) prepareReport(ctx context.Context, query string) (pdf, odt []byte, r Report, err error) {
	refs, err := s.LoadRefs(ctx)
	if err != nil {
		return nil, nil, r, err
	}
	q, _ := url.ParseQuery(query)
	if r, err = s.Report(ctx, refs, ParseFilter(q, refs, false)); err != nil {
		return nil, nil, r, err
	}
	var p, o bytes.Buffer
	if err := WritePDF(&p, r, ReportTitle); err != nil {
		return nil, nil, r, err
	}
	if err := WriteODT(&o, r, ReportTitle); err != nil {
		return nil, nil, r, err
	}
	return p.Bytes(), o.Bytes(), r, nil
}
