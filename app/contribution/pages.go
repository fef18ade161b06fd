package contribution

import (
	"context"
	"fmt"

	"github.com/cnr-numerique/concertation/app/db"
)

// StoredPage is the main part of a contribution's page as visitors who are
// not signed in see it, rendered in advance by the web server (table
// contribution_pages, kept exact by triggers: see migration 00080).
type StoredPage struct {
	ID      int64
	Version int64 // the version of the page it was rendered from
	Title   string
	// HTML is the main part without its count of supports, which goes at
	// byte CountAt (-1: the page shows none).
	HTML     string
	CountAt  int
	Supports int // the count of supports, when read with the page (else -1)
}

// PageVersion is a page to render, with the version to render it from.
type PageVersion struct {
	ID      int64
	Version int64
}

// QueuePage queues into b the read of contribution id's stored page: found
// is false when it was not rendered with key, or not since its last change.
// With supports set, the page's count of supports is read with it (else
// Supports is -1).
func (s *Store) QueuePage(b *db.Batch, id int64, key string, supports bool) (get func() (page StoredPage, found bool)) {
	out := StoredPage{ID: id, Supports: -1}
	found := false
	dest := []any{&out.Version, &out.Title, &out.HTML, &out.CountAt}
	query := `SELECT p.version, p.title, p.html, p.count_at FROM contribution_pages p`
	if supports {
		dest = append(dest, &out.Supports)
		query = `SELECT p.version, p.title, p.html, p.count_at, COALESCE(k.supports, 0) FROM contribution_pages p
	LEFT JOIN contribution_counters k ON k.contribution_id = p.contribution_id`
	}
	b.Queue(func(rows db.Rows) error {
		if !rows.Next() {
			return nil
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("page %d: %w", id, err)
		}
		found = true
		return nil
	}, query+` WHERE p.contribution_id = $1 AND p.rendered = p.version AND p.render_key = $2`, id, key)
	return func() (StoredPage, bool) { return out, found }
}

// StalePages returns up to limit pages to render, by id after after: those
// changed since they were rendered and, when sweep is set, those rendered
// with another key than key too (which reads the whole table, a batch at a
// time).
func (s *Store) StalePages(ctx context.Context, key string, after int64, sweep bool, limit int) ([]PageVersion, error) {
	cond := `rendered <> version`
	args := []any{after, limit}
	if sweep {
		cond = `(rendered <> version OR render_key <> $3)`
		args = append(args, key)
	}
	rows, err := s.db.Query(db.WithPrimary(ctx), `SELECT contribution_id, version FROM contribution_pages
		WHERE contribution_id > $1 AND `+cond+` ORDER BY contribution_id LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("stale pages: %w", err)
	}
	defer func() { _ = rows.Close() }()
	var out []PageVersion
	for rows.Next() {
		var p PageVersion
		if err := rows.Scan(&p.ID, &p.Version); err != nil {
			return nil, fmt.Errorf("stale pages: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SavePages stores pages rendered with key, each only if its page has not
// changed since the version it was rendered from, and returns how many it
// stored. A page whose contribution is not to be stored (another
// consultation's) is saved with an empty key, which no visitor asks for.
func (s *Store) SavePages(ctx context.Context, key string, pages []StoredPage) (int, error) {
	if len(pages) == 0 {
		return 0, nil
	}
	ids := make([]int64, len(pages))
	versions := make([]int64, len(pages))
	titles := make([]string, len(pages))
	htmls := make([]string, len(pages))
	at := make([]int32, len(pages))
	keys := make([]string, len(pages))
	for i, p := range pages {
		ids[i], versions[i], titles[i], htmls[i], at[i], keys[i] = p.ID, p.Version, p.Title, p.HTML, int32(p.CountAt), key
		if p.Version < 0 { // not to be stored
			versions[i], keys[i] = -p.Version, ""
		}
	}
	// database/sql with pgx sends the slices as arrays (GORM would spread them).
	res, err := s.db.SQL().ExecContext(ctx, `UPDATE contribution_pages p SET rendered = u.version, render_key = u.key,
		title = u.title, html = u.html, count_at = u.count_at
		FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::int[], $6::text[]) AS u(id, version, title, html, count_at, key)
		WHERE p.contribution_id = u.id AND p.version = u.version`, ids, versions, titles, htmls, at, keys)
	if err != nil {
		return 0, fmt.Errorf("save pages: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("save pages: %w", err)
	}
	return int(n), nil
}
