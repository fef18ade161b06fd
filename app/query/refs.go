package query

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Axis, entry, category, territory and Hub as the filters and figures name them.
type (
	Axis struct {
		ID       int64
		Position int
		Slug     string
		Title    string
	}
	Entry struct {
		Kind  string // hubs | libres
		Slug  string
		Title string
	}
	Category struct {
		Code  string
		Label string
	}
	Territory struct {
		ID       int64
		Code     string
		Name     string
		RegionID int64 // 0 for a région
	}
	HubRef struct {
		ID   int64
		Slug string
		Name string
	}
)

// Refs are the reference lists that filters are checked against and figures
// are labelled with.
type Refs struct {
	ConsultationID int64
	Axes           []Axis
	Entries        []Entry
	Categories     []Category
	Regions        []Territory
	Departements   []Territory
	Hubs           []HubRef
	Tags           []string // rapporteur tags in use, sorted
}

// LoadRefs reads the reference lists of the current consultation (the most
// recently opened one that is not a draft). Service.Refs keeps them a while.
func LoadRefs(ctx context.Context, db *sql.DB) (Refs, error) {
	var r Refs
	err := db.QueryRowContext(ctx, `SELECT id FROM consultations WHERE status <> 'draft' ORDER BY opens_at DESC, id DESC LIMIT 1`).Scan(&r.ConsultationID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("current consultation: %w", err)
	}
	if err := queryEach(ctx, db, `SELECT id, position, slug, title FROM axes WHERE consultation_id = $1 ORDER BY position`,
		[]any{r.ConsultationID}, func(rs *sql.Rows) error {
			var a Axis
			err := rs.Scan(&a.ID, &a.Position, &a.Slug, &a.Title)
			r.Axes = append(r.Axes, a)
			return err
		}); err != nil {
		return r, fmt.Errorf("axes: %w", err)
	}
	if err := queryEach(ctx, db, `SELECT kind, slug, title FROM entries WHERE consultation_id = $1 ORDER BY position`,
		[]any{r.ConsultationID}, func(rs *sql.Rows) error {
			var e Entry
			err := rs.Scan(&e.Kind, &e.Slug, &e.Title)
			r.Entries = append(r.Entries, e)
			return err
		}); err != nil {
		return r, fmt.Errorf("entries: %w", err)
	}
	if err := queryEach(ctx, db, `SELECT code, label FROM author_categories ORDER BY position`, nil, func(rs *sql.Rows) error {
		var c Category
		err := rs.Scan(&c.Code, &c.Label)
		r.Categories = append(r.Categories, c)
		return err
	}); err != nil {
		return r, fmt.Errorf("categories: %w", err)
	}
	if err := queryEach(ctx, db, `SELECT id, kind, code, name, coalesce(region_id, 0) FROM territories ORDER BY code`, nil, func(rs *sql.Rows) error {
		var t Territory
		var kind string
		err := rs.Scan(&t.ID, &kind, &t.Code, &t.Name, &t.RegionID)
		if kind == "region" {
			r.Regions = append(r.Regions, t)
		} else {
			r.Departements = append(r.Departements, t)
		}
		return err
	}); err != nil {
		return r, fmt.Errorf("territories: %w", err)
	}
	if err := queryEach(ctx, db, `SELECT id, slug, name FROM hubs ORDER BY name, id`, nil, func(rs *sql.Rows) error {
		var h HubRef
		err := rs.Scan(&h.ID, &h.Slug, &h.Name)
		r.Hubs = append(r.Hubs, h)
		return err
	}); err != nil {
		return r, fmt.Errorf("hubs: %w", err)
	}
	if err := queryEach(ctx, db, `SELECT DISTINCT tag FROM synthesis_tags ORDER BY tag`, nil, func(rs *sql.Rows) error {
		var t string
		err := rs.Scan(&t)
		r.Tags = append(r.Tags, t)
		return err
	}); err != nil {
		return r, fmt.Errorf("tags: %w", err)
	}
	return r, nil
}

// AxisByID returns the axis with id, or a zero Axis.
func (r Refs) AxisByID(id int64) Axis {
	for _, a := range r.Axes {
		if a.ID == id {
			return a
		}
	}
	return Axis{}
}

// CategoryLabel returns the label of the category code.
func (r Refs) CategoryLabel(code string) string {
	for _, c := range r.Categories {
		if c.Code == code {
			return c.Label
		}
	}
	return code
}

// EntryTitle returns the title of the entry kind.
func (r Refs) EntryTitle(kind string) string {
	for _, e := range r.Entries {
		if e.Kind == kind {
			return e.Title
		}
	}
	return kind
}

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

// refsTTL is how long the reference lists are reused: they change when an
// administrator edits a Hub, or a rapporteur uses a new tag.
const refsTTL = 10 * time.Second

// refsCache keeps the reference lists for refsTTL.
type refsCache struct {
	mu      sync.Mutex
	value   Refs
	expires time.Time
}

// Refs returns the reference lists of the current consultation, read at most
// every refsTTL.
func (s *Service) Refs(ctx context.Context) (Refs, error) {
	c := &s.refs
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Now().Before(c.expires) {
		return c.value, nil
	}
	r, err := LoadRefs(ctx, s.db.SQL())
	if err != nil {
		return r, err
	}
	c.value, c.expires = r, time.Now().Add(refsTTL)
	return r, nil
}
