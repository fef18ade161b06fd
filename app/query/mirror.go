package query

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cnr-numerique/concertation/app/contribution"
)

// The mirror is a copy in memory of the listing's orders: for each order of
// a list, every contribution's id and cell in list order. A page of a list
// is then a walk of an array in the program instead of a walk of an index
// in the database, which was half of a list's database time at 1,000,000
// contributions.
//
// It is a replica with a short lag, like a PostgreSQL standby: it reads
// what changed (listing_changes, written by triggers in the transaction of
// every change) when a list finds it older than mirrorPoll or finds that
// this process changed something, and the request that reads does not wait
// for it (the others meanwhile use the copy they have). The person who has
// just acted reads the database itself (db.OnPrimary), as with a replica,
// so that their own support or contribution shows at once; everyone else
// sees it within mirrorPoll, and anonymous pages are kept 2 s besides.
// Until it is loaded, and when it is older than mirrorStale (the database
// failing, say), lists are read from the database.
const (
	mirrorPoll   = 250 * time.Millisecond
	mirrorGap    = 50 * time.Millisecond // after a change made through this process
	mirrorStale  = 5 * time.Second
	mirrorReload = 5 * time.Minute  // no read for longer: read everything again
	mirrorKeep   = 10 * time.Minute // changes older than this are deleted
	mirrorPrune  = 30 * time.Second
)

// mirror keeps the current mirrorSnap and reads the changes.
type mirror struct {
	db      *sql.DB
	changes func() uint64       // grows with every change made through this process
	log     func() *slog.Logger // nil: slog.Default
	current atomic.Pointer[mirrorSnap]
	busy    sync.Mutex // one read of the database at a time
	loading atomic.Bool
	// marks are the watermarks of past reads, oldest first: the changes
	// older than the first one kept mirrorKeep are deleted.
	marks  []mark
	pruned time.Time
	// disabled is set when the ids are too sparse for the copy's arrays.
	disabled atomic.Bool
}

type mark struct {
	at   time.Time
	xmin int64
}

// mirrorSnap is one immutable state of the mirror.
type mirrorSnap struct {
	rows   mirrorRows
	orders [4]mirrorOrder
	mark   watermark // the transactions whose changes it has read
	gen    uint64    // this process's changes when the read began
	read   time.Time // when the read began
}

// mirrorRows holds the rows by contribution id, in chunks that a read of
// the changes copies only when it changes one of their rows.
type mirrorRows struct {
	chunks [][]mirrorRow
	n      int // ids 0 to n-1
}

const mirrorChunk = 256

func newMirrorRows(n int) mirrorRows {
	r := mirrorRows{n: n, chunks: make([][]mirrorRow, (n+mirrorChunk-1)/mirrorChunk)}
	for i := range r.chunks {
		c := make([]mirrorRow, mirrorChunk)
		for j := range c {
			c[j].cell = -1
		}
		r.chunks[i] = c
	}
	return r
}

func (r *mirrorRows) at(id uint32) *mirrorRow { return &r.chunks[id/mirrorChunk][id%mirrorChunk] }

// with returns a copy of r where the rows of changed replace theirs,
// sharing the chunks that they leave as they were.
func (r mirrorRows) with(changed map[int64]mirrorRow) mirrorRows {
	top := r.n
	for id := range changed {
		top = max(top, int(id)+1)
	}
	out := mirrorRows{n: top, chunks: make([][]mirrorRow, (top+mirrorChunk-1)/mirrorChunk)}
	copy(out.chunks, r.chunks)
	for i := len(r.chunks); i < len(out.chunks); i++ {
		out.chunks[i] = newMirrorRows(mirrorChunk).chunks[0]
	}
	copied := map[int]bool{}
	for id, row := range changed {
		c := int(id) / mirrorChunk
		if c < len(r.chunks) && !copied[c] {
			out.chunks[c] = slices.Clone(r.chunks[c])
			copied[c] = true
		}
		out.chunks[c][int(id)%mirrorChunk] = row
	}
	return out
}

// mirrorRow is one contribution's cell and sort keys, and the other counts
// that its card shows; cell is -1 for an id that is not in the listing.
type mirrorRow struct {
	created                  int64 // microseconds since 1970
	cell, rnd, disc, support int32
	counts                   [7]int32 // reactions (soutient, complete, nuance, conteste), arguments (pour, contre, neutre)
}

// counters returns the counts of contribution id (zero for an id that it
// does not hold).
func (s *mirrorSnap) counters(id int64) contribution.Counters {
	if id < 0 || id >= int64(s.rows.n) {
		return contribution.Counters{}
	}
	return s.rows.at(uint32(id)).counters()
}

// counters returns the counts of r as contribution_counters holds them.
func (r *mirrorRow) counters() contribution.Counters {
	c := &r.counts
	return contribution.Counters{Supports: int(r.support),
		ReactionsSoutient: int(c[0]), ReactionsComplete: int(c[1]), ReactionsNuance: int(c[2]), ReactionsConteste: int(c[3]),
		ArgumentsPour: int(c[4]), ArgumentsContre: int(c[5]), ArgumentsNeutre: int(c[6])}
}

// mirrorOrder is one order's rows in list order (for a random order, rnd
// ascending: a list starts at the visitor's rank and wraps around), and
// the positions of each cell's rows, ascending: those of cell c are
// pos[start[c]:start[c+1]].
type mirrorOrder struct {
	ids   []uint32
	cells []int32
	start []int32
	pos   []int32
}

// The orders, by their index in mirrorSnap.orders.
const (
	mirrorRecent = iota
	mirrorSupports
	mirrorDiscussed
	mirrorRandom
)

func mirrorIndex(s Sort) int {
	switch s {
	case SortSupports:
		return mirrorSupports
	case SortDiscussed:
		return mirrorDiscussed
	case SortRandom:
		return mirrorRandom
	}
	return mirrorRecent
}

// key returns the sort key of row id in order o, as cursors write it.
func (s *mirrorSnap) key(o int, id uint32) int64 {
	r := s.rows.at(id)
	switch o {
	case mirrorSupports:
		return int64(r.support)
	case mirrorDiscussed:
		return int64(r.disc)
	case mirrorRandom:
		return int64(r.rnd)
	}
	return r.created
}

// before tells whether row a comes before row b in the list order o.
func (s *mirrorSnap) before(o int, a, b uint32) bool {
	ka, kb := s.key(o, a), s.key(o, b)
	if o == mirrorRandom {
		return ka < kb || (ka == kb && a < b)
	}
	return ka > kb || (ka == kb && a > b)
}

// get returns the copy to read for a list, nil when there is none fresh
// enough; it starts a read of the changes when the copy is older than
// mirrorPoll or this process changed something since, and does not wait
// for it unless wait is set (tests).
func (m *mirror) get(ctx context.Context, wait bool) *mirrorSnap {
	if m.db == nil || m.disabled.Load() {
		return nil
	}
	s := m.current.Load()
	if s == nil {
		if !wait {
			m.warm()
			return nil
		}
		m.busy.Lock()
		defer m.busy.Unlock()
		if m.current.Load() == nil {
			if err := m.load(ctx); err != nil {
				return nil
			}
		}
		return m.current.Load()
	}
	age := time.Since(s.read)
	if !wait && (age < mirrorGap || (age < mirrorPoll && s.gen == m.changes())) {
		return s
	}
	if age >= mirrorReload {
		m.warm()
		return nil
	}
	if !wait {
		// The read runs beside the request, which uses the copy it has:
		// no list waits for the database's answer or the merge.
		if m.busy.TryLock() {
			go func() {
				defer m.busy.Unlock()
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*mirrorStale)
				defer cancel()
				m.update(ctx, s)
			}()
		}
		return fresh(s)
	}
	m.busy.Lock()
	defer m.busy.Unlock()
	return m.update(ctx, s)
}

// update reads the changes since s unless another read replaced s
// meanwhile, and returns the copy to use. The caller holds busy.
func (m *mirror) update(ctx context.Context, s *mirrorSnap) *mirrorSnap {
	if s2 := m.current.Load(); s2 != s {
		return fresh(s2) // read meanwhile
	}
	next, err := m.refresh(ctx, s)
	if errors.Is(err, errSparse) {
		m.disabled.Store(true)
		m.logger().Warn("mirror: contribution ids too sparse; lists read the database", "err", err)
		return nil
	}
	if err != nil {
		m.logger().Warn("mirror: read of the changes failed", "err", err)
		return fresh(s)
	}
	m.current.Store(next)
	return next
}

func (m *mirror) logger() *slog.Logger {
	if m.log != nil {
		return m.log()
	}
	return slog.Default()
}

// fresh returns s when it is recent enough to answer lists.
func fresh(s *mirrorSnap) *mirrorSnap {
	if s == nil || time.Since(s.read) >= mirrorStale {
		return nil
	}
	return s
}

// warm starts reading the whole listing in the background, unless a read
// is under way.
func (m *mirror) warm() {
	if m.db == nil || !m.loading.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer m.loading.Store(false)
		m.busy.Lock()
		defer m.busy.Unlock()
		if s := m.current.Load(); s != nil && time.Since(s.read) < mirrorReload {
			return
		}
		if err := m.load(context.Background()); err != nil {
			m.logger().Warn("mirror: read of the listing failed; lists read the database", "err", err)
		}
	}()
}

// Warm reads the whole listing now (serve calls it at start, so that the
// first lists need not wait for it).
func (m *mirror) Warm(ctx context.Context) error {
	m.busy.Lock()
	defer m.busy.Unlock()
	return m.load(ctx)
}

var errSparse = errors.New("mirror: contribution ids too sparse for arrays by id")

// load reads the whole listing, in one snapshot with its watermark.
func (m *mirror) load(ctx context.Context) error {
	gen, now := m.changes(), time.Now()
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // read only: nothing to keep
	w, err := readWatermark(ctx, tx)
	if err != nil {
		return err
	}
	var top, n int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(contribution_id), 0), count(*) FROM contribution_listing`).Scan(&top, &n); err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	if top > math.MaxUint32-1 || top > 4*n+1_000_000 {
		m.disabled.Store(true)
		return errSparse
	}
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(mirrorSelect, "l.contribution_id")+` FROM contribution_listing l
		LEFT JOIN contribution_counters k ON k.contribution_id = l.contribution_id`)
	if err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	byID := newMirrorRows(int(top) + 1)
	if err := scanMirror(rows, func(id int64, r mirrorRow) { *byID.at(uint32(id)) = r }); err != nil {
		return err
	}
	s := &mirrorSnap{rows: byID, mark: w, gen: gen, read: now}
	for o := range s.orders {
		s.orders[o] = s.sorted(o)
	}
	m.current.Store(s)
	m.marks = append(m.marks[:0], mark{now, w.xmin})
	return nil
}

const mirrorSelect = `SELECT %s, l.cell_id, (extract(epoch FROM l.created_at) * 1000000)::bigint,
	l.rnd, l.discussion, COALESCE(k.supports, 0), COALESCE(k.reactions_soutient, 0), COALESCE(k.reactions_complete, 0),
	COALESCE(k.reactions_nuance, 0), COALESCE(k.reactions_conteste, 0),
	COALESCE(k.arguments_pour, 0), COALESCE(k.arguments_contre, 0), COALESCE(k.arguments_neutre, 0)`

// scanMirror reads rows of mirrorSelect (a missing listing row, in a left
// join, reads as cell -1).
func scanMirror(rows *sql.Rows, put func(id int64, r mirrorRow)) error {
	defer rows.Close()
	for rows.Next() {
		var id int64
		var cell, rnd, disc, support sql.NullInt32
		var created sql.NullInt64
		var counts [7]int32
		if err := rows.Scan(&id, &cell, &created, &rnd, &disc, &support,
			&counts[0], &counts[1], &counts[2], &counts[3], &counts[4], &counts[5], &counts[6]); err != nil {
			return fmt.Errorf("mirror: %w", err)
		}
		r := mirrorRow{cell: -1}
		if cell.Valid {
			r = mirrorRow{created: created.Int64, cell: cell.Int32, rnd: rnd.Int32, disc: disc.Int32, support: support.Int32, counts: counts}
		}
		put(id, r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	return nil
}

// sorted builds order o from the rows: their keys and ids sorted side by
// side (a comparison that looked the keys up by id took seconds).
func (s *mirrorSnap) sorted(o int) mirrorOrder {
	type entry struct {
		key int64
		id  uint32
	}
	all := make([]entry, 0, s.rows.n)
	for id := range s.rows.n {
		if s.rows.at(uint32(id)).cell >= 0 {
			all = append(all, entry{s.key(o, uint32(id)), uint32(id)})
		}
	}
	random := o == mirrorRandom
	slices.SortFunc(all, func(a, b entry) int {
		c := cmp.Compare(a.key, b.key)
		if c == 0 {
			c = cmp.Compare(a.id, b.id)
		}
		if random {
			return c
		}
		return -c
	})
	ids, cells := make([]uint32, len(all)), make([]int32, len(all))
	for i, e := range all {
		ids[i], cells[i] = e.id, s.rows.at(e.id).cell
	}
	return indexed(ids, cells)
}

// indexed returns the order of ids, whose cells are cells, with the
// positions of each cell.
func indexed(ids []uint32, cells []int32) mirrorOrder {
	mo := mirrorOrder{ids: ids, cells: cells}
	var top int32
	for _, c := range cells {
		top = max(top, c)
	}
	mo.start = make([]int32, top+2)
	for _, c := range mo.cells {
		mo.start[c+1]++
	}
	for c := 1; c < len(mo.start); c++ {
		mo.start[c] += mo.start[c-1]
	}
	mo.pos = make([]int32, len(ids))
	next := slices.Clone(mo.start[:len(mo.start)-1])
	for i, c := range mo.cells {
		mo.pos[next[c]] = int32(i)
		next[c]++
	}
	return mo
}

// watermark is what a snapshot of the database saw of the transactions:
// every transaction before xmax was finished except those of xip, and all
// before xmin were. The next read takes the changes of the transactions
// that it did not see finished: from xmax on, and those of xip.
type watermark struct {
	xmin, xmax int64
	xip        string // PostgreSQL array of xid8
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readWatermark reads the watermark of the current snapshot (of the
// transaction of q, or of its statement).
func readWatermark(ctx context.Context, q queryRower) (watermark, error) {
	var w watermark
	err := q.QueryRowContext(ctx, `SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint,
		array(SELECT pg_snapshot_xip(s))::text FROM pg_current_snapshot() s`).Scan(&w.xmin, &w.xmax, &w.xip)
	if err != nil {
		return w, fmt.Errorf("mirror: %w", err)
	}
	return w, nil
}

// refresh returns s with the changes since it was read.
func (m *mirror) refresh(ctx context.Context, s *mirrorSnap) (*mirrorSnap, error) {
	gen, now := m.changes(), time.Now()
	w, err := readWatermark(ctx, m.db)
	if err != nil {
		return nil, err
	}
	rows, err := m.db.QueryContext(ctx, fmt.Sprintf(mirrorSelect, "ch.contribution_id")+` FROM (SELECT DISTINCT contribution_id FROM listing_changes
		WHERE xid >= $1::bigint::text::xid8 OR xid = ANY($2::xid8[])) ch
		LEFT JOIN contribution_listing l ON l.contribution_id = ch.contribution_id
		LEFT JOIN contribution_counters k ON k.contribution_id = ch.contribution_id`, s.mark.xmax, s.mark.xip)
	if err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	changed := map[int64]mirrorRow{}
	if err := scanMirror(rows, func(id int64, r mirrorRow) { changed[id] = r }); err != nil {
		return nil, err
	}
	m.prune(ctx, now, w.xmin)
	return s.with(changed, w, gen, now)
}

// prune deletes the changes that every process has read (those older than
// mirrorKeep: a process that has not read for mirrorReload reads whole).
func (m *mirror) prune(ctx context.Context, now time.Time, xmin int64) {
	m.marks = append(m.marks, mark{now, xmin})
	if now.Sub(m.pruned) < mirrorPrune {
		return
	}
	var upTo int64
	for len(m.marks) > 0 && now.Sub(m.marks[0].at) >= mirrorKeep {
		upTo = m.marks[0].xmin
		m.marks = m.marks[1:]
	}
	// Keep one mark per prune period at most: the list stays short.
	m.marks = compactMarks(m.marks, mirrorPrune)
	m.pruned = now
	if upTo == 0 {
		return
	}
	if _, err := m.db.ExecContext(ctx, `DELETE FROM listing_changes WHERE xid < $1::bigint::text::xid8`, upTo); err != nil {
		m.logger().Warn("mirror: deleting old changes failed", "err", err)
	}
}

// compactMarks keeps marks at least every apart (and the last one).
func compactMarks(marks []mark, every time.Duration) []mark {
	out := marks[:0]
	for i, mk := range marks {
		if len(out) == 0 || i == len(marks)-1 || mk.at.Sub(out[len(out)-1].at) >= every {
			out = append(out, mk)
		}
	}
	return out
}

// with returns a copy of s where the rows of changed replace theirs, and
// every order that they change is merged again.
func (s *mirrorSnap) with(changed map[int64]mirrorRow, w watermark, gen uint64, read time.Time) (*mirrorSnap, error) {
	next := &mirrorSnap{orders: s.orders, mark: w, gen: gen, read: read, rows: s.rows}
	if len(changed) == 0 {
		return next, nil
	}
	top := int64(s.rows.n) - 1
	for id := range changed {
		top = max(top, id)
	}
	if top > math.MaxUint32-1 || top > 4*int64(len(s.orders[0].ids))+1_000_000 {
		return nil, errSparse
	}
	next.rows = s.rows.with(changed)
	ids := make([]uint32, 0, len(changed))
	for id := range changed {
		ids = append(ids, uint32(id))
	}
	for o := range next.orders {
		var moved []uint32 // rows that leave or change place in o
		for _, id := range ids {
			old := mirrorRow{cell: -1}
			if int(id) < s.rows.n {
				old = *s.rows.at(id)
			}
			r := *next.rows.at(id)
			if old.cell != r.cell || (r.cell >= 0 && s.key(o, id) != next.key(o, id)) {
				moved = append(moved, id)
			}
		}
		if len(moved) > 0 {
			next.orders[o] = next.merge(s, o, moved)
		}
	}
	return next, nil
}

// merge returns the order o of prev without the rows of moved, and with
// those of moved that are in the listing at their place. Each is found by a
// binary search (the rows left out by their keys in prev, those put in by
// their keys now); the runs between are copied whole.
func (s *mirrorSnap) merge(prev *mirrorSnap, o int, moved []uint32) mirrorOrder {
	old := &prev.orders[o]
	type cut struct {
		pos    int
		id     uint32
		insert bool
	}
	cuts := make([]cut, 0, 2*len(moved))
	for _, id := range moved {
		if int(id) < prev.rows.n && prev.rows.at(id).cell >= 0 {
			p := sort.Search(len(old.ids), func(i int) bool { return !prev.before(o, old.ids[i], id) })
			if p < len(old.ids) && old.ids[p] == id {
				cuts = append(cuts, cut{pos: p, id: id})
			}
		}
		if s.rows.at(id).cell >= 0 {
			// Before the first row of prev that comes after it: the rows of
			// prev that stay have the same keys in both.
			p := sort.Search(len(old.ids), func(i int) bool {
				b := old.ids[i]
				kn, kb := s.key(o, id), prev.key(o, b)
				if o == mirrorRandom {
					return kb > kn || (kb == kn && b > id)
				}
				return kb < kn || (kb == kn && b < id)
			})
			cuts = append(cuts, cut{pos: p, id: id, insert: true})
		}
	}
	// In list order: by position, rows put in before the row left out at
	// the same position, and among them by the order itself.
	slices.SortFunc(cuts, func(a, b cut) int {
		switch {
		case a.pos != b.pos:
			return a.pos - b.pos
		case a.insert != b.insert:
			if a.insert {
				return -1
			}
			return 1
		case s.before(o, a.id, b.id):
			return -1
		}
		return 1
	})
	n := len(old.ids)
	for _, c := range cuts {
		if c.insert {
			n++
		} else {
			n--
		}
	}
	ids, cells := make([]uint32, 0, n), make([]int32, 0, n)
	i := 0
	for _, c := range cuts {
		ids, cells = append(ids, old.ids[i:c.pos]...), append(cells, old.cells[i:c.pos]...)
		i = c.pos
		if c.insert {
			ids, cells = append(ids, c.id), append(cells, s.rows.at(c.id).cell)
		} else {
			i++
		}
	}
	ids, cells = append(ids, old.ids[i:]...), append(cells, old.cells[i:]...)
	return indexed(ids, cells)
}

// after returns the first position of o among [lo, hi) that comes after the
// cursor (key, id) in list order, or, with inclusive, at or after it.
func (s *mirrorSnap) after(o int, lo, hi int, key, id int64, inclusive bool) int {
	mo := &s.orders[o]
	return lo + sort.Search(hi-lo, func(i int) bool {
		d := int64(mo.ids[lo+i])
		k := s.key(o, mo.ids[lo+i])
		if inclusive && k == key && d == id {
			return true
		}
		if o == mirrorRandom {
			return k > key || (k == key && d > id)
		}
		return k < key || (k == key && d < id)
	})
}

// page returns up to limit rows of the list (id, key, segment) whose cell is
// in set (nil: every row), after (or, backward, before) cursor at, skipping
// offset rows: what pageSQL's statement returns. A whole set is read from
// its cells' positions, sorted; another is walked in list order.
func (s *mirrorSnap) page(o int, set *cellSet, whole bool, start int64, at *cursor, backward bool, limit, offset int) []cursor {
	mo := &s.orders[o]
	out := make([]cursor, 0, limit)
	skip := offset
	take := func(i int32, seg int) bool {
		if skip > 0 {
			skip--
			return false
		}
		id := mo.ids[i]
		out = append(out, cursor{seg: seg, key: s.key(o, id), id: int64(id)})
		return len(out) >= limit
	}
	var flags []bool
	if set != nil && !whole && set.excluded > 0 {
		flags = make([]bool, len(mo.start))
		for _, c := range set.ids {
			if c >= 0 && int(c) < len(flags) {
				flags[c] = true
			}
		}
	}
	var ps []int32
	for _, r := range s.ranges(o, start, at, backward) {
		switch {
		case whole && set != nil:
			ps = mo.positions(ps[:0], set.ids, r.lo, r.hi)
			slices.Sort(ps)
			if backward {
				slices.Reverse(ps)
			}
			for _, i := range ps {
				if take(i, r.seg) {
					return out
				}
			}
		case backward:
			for i := r.hi - 1; i >= r.lo; i-- {
				if c := mo.cells[i]; (flags == nil || (int(c) < len(flags) && flags[c])) && take(int32(i), r.seg) {
					return out
				}
			}
		default:
			for i := r.lo; i < r.hi; i++ {
				if c := mo.cells[i]; (flags == nil || (int(c) < len(flags) && flags[c])) && take(int32(i), r.seg) {
					return out
				}
			}
		}
	}
	return out
}

// positions appends the positions of the rows of cells in [lo, hi).
func (mo *mirrorOrder) positions(dst []int32, cells []int32, lo, hi int) []int32 {
	for _, c := range cells {
		if c < 0 || int(c)+1 >= len(mo.start) {
			continue
		}
		p := mo.pos[mo.start[c]:mo.start[c+1]]
		a, _ := slices.BinarySearch(p, int32(lo))
		b, _ := slices.BinarySearch(p, int32(hi))
		dst = append(dst, p[a:b]...)
	}
	return dst
}

// mirrorRange is a run of positions of one segment of a list.
type mirrorRange struct{ lo, hi, seg int }

// ranges returns the runs of positions that a read of the list goes
// through, in the order read: the list's segments (one, or two for a random
// order: the ranks from the visitor's start, then those before it), cut at
// the cursor and taken in reverse when backward.
func (s *mirrorSnap) ranges(o int, start int64, at *cursor, backward bool) []mirrorRange {
	mo := &s.orders[o]
	n := len(mo.ids)
	segs := []mirrorRange{{0, n, 0}}
	if o == mirrorRandom {
		split := sort.Search(n, func(i int) bool { return s.key(o, mo.ids[i]) >= start })
		segs = []mirrorRange{{split, n, 0}, {0, split, 1}}
	}
	if backward {
		slices.Reverse(segs)
	}
	out := segs[:0]
	for _, r := range segs {
		if at != nil {
			if r.seg != at.seg && (r.seg < at.seg) != backward {
				continue // a segment already passed in the direction read
			}
			if r.seg == at.seg {
				if backward {
					r.hi = s.after(o, r.lo, r.hi, at.key, at.id, true)
				} else {
					r.lo = s.after(o, r.lo, r.hi, at.key, at.id, false)
				}
			}
		}
		out = append(out, r)
	}
	return out
}
