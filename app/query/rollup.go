package query

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// cell is one row of the rollup (contribution_cells): a combination of the
// filter dimensions and the status, with its number of contributions.
type cell struct {
	id           int32
	consultation int64
	status       string
	axis         int64
	entry        string
	category     string
	region       int64 // 0: none
	departement  int64 // 0: none
	hub          int64 // 0: none
	assisted     bool  // contribution accompagnée
	n            int
	// codes of status, entry and category (bits of a matcher's masks):
	// comparing strings for every cell was a tenth of a list's CPU.
	statusBit, entryBit, categoryBit uint64
}

// snapshot is the rollup as one process last read it. It is never changed
// once published: a refresh builds a new one.
type snapshot struct {
	cells []cell
	index map[int32]int    // cell id → position in cells
	mark  watermark        // the transactions whose changes it has read
	full  time.Time        // last full read
	read  time.Time        // last read
	gen   uint64           // changes made through this process when read
	names map[int64]string // bit number → the entry or category it stands for
	views *viewMemo        // what filters made of these cells (shared while they do not change)
}

// viewMemo keeps, for a snapshot's short life, the cells and facets of the
// filters asked for: a list page needs both, and requests of one filter come
// in bursts.
type viewMemo struct {
	mu sync.Mutex
	m  map[string]*cellView
}

// cellView is what a filter makes of the cells: its cell set and its facets.
type cellView struct {
	set    cellSet
	facets Facets
}

const viewMemoSize = 512

// view returns the cells and facets of the filter of m (key identifies it),
// computed in one pass over the cells, once per snapshot.
func (s *snapshot) view(key string, m matcher) *cellView {
	if s.views == nil {
		return s.compute(m)
	}
	s.views.mu.Lock()
	if v, ok := s.views.m[key]; ok {
		s.views.mu.Unlock()
		return v
	}
	s.views.mu.Unlock()
	v := s.compute(m)
	s.views.mu.Lock()
	if s.views.m == nil || len(s.views.m) >= viewMemoSize {
		s.views.m = map[string]*cellView{}
	}
	s.views.m[key] = v
	s.views.mu.Unlock()
	return v
}

// Rollup intervals: how stale the counts of a process can be. Every change
// is read at most pollEvery later: each read takes the cells last changed by
// a transaction that the read before did not see finished (their xid, and
// the watermark of that read, as the mirror does), whatever the order in
// which transactions commit. A full read every fullEvery besides starts
// afresh.
const (
	pollEvery = 250 * time.Millisecond
	fullEvery = 10 * time.Second
)

// rollup keeps the cells in memory and refreshes them on demand: a request
// that finds them older than pollEvery reads what changed (one indexed
// query), once for all concurrent requests.
type rollup struct {
	db      *sql.DB
	changes func() uint64 // changes made through this process (contribution.Store.Changes)
	current atomic.Pointer[snapshot]
	mu      sync.Mutex // one refresh at a time; guards bits
	bits    sync.Map   // string value → its bit (uint64), for the masks of matchers
	nbits   atomic.Int32
}

// bit returns the bit of a status, entry or category value (the first 64
// values met get one; any further value shares the last bit, which only
// makes matchers compare strings).
func (r *rollup) bit(v string) uint64 {
	if b, ok := r.bits.Load(v); ok {
		return b.(uint64)
	}
	n := min(r.nbits.Add(1)-1, 63)
	b, _ := r.bits.LoadOrStore(v, uint64(1)<<n)
	return b.(uint64)
}

// names returns the value of each bit number given so far.
func (r *rollup) names() map[int64]string {
	out := map[int64]string{}
	r.bits.Range(func(k, v any) bool {
		out[int64(bits.TrailingZeros64(v.(uint64)))] = k.(string)
		return true
	})
	return out
}

// mask returns the bits of values, and whether each value has its own bit.
func (r *rollup) mask(values []string) (uint64, bool) {
	var m uint64
	for _, v := range values {
		b, ok := r.bits.Load(v)
		if !ok {
			continue // a value no cell has
		}
		m |= b.(uint64)
	}
	return m, r.nbits.Load() < 64
}

// get returns the cells, read fresh when force is set (the person who has
// just acted sees their own change) or after a change made through this
// process, refreshed when older than pollEvery.
func (r *rollup) get(ctx context.Context, force bool) (*snapshot, error) {
	s := r.current.Load()
	gen := r.changes()
	if s != nil && !force && s.gen == gen && time.Since(s.read) < pollEvery {
		return s, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if s2 := r.current.Load(); s2 != s && s2 != nil && !force && s2.gen == gen {
		return s2, nil // refreshed by another request meanwhile
	}
	next, err := r.refresh(ctx, r.current.Load())
	if next != nil {
		next.gen, next.names = gen, r.names()
	}
	if err != nil {
		if s != nil {
			readFrom(ctx, s.gen) // counts older than a change made here: not kept
			return s, nil        // serve the last counts; the next request tries again
		}
		return nil, err
	}
	r.current.Store(next)
	return next, nil
}

// refresh returns prev updated with the cells changed since it was read, or
// every cell when prev is nil or its full read is older than fullEvery.
func (r *rollup) refresh(ctx context.Context, prev *snapshot) (*snapshot, error) {
	now := time.Now()
	full := prev == nil || now.Sub(prev.full) >= fullEvery
	// The watermark is read before the cells: a cell changed by a
	// transaction that commits in between is read now and again next time.
	w, err := readWatermark(ctx, r.db)
	if err != nil {
		return nil, fmt.Errorf("rollup: %w", err)
	}
	q := `SELECT id, consultation_id, status, axis_id, entry, author_category,
		region_id, departement_id, hub_id, assisted, n FROM contribution_cells`
	var args []any
	if !full {
		q += ` WHERE xid >= $1::bigint::text::xid8 OR xid = ANY($2::xid8[])`
		args = []any{prev.mark.xmax, prev.mark.xip}
	}
	rows, err := r.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("rollup: %w", err)
	}
	defer rows.Close()
	var changed []cell
	for rows.Next() {
		var c cell
		if err := rows.Scan(&c.id, &c.consultation, &c.status, &c.axis, &c.entry, &c.category,
			&c.region, &c.departement, &c.hub, &c.assisted, &c.n); err != nil {
			return nil, fmt.Errorf("rollup: %w", err)
		}
		c.statusBit, c.entryBit, c.categoryBit = r.bit(c.status), r.bit(c.entry), r.bit(c.category)
		changed = append(changed, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rollup: %w", err)
	}
	if full {
		next := &snapshot{cells: changed, index: make(map[int32]int, len(changed)), mark: w, full: now, read: now, views: &viewMemo{}}
		for i, c := range changed {
			next.index[c.id] = i
		}
		return next, nil
	}
	if len(changed) == 0 {
		next := *prev
		next.read, next.mark = now, w
		return &next, nil
	}
	next := &snapshot{cells: slices.Clone(prev.cells), index: prev.index, mark: w, full: prev.full, read: now, views: &viewMemo{}}
	grown := false
	for _, c := range changed {
		if i, ok := next.index[c.id]; ok {
			next.cells[i] = c
			continue
		}
		if !grown {
			next.index, grown = make(map[int32]int, len(prev.index)+len(changed)), true
			for k, v := range prev.index {
				next.index[k] = v
			}
		}
		next.index[c.id] = len(next.cells)
		next.cells = append(next.cells, c)
	}
	return next, nil
}

// dims are the filter dimensions that the rollup knows, in the order of the
// facets.
const (
	dimAxis = iota
	dimEntry
	dimCategory
	dimRegion
	dimDepartement
	dimHub
	dimAssisted
	dimCount
)

// matcher tells which cells a filter keeps. It ignores what cells do not
// carry (text, reaction target, author, period, rapporteur marks): callers
// check Filter.OnCells first.
type matcher struct {
	f                             *Filter
	statuses, entries, categories uint64 // masks of bits; 0 for "any" (entries, categories)
	exact                         bool   // every value has its own bit: masks alone decide
}

func (r *rollup) matcher(f *Filter) matcher {
	st := f.Statuses
	if len(st) == 0 {
		st = []string{StatusPublished}
	}
	m := matcher{f: f}
	var ok1, ok2, ok3 bool
	m.statuses, ok1 = r.mask(st)
	m.entries, ok2 = r.mask(f.Entries)
	m.categories, ok3 = r.mask(f.Categories)
	m.exact = ok1 && ok2 && ok3
	return m
}

// misses returns the dimensions (bits) on which c fails the filter, or -1
// when c is outside the view whatever the dimensions (consultation, status).
func (m matcher) misses(c *cell) int {
	f := m.f
	if c.consultation != f.ConsultationID || c.statusBit&m.statuses == 0 ||
		!m.exact && !slices.Contains(f.Statuses, c.status) && len(f.Statuses) > 0 {
		return -1
	}
	miss := 0
	if len(f.Axes) > 0 && !slices.Contains(f.Axes, c.axis) {
		miss |= 1 << dimAxis
	}
	if len(f.Entries) > 0 && (c.entryBit&m.entries == 0 || !m.exact && !slices.Contains(f.Entries, c.entry)) {
		miss |= 1 << dimEntry
	}
	if len(f.Categories) > 0 && (c.categoryBit&m.categories == 0 || !m.exact && !slices.Contains(f.Categories, c.category)) {
		miss |= 1 << dimCategory
	}
	if len(f.Regions) > 0 && !slices.Contains(f.Regions, c.region) {
		miss |= 1 << dimRegion
	}
	if len(f.Departements) > 0 && !slices.Contains(f.Departements, c.departement) {
		miss |= 1 << dimDepartement
	}
	if len(f.Hubs) > 0 && !slices.Contains(f.Hubs, c.hub) {
		miss |= 1 << dimHub
	}
	if len(f.Assisted) > 0 && !slices.Contains(f.Assisted, c.assisted) {
		miss |= 1 << dimAssisted
	}
	return miss
}

// cellKey identifies what of f the cells depend on (from the fields, not
// the URL: a page may fix a filter through its path).
func (f Filter) cellKey() string {
	return fmt.Sprint(f.ConsultationID, f.Statuses, f.Axes, f.Entries, f.Categories, f.Regions, f.Departements, f.Hubs, f.Assisted)
}

// OnCells reports whether the rollup alone can answer f: no text, no
// reaction target, no author, no period, no official answer state and no
// rapporteur mark.
func (f Filter) OnCells() bool {
	marks := !f.Public && (len(f.Tags) > 0 || f.Retained)
	return f.Text == "" && f.ReactsTo == 0 && f.Author == 0 && f.From.IsZero() && f.To.IsZero() && !marks && f.ids == nil &&
		len(f.Answers) == 0
}

// cellSet is what a filter keeps of the rollup: the ids of its cells, their
// total, and how many other cells there are (none: a list reads every row,
// and a cell created since the snapshot then passes, which is harmless: the
// rows of a page are read again with their status).
type cellSet struct {
	ids      []int32
	excluded int
	total    int
	rows     int // rows of every cell: what a walk of a sort index goes through
}

// walkCond is the condition on the alias l that keeps the rows of the set's
// cells during the walk of a sort index: one bit of a bitmap of the cells
// per row, which costs nothing to plan (an array of a thousand cells took
// milliseconds of planning). It is one expression that the planner cannot
// read into, so that it estimates the same whatever the bitmap: the
// statement then keeps one generic plan per connection (with limitSQL)
// instead of being planned again for each list. (A separate "cell_id < n"
// was estimated from its value in a custom plan and as a third of the rows
// in the generic one, which PostgreSQL then always refused.)
func (cs cellSet) walkCond(a *Args) string {
	bits, last := cs.bitmap()
	return "get_bit(" + a.Add(bits) + "::bytea, least(l.cell_id, " + a.Add(last) + ")) = 1"
}

// bitmap returns the cells of the set as bits (cell id n is bit n%8 of byte
// n/8, as PostgreSQL's get_bit reads them) and the last bit, which is
// never set: a byte of padding follows the highest cell, so that a cell
// created since the snapshot, clamped to the last bit, reads 0.
func (cs cellSet) bitmap() ([]byte, int32) {
	var top int32
	for _, id := range cs.ids {
		top = max(top, id)
	}
	bits := make([]byte, top/8+2)
	for _, id := range cs.ids {
		bits[id/8] |= 1 << (id % 8)
	}
	return bits, int32(len(bits))*8 - 1
}

// compute returns the cells of the filter of m and its facets, in one pass
// over the cells. Facets count each dimension with the other filters
// applied but not its own, so that the other values of a chosen filter keep
// their counts.
func (s *snapshot) compute(m matcher) *cellView {
	// Counted in slices indexed by the (small) ids and bits of the values,
	// then turned into maps: a map update per cell and dimension cost a
	// tenth of a list page's time.
	var acc [dimCount]tally
	var set cellSet
	ids := idScratch.Get().(*[]int32) // the ids, copied once counted (a list computes a view per filter)
	kept := (*ids)[:0]
	for i := range s.cells {
		c := &s.cells[i]
		set.rows += c.n
		miss := m.misses(c)
		if miss != 0 {
			set.excluded++
		} else {
			kept = append(kept, c.id)
			set.total += c.n
		}
		if miss < 0 || c.n == 0 {
			continue
		}
		for d := range dimCount {
			if miss&^(1<<d) == 0 { // passes every other dimension
				acc[d].add(c.key(d), c.n)
			}
		}
	}
	set.ids = slices.Clone(kept)
	*ids = kept
	idScratch.Put(ids)
	out := newFacets()
	out.Total = set.total
	acc[dimAxis].each(func(k int64, n int) { out.Axis[k] = n })
	acc[dimEntry].each(func(k int64, n int) { out.Entry[s.names[k]] = n })
	acc[dimCategory].each(func(k int64, n int) { out.Category[s.names[k]] = n })
	some := func(m map[int64]int) func(int64, int) { // 0 is "none": not a value
		return func(k int64, n int) {
			if k != 0 {
				m[k] = n
			}
		}
	}
	acc[dimRegion].each(some(out.Region))
	acc[dimDepartement].each(some(out.Departement))
	acc[dimHub].each(some(out.Hub))
	acc[dimAssisted].each(func(k int64, n int) { out.Assisted[k == 1] = n })
	return &cellView{set: set, facets: out}
}

// idScratch holds the buffers in which compute gathers the ids of a view's
// cells before copying them at their size.
var idScratch = sync.Pool{New: func() any { return new([]int32) }}

// key is the value of c in dimension d as a small number: the id of its
// axis, région, département or Hub (0: none), or the bit number of its entry
// or category (snapshot.names turns it back into the value).
func (c *cell) key(d int) int64 {
	switch d {
	case dimAxis:
		return c.axis
	case dimEntry:
		return int64(bits.TrailingZeros64(c.entryBit))
	case dimCategory:
		return int64(bits.TrailingZeros64(c.categoryBit))
	case dimRegion:
		return c.region
	case dimDepartement:
		return c.departement
	case dimAssisted:
		if c.assisted {
			return 1
		}
		return 0
	}
	return c.hub
}

// tally sums counts by small non-negative key. Keys beyond tallyDense go to
// a map (ids are serials: rare). Zero counts are not reported.
type tally struct {
	dense  []int
	sparse map[int64]int
}

const tallyDense = 4096

func (t *tally) add(k int64, n int) {
	if k < 0 || k >= tallyDense {
		if t.sparse == nil {
			t.sparse = map[int64]int{}
		}
		t.sparse[k] += n
		return
	}
	if int(k) >= len(t.dense) {
		t.dense = append(t.dense, make([]int, int(k)+1-len(t.dense))...)
	}
	t.dense[k] += n
}

func (t *tally) each(fn func(k int64, n int)) {
	for k, n := range t.dense {
		if n > 0 {
			fn(int64(k), n)
		}
	}
	for k, n := range t.sparse {
		fn(k, n)
	}
}
