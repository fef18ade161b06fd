package synthesis

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
)

// Errors of the theme analyses, with a French message for the page.
var (
	ErrRunActive    = errors.New("Une analyse des thèmes est déjà en cours : attendez qu'elle se termine.")
	ErrThemesWanted = errors.New("Le nombre de thèmes doit être compris entre 2 et 40.")
)

// Run states.
const (
	RunQueued  = "queued"
	RunRunning = "running"
	RunDone    = "done"
	RunFailed  = "failed"
)

// ThemeRun is one analysis of the themes of a view, or one split of a theme.
type ThemeRun struct {
	ID            int64
	Kind          string // analyse | scission
	Query         string // the view, as a query string
	ThemesWanted  int
	SplitThemeID  int64
	Status        string
	Phase         string
	Progress      int
	Contributions int
	Sample        int
	Vocabulary    int
	Expressions   int
	Error         string
	RequestedBy   string
	RequestedAt   time.Time
	StartedAt     time.Time
	FinishedAt    time.Time
}

// Active reports whether the run waits or runs.
func (r ThemeRun) Active() bool { return r.Status == RunQueued || r.Status == RunRunning }

// StatusText is the state of the run in French.
func (r ThemeRun) StatusText() string {
	switch r.Status {
	case RunQueued:
		return "en attente"
	case RunRunning:
		return "en cours"
	case RunDone:
		return "terminée"
	}
	return "échouée"
}

// Seconds is the duration of a finished run.
func (r ThemeRun) Seconds() float64 {
	if r.StartedAt.IsZero() || r.FinishedAt.IsZero() {
		return 0
	}
	return r.FinishedAt.Sub(r.StartedAt).Seconds()
}

// RequestThemeRun queues an analysis of the themes of view f; it returns
// ErrRunActive while another analysis or split waits or runs.
func (s *Store) RequestThemeRun(ctx context.Context, refs Refs, f Filter, themes int, by int64) (int64, error) {
	if themes < 2 || themes > 40 {
		return 0, ErrThemesWanted
	}
	var id int64
	var requester any // none for a command-line run
	if by > 0 {
		requester = by
	}
	err := s.sql().QueryRowContext(ctx, `INSERT INTO synthesis_theme_runs (consultation_id, kind, query, themes_wanted, requested_by)
		VALUES ($1, 'analyse', $2, $3, $4) RETURNING id`, refs.ConsultationID, f.QueryString(), themes, requester).Scan(&id)
	if isUnique(err) {
		return 0, ErrRunActive
	}
	if err != nil {
		return 0, fmt.Errorf("request theme run: %w", err)
	}
	return id, nil
}

const runColumns = `r.id, r.kind, r.query, r.themes_wanted, coalesce(r.split_theme_id, 0), r.status, r.phase, r.progress,
	r.contributions, r.sample, r.vocabulary, r.expressions, r.error, coalesce(u.display_name, ''), r.requested_at,
	coalesce(r.started_at, 'epoch'), coalesce(r.finished_at, 'epoch')
	FROM synthesis_theme_runs r LEFT JOIN users u ON u.id = r.requested_by`

func scanRun(rs interface{ Scan(...any) error }) (ThemeRun, error) {
	var r ThemeRun
	err := rs.Scan(&r.ID, &r.Kind, &r.Query, &r.ThemesWanted, &r.SplitThemeID, &r.Status, &r.Phase, &r.Progress,
		&r.Contributions, &r.Sample, &r.Vocabulary, &r.Expressions, &r.Error, &r.RequestedBy, &r.RequestedAt, &r.StartedAt, &r.FinishedAt)
	if r.StartedAt.Unix() == 0 {
		r.StartedAt = time.Time{}
	}
	if r.FinishedAt.Unix() == 0 {
		r.FinishedAt = time.Time{}
	}
	return r, err
}

// ThemeRunByID returns one run.
func (s *Store) ThemeRunByID(ctx context.Context, id int64) (ThemeRun, error) {
	r, err := scanRun(s.sql().QueryRowContext(ctx, `SELECT `+runColumns+` WHERE r.id = $1`, id))
	if db.IsNotFound(err) {
		return r, ErrNotFound
	}
	return r, err
}

// LatestThemeRuns returns the latest runs of the consultation, newest first.
func (s *Store) LatestThemeRuns(ctx context.Context, refs Refs, n int) ([]ThemeRun, error) {
	var out []ThemeRun
	err := queryEach(ctx, s.sql(), `SELECT `+runColumns+` WHERE r.consultation_id = $1 ORDER BY r.id DESC LIMIT $2`,
		[]any{refs.ConsultationID, n}, func(rs *sql.Rows) error {
			r, err := scanRun(rs)
			out = append(out, r)
			return err
		})
	return out, err
}
