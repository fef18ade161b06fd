package query

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
)

// The reaction targets of a list (the most reacted-to Hub proposals of its
// axis and Hub filters) were a query per filter combination walking the
// proposals from the most reacted-to: 27 ms and 6,000 blocks for an axis and
// a Hub at a million contributions, a third of the database time of a mix
// of lists. The proposals that have reactions (tens of thousands) are now
// read with their cell, most reacted-to first, at most once per targetsTTL,
// and each filter picks its first maxTargets in memory; only their titles
// are read.

// reacted is a Hub proposal with reactions: its cell and their number.
type reacted struct {
	id   int64
	cell int32
	n    int
}

type targetIndex struct {
	mu      sync.Mutex // guards the fields
	rows    []reacted  // most reacted-to first, then by id
	at      time.Time
	loading bool // a refresh runs in the background
	// load reads the rows (loadReacted when nil): tests set it.
	load func(ctx context.Context) ([]reacted, error)
}

// reactedRows returns the proposals with reactions, read at most once per
// targetsTTL. Past it, the rows read before are returned at once while one
// refresh runs in the background: the refresh reads tens of thousands of
// rows (60 to 100 ms at 1,000,000 contributions), and every list waited
// for it once per targetsTTL, 16 of them at once under load. Only the first
// read, when there are no rows yet, is waited for.
func (s *Service) reactedRows(ctx context.Context) ([]reacted, error) {
	t := &s.targetIdx
	t.mu.Lock()
	defer t.mu.Unlock()
	load := t.load
	if load == nil {
		load = s.loadReacted
	}
	switch {
	case t.rows == nil:
		rows, err := load(ctx) // under the lock: one first read for all
		if err != nil {
			return nil, err
		}
		t.rows, t.at = rows, time.Now()
	case time.Since(t.at) >= targetsTTL && !t.loading:
		t.loading = true
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), refreshTimeout)
			defer cancel()
			rows, err := load(ctx)
			t.mu.Lock()
			defer t.mu.Unlock()
			t.loading = false
			if err != nil {
				s.log().Error("reaction targets", "err", err) // read again at the next list
				return
			}
			t.rows, t.at = rows, time.Now()
		}()
	}
	return t.rows, nil
}

// loadReacted reads the proposals with reactions.
func (s *Service) loadReacted(ctx context.Context) ([]reacted, error) {
	// Through the partial index of the proposals with reactions; counters
	// carry the cell of their contribution.
	var rows []reacted
	err := queryEach(ctx, s.db.ReadSQL(ctx), `SELECT k.contribution_id, k.cell_id,
		k.reactions_soutient + k.reactions_complete + k.reactions_nuance + k.reactions_conteste
		FROM contribution_counters k
		WHERE (k.reactions_soutient + k.reactions_complete + k.reactions_nuance + k.reactions_conteste) > 0
		ORDER BY (k.reactions_soutient + k.reactions_complete + k.reactions_nuance + k.reactions_conteste) DESC, k.contribution_id`, nil,
		func(rs *sql.Rows) error {
			var r reacted
			if err := rs.Scan(&r.id, &r.cell, &r.n); err != nil {
				return err
			}
			rows = append(rows, r)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("reaction targets: %w", err)
	}
	if rows == nil {
		rows = []reacted{}
	}
	return rows, nil
}

// targets returns the Hub proposals with the most published reactions
// (counters kept exact by app/contribution), among the published Hub
// proposals of the view's consultation, axis and Hub filters.
func (s *Service) targets(ctx context.Context, f Filter) ([]FacetValue, error) {
	if len(f.Entries) == 1 && f.Entries[0] == "hubs" {
		return nil, nil // Hub proposals do not react
	}
	rows, err := s.reactedRows(ctx)
	if err != nil {
		return nil, err
	}
	snap, err := s.rollup.get(ctx, false)
	if err != nil {
		return nil, err
	}
	var picked []reacted
	for _, r := range rows {
		i, ok := snap.index[r.cell]
		if !ok {
			continue // a cell created since the snapshot: read at the next one
		}
		c := &snap.cells[i]
		if c.entry != "hubs" || c.status != StatusPublished || c.consultation != f.ConsultationID ||
			(len(f.Axes) > 0 && !slices.Contains(f.Axes, c.axis)) || (len(f.Hubs) > 0 && !slices.Contains(f.Hubs, c.hub)) {
			continue
		}
		if picked = append(picked, r); len(picked) == maxTargets {
			break
		}
	}
	if len(picked) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(picked))
	for i, r := range picked {
		ids[i] = r.id
	}
	titles := make(map[int64]string, len(ids))
	err = queryEach(ctx, s.db.ReadSQL(ctx), `SELECT id, title FROM contributions WHERE id = ANY($1)`, Args{ids},
		func(rs *sql.Rows) error {
			var id int64
			var title string
			if err := rs.Scan(&id, &title); err != nil {
				return err
			}
			titles[id] = title
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("reaction targets: %w", err)
	}
	out := make([]FacetValue, 0, len(picked))
	for _, r := range picked {
		if title, ok := titles[r.id]; ok {
			out = append(out, FacetValue{Key: strconv.FormatInt(r.id, 10), Label: title, Count: r.n})
		}
	}
	return out, nil
}
