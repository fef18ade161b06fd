package contribution

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
)

// StoredPage is the main part of a contribution's page as visitors who are
// not signed in see it, rendered in advance by the web server (table
// contribution_pages, kept exact by triggers: see migration 00080).
type StoredPage struct {
	ID      int64
	Version int64 // the version of the page it was rendered from
	Title   string
	// Main is the main part compressed by the web server, in two parts
	// around its count of supports: Main[:Cut], then Main[Cut:]; Cut is -1
	// when the page shows no count (one part). Each part's CRC-32 and size
	// are kept with it.
	Main               []byte
	Cut                int
	HeadCRC, TailCRC   uint32
	HeadSize, TailSize int
	Supports           int // the count of supports, when read with the page (else -1)
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
	var headCRC, tailCRC int64
	dest := []any{&out.Version, &out.Title, &out.Main, &out.Cut, &headCRC, &out.HeadSize, &tailCRC, &out.TailSize}
	const columns = `p.version, p.title, p.main, p.cut, p.head_crc, p.head_size, p.tail_crc, p.tail_size`
	query := `SELECT ` + columns + ` FROM contribution_pages p`
	if supports {
		dest = append(dest, &out.Supports)
		query = `SELECT ` + columns + `, COALESCE(k.supports, 0) FROM contribution_pages p
	LEFT JOIN contribution_counters k ON k.contribution_id = p.contribution_id`
	}
	b.Queue(func(rows db.Rows) error {
		if !rows.Next() {
			return nil
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("page %d: %w", id, err)
		}
		out.HeadCRC, out.TailCRC = uint32(headCRC), uint32(tailCRC)
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
// Nothing is stored unless the pages are claimed for key (ClaimPages); the
// save locks the claim, which a new claim waits for.
func (s *Store) SavePages(ctx context.Context, key string, pages []StoredPage) (int, error) {
	if len(pages) == 0 {
		return 0, nil
	}
	n := len(pages)
	ids, versions, cuts, headSizes, tailSizes := make([]int64, n), make([]int64, n), make([]int32, n), make([]int32, n), make([]int32, n)
	headCRCs, tailCRCs := make([]int64, n), make([]int64, n)
	titles, keys := make([]string, n), make([]string, n)
	mains := make([][]byte, n)
	for i, p := range pages {
		ids[i], versions[i], titles[i], mains[i], cuts[i], keys[i] = p.ID, p.Version, p.Title, p.Main, int32(p.Cut), key
		headCRCs[i], headSizes[i], tailCRCs[i], tailSizes[i] = int64(p.HeadCRC), int32(p.HeadSize), int64(p.TailCRC), int32(p.TailSize)
		if p.Version < 0 { // not to be stored
			versions[i], keys[i] = -p.Version, ""
		}
		if mains[i] == nil {
			mains[i] = []byte{} // not NULL
		}
	}
	// database/sql with pgx sends the slices as arrays (GORM would spread them).
	res, err := s.db.SQL().ExecContext(ctx, `UPDATE contribution_pages p SET rendered = u.version, render_key = u.key,
		title = u.title, main = u.main, cut = u.cut, head_crc = u.head_crc, head_size = u.head_size,
		tail_crc = u.tail_crc, tail_size = u.tail_size
		FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bytea[], $5::int[], $6::bigint[], $7::int[], $8::bigint[], $9::int[], $10::text[])
			AS u(id, version, title, main, cut, head_crc, head_size, tail_crc, tail_size, key)
		WHERE p.contribution_id = u.id AND p.version = u.version
			AND EXISTS (SELECT 1 FROM contribution_pages_swept WHERE render_key = $11 FOR SHARE)`,
		ids, versions, titles, mains, cuts, headCRCs, headSizes, tailCRCs, tailSizes, keys, key)
	if err != nil {
		return 0, fmt.Errorf("save pages: %w", err)
	}
	saved, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("save pages: %w", err)
	}
	return int(saved), nil
}

// PagesClaim is the record of the last pass of a renderer through every
// page (ClaimPages).
type PagesClaim struct {
	Key     string    // "" when no pass was ever claimed
	Done    bool      // the pass ended: every page is rendered with Key, or stale
	Started time.Time // when the server that claimed the pages started
}

// ReadPagesClaim returns the record of the last pass through every page.
func (s *Store) ReadPagesClaim(ctx context.Context) (PagesClaim, error) {
	var c PagesClaim
	var started sql.NullTime // NULL for the pass recorded before migration 00081 (-infinity)
	err := s.db.SQL().QueryRowContext(ctx, `SELECT render_key, done, CASE WHEN isfinite(started_at) THEN started_at END
		FROM contribution_pages_swept LIMIT 1`).Scan(&c.Key, &c.Done, &started)
	if errors.Is(err, sql.ErrNoRows) {
		return PagesClaim{}, nil
	}
	if err != nil {
		return c, fmt.Errorf("pages claim: %w", err)
	}
	c.Started = started.Time
	return c, nil
}

// ClaimPages records that a pass through every page with key starts, by a
// server started at started (the database's clock). From its commit on, saves
// with another key are refused, and a save that read the claim before waits
// for it: the pass then finds every page that another key saved.
func (s *Store) ClaimPages(ctx context.Context, key string, started time.Time) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		// Two claims at once: one after the other, one row at the end.
		if err := conn.Exec(`LOCK TABLE contribution_pages_swept IN SHARE ROW EXCLUSIVE MODE`).Error; err != nil {
			return fmt.Errorf("pages claim: %w", err)
		}
		if err := conn.Exec(`DELETE FROM contribution_pages_swept`).Error; err != nil {
			return fmt.Errorf("pages claim: %w", err)
		}
		if err := conn.Exec(`INSERT INTO contribution_pages_swept (render_key, done, started_at) VALUES (?, false, ?)`, key, started).Error; err != nil {
			return fmt.Errorf("pages claim: %w", err)
		}
		return nil
	})
}

// PagesSwept records that the pass claimed for key ended: every page is
// rendered with key, or stale. It changes nothing when the pages were
// claimed for another key since.
func (s *Store) PagesSwept(ctx context.Context, key string) error {
	if err := s.db.Conn(db.WithPrimary(ctx)).Exec(`UPDATE contribution_pages_swept SET done = true, swept_at = now()
		WHERE render_key = ?`, key).Error; err != nil {
		return fmt.Errorf("pages swept: %w", err)
	}
	return nil
}
