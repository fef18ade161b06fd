package query

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/search"
)

// Service answers every reader of the contributions with one filter.
type Service struct {
	db            *db.DB
	contributions *contribution.Store
	engine        search.Engine
	rollup        rollup
	refs          refsCache
	stats         statsCache
	pages         *cache // dropped by every change made through this process
	searches      *cache // the engine's answers, kept searchTTL whatever changes
	targetIdx     targetIndex
	mirror        mirror
	mirrorOff     bool // tests: lists walk the database's indexes
	mirrorWait    bool // tests: lists wait for the mirror's reads
	mirrorWalk    bool // tests: the mirror walks its orders even for few rows
	// engineSlots bounds the searches that the PostgreSQL engine runs at
	// once (nil: no bound, for an engine on its own servers).
	engineSlots chan struct{}
	// Log reports background failures; slog.Default when nil.
	Log *slog.Logger
}

// New returns a Service reading d, loading the rows of pages through
// contributions and searching texts with engine.
func New(d *db.DB, contributions *contribution.Store, engine search.Engine) *Service {
	s := &Service{db: d, contributions: contributions, engine: engine, pages: newCache(contributions.Changes),
		searches: newCache(func() uint64 { return 0 })}
	s.rollup.db, s.rollup.changes = d.SQL(), contributions.Changes
	s.mirror.db, s.mirror.changes, s.mirror.log = d.SQL(), contributions.Changes, s.log
	if engine != nil && engine.Name() == "postgres" {
		s.engineSlots = make(chan struct{}, engineSearchSlots())
	}
	return s
}

// engineSearchSlots is how many searches the PostgreSQL engine runs at once:
// one per core, two at least. An uncached search costs tens of milliseconds
// of the database's CPU, sometimes hundreds; sixteen at once on two cores
// take as long each as they would in turn, and leave the lists and pages
// that share the database waiting behind them. The others wait their turn
// in the program, which costs nothing.
func engineSearchSlots() int { return max(2, runtime.NumCPU()) }

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// smallSet is the size under which a list reads the rows of its cells whole
// and sorts them, rather than walking the index of the sort key: with fewer
// rows, a walk would read up to PerPage × total / smallSet rows to fill a page.
const smallSet = 4000

// IDs returns one page of the view f in the order of r, and its total. A
// filter that the rollup answers is counted there and paged by keyset over
// the listing; any other (reaction target, author, period, marks) is counted
// and paged in SQL over its rows, which are few or bounded.
func (s *Service) IDs(ctx context.Context, f Filter, r PageRequest) (IDPage, error) {
	r = r.normalize()
	if r.Sort == SortRelevance {
		r.Sort = SortRecent
	}
	o := orderOf(r.Sort)
	if f.OnCells() {
		snap, err := s.rollup.get(ctx, db.OnPrimary(ctx))
		if err != nil {
			return IDPage{}, err
		}
		set := snap.view(f.cellKey(), s.rollup.matcher(&f)).set
		h := reach{whole: set.total <= smallSet, scale: 1}
		if set.excluded > 0 && set.total > 0 {
			h.scale = float64(set.rows) / float64(set.total)
		}
		if !h.whole && set.total <= wholeSet && h.walk(r, set.total) > maxWalk {
			h.whole = true // a page far in a middle-sized list: read whole
		}
		var a Args
		cond := ""
		switch {
		case len(set.ids) == 0:
			return IDPage{Total: 0, Exact: true, Number: 1, Pages: 1, PerPage: r.PerPage}, nil
		case h.whole:
			// Few rows: their cells are read whole through the cell index.
			cond = "l.cell_id = ANY(" + a.Add(int32Array(set.ids)) + "::int[])"
		case set.excluded == 0:
		default:
			// Many rows: the index of the order is walked, each row kept by
			// one bit of a bitmap of its cells.
			cond = set.walkCond(&a)
		}
		return s.page(ctx, o, cond, a, set.total, r, h, &set)
	}
	refs, err := s.Refs(ctx)
	if err != nil {
		return IDPage{}, err
	}
	var a Args
	where := f.Where(refs, &a)
	total, err := s.count(ctx, where, a)
	if err != nil {
		return IDPage{}, err
	}
	cond := "l.contribution_id IN (SELECT c.id FROM contributions c WHERE " + where + ")"
	return s.page(ctx, o, cond, a, total, r, reach{whole: total <= smallSet}, nil)
}

// reach is how a list reaches its pages by number: read whole (any page
// then costs the same), or by a walk of its sort index that reads scale
// index entries per row of the list (0: unknown).
type reach struct {
	whole bool
	scale float64
}

// skips tells whether a page may be read after skipping skip rows of the
// list (see maxOffset and maxWalk).
func (h reach) skips(skip, perPage int) bool {
	return h.whole || skip <= maxOffset || (h.scale > 0 && float64(skip+perPage)*h.scale <= maxWalk)
}

// skipped returns the rows before and after the page of r among total rows.
func skipped(r PageRequest, total int) (before, after int) {
	pages := max((total+r.PerPage-1)/r.PerPage, 1)
	n := min(r.Number, pages)
	return (n - 1) * r.PerPage, max(total-n*r.PerPage, 0)
}

// walk returns the index entries that a walk reads to the page of r from
// the nearer end of the list (0 with a cursor: the walk starts there).
func (h reach) walk(r PageRequest, total int) float64 {
	if r.After != "" || r.Before != "" {
		return 0
	}
	before, after := skipped(r, total)
	return float64(min(before, after)+r.PerPage) * h.scale
}

// count counts the contributions that pass where (on the alias c).
func (s *Service) count(ctx context.Context, where string, a Args) (int, error) {
	var n int
	if err := s.db.ReadSQL(ctx).QueryRowContext(ctx, `SELECT count(*) FROM contributions c WHERE `+where, a...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count view: %w", err)
	}
	return n, nil
}

// page reads the page of r among total rows passing cond, in the order o:
// from a cursor when the request has one, else by offset from the nearest
// end of the list.
func (s *Service) page(ctx context.Context, o order, cond string, a Args, total int, r PageRequest, h reach, set *cellSet) (IDPage, error) {
	out := IDPage{Total: total, Exact: true, PerPage: r.PerPage, Pages: max((total+r.PerPage-1)/r.PerPage, 1)}
	start := randomStart(r.Seed)
	var at *cursor
	backward, offset, limit := false, 0, r.PerPage
	if c, ok := parseCursor(r.After); ok {
		at, out.Number = &c, min(max(r.Number, 2), out.Pages)
	} else if c, ok := parseCursor(r.Before); ok {
		at, backward, out.Number = &c, true, min(max(r.Number, 1), max(out.Pages-1, 1))
	} else {
		out.Number = min(r.Number, out.Pages)
		before, after := skipped(r, total) // rows before and after the page
		switch {
		case h.skips(before, r.PerPage):
			offset = before
		case h.skips(after, r.PerPage):
			backward = true
			offset = after
			limit = min(r.PerPage, total-before)
		default:
			return out, ErrUnreachable
		}
	}
	// One row more than the page tells whether a page follows in the
	// direction read.
	var got []cursor
	var m *mirrorSnap
	if set != nil { // a view that the rollup answers: its cells are in the copy
		m = s.listMirror(ctx)
	}
	if m != nil {
		out.from = m
		got = m.page(mirrorIndex(r.Sort), set, h.whole && !s.mirrorWalk, start, at, backward, limit+1, offset)
	} else {
		var err error
		if got, err = s.pageRows(ctx, o.pageSQL(cond, &a, start, at, backward, limit+1, offset, h.whole), a); err != nil {
			return out, err
		}
	}
	more := len(got) > limit
	if more {
		got = got[:limit]
	}
	if backward {
		slices.Reverse(got)
	}
	for _, c := range got {
		out.IDs = append(out.IDs, c.id)
	}
	if len(got) == 0 {
		return out, nil
	}
	first, last := got[0], got[len(got)-1]
	if backward {
		if more || (at == nil && offset == 0 && out.Number > 1) {
			out.Prev = first.String()
		}
		if at != nil || offset > 0 {
			out.Next = last.String()
		}
		if !more && at != nil {
			out.Number = 1 // walked back to the start of the list
		}
	} else {
		if more {
			out.Next = last.String()
		}
		if at != nil || offset > 0 {
			out.Prev = first.String()
		}
		if !more && out.Number < out.Pages && at != nil {
			out.Pages = out.Number // the list ended sooner than counted
		}
	}
	if out.Number > 1 && out.Prev == "" {
		out.Prev = first.String()
	}
	return out, nil
}

// views returns the cards of page: counted by the copy of the listing that
// gave it, when one did, which then agree with its order.
func (s *Service) views(ctx context.Context, page IDPage) ([]contribution.View, error) {
	if page.from == nil {
		return s.contributions.Views(ctx, page.IDs)
	}
	return s.contributions.ViewsCounted(ctx, page.IDs, page.from.counters)
}

// counting returns the copy of the listing that may count the cards of ids
// found by the search engine: nil when a list could not read it either, or
// when it does not hold one of them yet (a new contribution).
func (s *Service) counting(ctx context.Context, ids []int64) *mirrorSnap {
	m := s.listMirror(ctx)
	if m == nil {
		return nil
	}
	for _, id := range ids {
		if id < 0 || id >= int64(m.rows.n) || m.rows.at(uint32(id)).cell < 0 {
			return nil
		}
	}
	return m
}

// listMirror returns the copy of the listing that a request may read: none
// for the person who has just acted (see mirror), nor before it is read or
// once it is too old.
func (s *Service) listMirror(ctx context.Context) *mirrorSnap {
	if db.OnPrimary(ctx) || s.mirrorOff {
		return nil
	}
	m := s.mirror.get(ctx, s.mirrorWait)
	if m != nil {
		readFrom(ctx, m.gen) // a copy read before a change made here: the page is not kept
	}
	return m
}

// WarmLists reads the copy of the listing's orders that lists walk (see
// mirror), so that the first lists after a start need not wait for it.
func (s *Service) WarmLists(ctx context.Context) error { return s.mirror.Warm(ctx) }

// pageRows runs the statement of a page.
func (s *Service) pageRows(ctx context.Context, sqlText string, a Args) ([]cursor, error) {
	rows, err := s.db.ReadSQL(ctx).QueryContext(ctx, sqlText, a...)
	if err != nil {
		return nil, fmt.Errorf("list page: %w", err)
	}
	defer rows.Close()
	var got []cursor
	for rows.Next() {
		var c cursor
		if err := rows.Scan(&c.id, &c.key, &c.seg); err != nil {
			return nil, fmt.Errorf("list page: %w", err)
		}
		got = append(got, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list page: %w", err)
	}
	return got, nil
}

// int32Array writes ids as a PostgreSQL array literal.
func int32Array(ids []int32) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(int64(id), 10))
	}
	b.WriteByte('}')
	return b.String()
}

// isNoRows tells whether err means no row.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Supports returns contribution id's count of supports as the copy of the
// listing holds it (as lists count their cards), for the page of a visitor
// who has not just acted. ok is false when the copy is not read yet (this
// does not start its read), may not be read, or does not list id.
func (s *Service) Supports(ctx context.Context, id int64) (n int, ok bool) {
	if s.mirror.current.Load() == nil {
		return 0, false
	}
	m := s.listMirror(ctx)
	if m == nil || id < 0 || id >= int64(m.rows.n) {
		return 0, false
	}
	r := m.rows.at(uint32(id))
	if r.cell < 0 {
		return 0, false
	}
	return int(r.support), true
}
