// Package synthesis is the read side used by the rapporteurs and by the public
// statistics: the filters of the workspace, one metrics layer (statistics and
// report), recurring themes, near-duplicate groups, the synthesis report and
// the streamed exports (CSV, XLSX, ODS, JSON Lines). It also keeps the
// rapporteurs' own marks (tags, notes, "retenue pour le rapport", saved filter
// sets). It never writes to the contributions.
package synthesis

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/frtime"
	"github.com/cnr-numerique/concertation/app/query"
)

// ErrNotFound is returned when a contribution or a saved filter set is unknown.
var ErrNotFound = errors.New("synthesis: not found")

// Store reads the contributions and keeps the rapporteurs' marks.
type Store struct {
	db      *db.DB
	baseURL string // public address of the platform, for permalinks
}

// NewStore returns a Store on d; baseURL prefixes the permalinks in exports.
func NewStore(d *db.DB, baseURL *url.URL) *Store {
	base := ""
	if baseURL != nil {
		base = strings.TrimRight(baseURL.String(), "/")
	}
	return &Store{db: d, baseURL: base}
}

func (s *Store) sql() *sql.DB { return s.db.SQL() }

// Permalink returns the public address of contribution id.
func (s *Store) Permalink(id int64) string {
	return fmt.Sprintf("%s/contributions/%d", s.baseURL, id)
}

// The filter and the reference lists are those of the query model: one
// parser for every reader of the contributions.
type (
	Filter    = query.Filter
	Refs      = query.Refs
	Axis      = query.Axis
	Entry     = query.Entry
	Category  = query.Category
	Territory = query.Territory
	HubRef    = query.HubRef
	sqlArgs   = query.Args
	Metrics   = query.Metrics
	Count     = query.Count
	Breakdown = query.Breakdown
	TimeCount = query.TimeCount
)

// Covered returns the territories of list with at least one contribution, and
// those without.
func Covered(list []Count) (with, without []Count) { return query.Covered(list) }

// Metrics computes every figure of the view f, exactly (a scan: the report
// is built in the background).
func (s *Store) Metrics(ctx context.Context, refs Refs, f Filter) (Metrics, error) {
	return query.ExactMetrics(ctx, s.sql(), refs, f)
}

// Statuses of a contribution, as stored.
const (
	StatusPublished = query.StatusPublished
	StatusHidden    = query.StatusHidden
	StatusWithdrawn = query.StatusWithdrawn
)

// ParseFilter reads the view of a URL (query.Parse).
func ParseFilter(q url.Values, refs Refs, public bool) Filter { return query.Parse(q, refs, public) }

// StatusLabel returns the French label of a stored status.
func StatusLabel(status string) string { return query.StatusLabel(status) }

// Paris is the time zone of dates shown and of the du/au filters.
var Paris = frtime.Paris

// LoadRefs reads the reference lists of the current consultation.
func (s *Store) LoadRefs(ctx context.Context) (Refs, error) { return query.LoadRefs(ctx, s.sql()) }

// queryEach runs query and calls fn for each row.
func queryEach(ctx context.Context, db *sql.DB, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
