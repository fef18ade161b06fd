package query

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/app/seed/synthetic"
	"github.com/cnr-numerique/concertation/search"
	"github.com/cnr-numerique/concertation/seeds"
)

// mirrorFixture is a synthetic concertation read by two services: one whose
// lists walk the mirror (reading its changes at each list), one whose lists
// walk the database's indexes.
type mirrorFixture struct {
	t          *testing.T
	ctx        context.Context
	d          *db.DB
	sql        *sql.DB
	mirror, db *Service
	cons       int64
	cards      int // cards compared
	dims       struct {
		axes, regions, deps, hubs []int64
		entries, cats             []string
	}
}

func newMirrorFixture(t *testing.T, contributions int) *mirrorFixture {
	d := dbtest.New(t)
	ctx := context.Background()
	if err := seed.Reference(ctx, d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	if _, err := synthetic.Load(ctx, d, synthetic.Options{Contributions: contributions, Supports: 3 * contributions, Users: 300, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	f := &mirrorFixture{t: t, ctx: ctx, d: d, sql: d.SQL()}
	store := contribution.NewStore(d)
	f.mirror = New(d, store, search.NewPostgres(d.SQL()))
	f.mirror.mirrorWait = true
	f.db = New(d, store, search.NewPostgres(d.SQL()))
	f.db.mirrorOff = true
	if err := f.sql.QueryRowContext(ctx, `SELECT id FROM consultations ORDER BY id LIMIT 1`).Scan(&f.cons); err != nil {
		t.Fatal(err)
	}
	f.dims.axes = column[int64](f, `SELECT DISTINCT axis_id FROM contribution_cells`)
	f.dims.regions = column[int64](f, `SELECT DISTINCT region_id FROM contribution_cells WHERE region_id > 0`)
	f.dims.deps = column[int64](f, `SELECT DISTINCT departement_id FROM contribution_cells WHERE departement_id > 0`)
	f.dims.hubs = column[int64](f, `SELECT DISTINCT hub_id FROM contribution_cells WHERE hub_id > 0`)
	f.dims.entries = column[string](f, `SELECT DISTINCT entry FROM contribution_cells`)
	f.dims.cats = column[string](f, `SELECT DISTINCT author_category FROM contribution_cells`)
	return f
}

// column returns the values of the one column that q reads.
func column[T any](f *mirrorFixture, q string) []T {
	f.t.Helper()
	rows, err := f.sql.QueryContext(f.ctx, q)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	return out
}

// filter returns a random filter over every dimension: a public one, or
// one of the rapporteurs' workspace with hidden or withdrawn contributions.
func (f *mirrorFixture) filter(r *rand.Rand) Filter {
	flt := Filter{ConsultationID: f.cons, Public: true, Statuses: []string{StatusPublished}}
	if r.IntN(4) == 0 {
		flt.Public = false
		flt.Statuses = [][]string{{StatusHidden}, {StatusWithdrawn}, {StatusPublished, StatusHidden, StatusWithdrawn}}[r.IntN(3)]
	}
	pick := func(n int) bool { return r.IntN(3) == 0 && n > 0 }
	if pick(len(f.dims.axes)) {
		flt.Axes = []int64{f.dims.axes[r.IntN(len(f.dims.axes))]}
	}
	if pick(len(f.dims.entries)) {
		flt.Entries = []string{f.dims.entries[r.IntN(len(f.dims.entries))]}
	}
	if pick(len(f.dims.cats)) {
		flt.Categories = []string{f.dims.cats[r.IntN(len(f.dims.cats))]}
	}
	switch r.IntN(4) {
	case 0:
		if len(f.dims.regions) > 0 {
			flt.Regions = []int64{f.dims.regions[r.IntN(len(f.dims.regions))]}
		}
	case 1:
		if len(f.dims.deps) > 0 {
			flt.Departements = []int64{f.dims.deps[r.IntN(len(f.dims.deps))]}
		}
	}
	if pick(len(f.dims.hubs)) {
		flt.Hubs = []int64{f.dims.hubs[r.IntN(len(f.dims.hubs))]}
	}
	if r.IntN(6) == 0 {
		flt.Assisted = []bool{r.IntN(2) == 0}
	}
	return flt
}

// compare reads random pages of random filters through both services, and
// follows their links both ways, checking that each gives the same page.
func (f *mirrorFixture) compare(r *rand.Rand, lists int) {
	f.t.Helper()
	for i := range lists {
		f.mirror.mirrorWalk = i%2 == 1 // both ways of the mirror: its cells' positions, its walk
		flt := f.filter(r)
		req := PageRequest{Sort: Sorts[r.IntN(len(Sorts))], Seed: r.Int64N(1 << 40), PerPage: PageSizes[r.IntN(len(PageSizes))], Number: 1 + r.IntN(4)}
		if r.IntN(3) == 0 {
			req.Number = 1 << 20 // past the end: the last page
		}
		for step := range 6 {
			want, err1 := f.db.IDs(f.ctx, flt, req)
			got, err2 := f.mirror.IDs(f.ctx, flt, req)
			if !errors.Is(err2, err1) {
				f.t.Fatalf("%+v %+v: mirror error %v, database error %v", flt, req, err2, err1)
			}
			if got.from == nil && err2 == nil && len(got.IDs) > 0 {
				f.t.Fatalf("%+v %+v: the page was not read from the mirror", flt, req)
			}
			got.from = nil
			if !reflect.DeepEqual(got, want) {
				f.t.Fatalf("%+v %+v (step %d):\nmirror   %+v\ndatabase %+v", flt, req, step, got, want)
			}
			if step == 0 && flt.Public {
				f.compareCards(flt, req)
			}
			// Follow a link: the next or the previous page, by cursor.
			if want.Next != "" && (want.Prev == "" || r.IntN(2) == 0) {
				req.After, req.Before, req.Number = want.Next, "", want.Number+1
			} else if want.Prev != "" {
				req.After, req.Before, req.Number = "", want.Prev, want.Number-1
			} else {
				break
			}
		}
	}
}

// compareCards checks that the cards of a public list, counted by the
// mirror, are those that the database gives with its counters.
func (f *mirrorFixture) compareCards(flt Filter, req PageRequest) (counted bool) {
	f.t.Helper()
	want, err1 := f.db.List(f.ctx, flt, req)
	got, err2 := f.mirror.List(f.ctx, flt, req)
	if err1 != nil || err2 != nil {
		if !errors.Is(err2, err1) {
			f.t.Fatalf("%+v %+v: mirror error %v, database error %v", flt, req, err2, err1)
		}
		return false
	}
	if len(got.Items) != len(want.Items) {
		f.t.Fatalf("%+v %+v: %d cards from the mirror, %d from the database", flt, req, len(got.Items), len(want.Items))
	}
	for i := range want.Items {
		if !reflect.DeepEqual(got.Items[i], want.Items[i]) {
			f.t.Fatalf("%+v %+v: card %d:\nmirror   %+v\ndatabase %+v", flt, req, i, got.Items[i], want.Items[i])
		}
	}
	f.cards += len(got.Items)
	return got.from != nil
}

// compareSearches checks that the cards of searches, counted by the mirror
// when it holds every contribution found, are those of the database.
func (f *mirrorFixture) compareSearches() {
	f.t.Helper()
	before, counted := f.cards, 0
	for _, text := range []string{"numérique", "accompagnement", "médiation", "ateliers", "territoires"} {
		flt := Filter{ConsultationID: f.cons, Text: text}
		for _, req := range []PageRequest{{Sort: SortRelevance, PerPage: 20, Number: 1}, {Sort: SortSupports, PerPage: 20, Number: 2}} {
			if f.compareCards(flt, req) {
				counted++
			}
		}
	}
	if f.cards-before < 50 || counted == 0 {
		f.t.Fatalf("the searches found %d cards, %d lists counted by the mirror: too few to compare", f.cards-before, counted)
	}
}

// exec runs statements, failing the test on an error.
func (f *mirrorFixture) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.sql.ExecContext(f.ctx, q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

// TestMirrorListsAsTheDatabase checks that the lists read from the mirror
// are those of the database's indexes, page for page and link for link, in
// every order and for random filters of every dimension, and again after
// writes of every kind that move a contribution in an order or between
// cells: supports, arguments, hides, withdrawals, edits of axis and
// territory, new contributions, deletions.
func TestMirrorListsAsTheDatabase(t *testing.T) {
	f := newMirrorFixture(t, 1500)
	r := rand.New(rand.NewPCG(1, 2))
	f.compare(r, 150)
	if f.mirror.mirror.current.Load() == nil {
		t.Fatal("the mirror was not read")
	}
	f.compareSearches()
	for round := range 3 {
		// Supports and arguments: the supports and discussion orders.
		f.exec(`UPDATE contribution_counters SET supports = supports + 1 + (contribution_id % 7)
			WHERE contribution_id IN (SELECT contribution_id FROM contribution_counters ORDER BY random() LIMIT 200)`)
		f.exec(`UPDATE contribution_counters SET arguments_pour = arguments_pour + 3
			WHERE contribution_id IN (SELECT contribution_id FROM contribution_counters ORDER BY random() LIMIT 100)`)
		// Hides and withdrawals leave the published cells.
		f.exec(`UPDATE contributions SET status = 'hidden', hidden_reason = 'test'
			WHERE id IN (SELECT id FROM contributions WHERE status = 'published' ORDER BY random() LIMIT 30)`)
		f.exec(`UPDATE contributions SET status = 'withdrawn'
			WHERE id IN (SELECT id FROM contributions WHERE status = 'published' ORDER BY random() LIMIT 20)`)
		// Edits of axis and territory move between cells.
		f.exec(`UPDATE contributions SET axis_id = (SELECT min(axis_id) FROM contribution_cells)
			WHERE id IN (SELECT id FROM contributions WHERE status = 'published' ORDER BY random() LIMIT 40)`)
		f.exec(`UPDATE contributions SET departement_id = (SELECT departement_id FROM contributions WHERE departement_id IS NOT NULL LIMIT 1),
			region_id = (SELECT region_id FROM contributions WHERE departement_id IS NOT NULL LIMIT 1)
			WHERE id IN (SELECT id FROM contributions WHERE status = 'published' AND departement_id IS NOT NULL ORDER BY random() LIMIT 40)`)
		// Deletions, and new contributions (higher ids than any read).
		f.exec(`DELETE FROM contributions WHERE id IN (SELECT id FROM contributions WHERE entry = 'libres' AND reacts_to_id IS NULL
			AND NOT EXISTS (SELECT 1 FROM contributions x WHERE x.reacts_to_id = contributions.id) ORDER BY random() LIMIT 10)`)
		if _, err := synthetic.Load(f.ctx, f.d, synthetic.Options{Contributions: 100, Supports: 200, Users: 50, Seed: uint64(20 + round)}); err != nil {
			t.Fatal(err)
		}
		// Counts that a card shows without moving it in any order (after
		// the load, which counts again): an argument for one reaction less,
		// another kind of argument.
		f.exec(`UPDATE contribution_counters SET arguments_contre = arguments_contre + 1, reactions_nuance = reactions_nuance - 1
			WHERE contribution_id IN (SELECT contribution_id FROM contribution_counters WHERE reactions_nuance > 0 ORDER BY random() LIMIT 60)`)
		f.exec(`UPDATE contribution_counters SET arguments_neutre = arguments_neutre + 1, arguments_pour = arguments_pour - 1
			WHERE contribution_id IN (SELECT contribution_id FROM contribution_counters WHERE arguments_pour > 0 ORDER BY random() LIMIT 60)`)
		time.Sleep(pollEvery) // the rollup, which counts the lists, reads the writes once older than this
		f.compare(r, 100)
		f.compareSearches()
	}
	// The orders were merged again, not read whole: the changes were read.
	var changes int
	if err := f.sql.QueryRowContext(f.ctx, `SELECT count(*) FROM listing_changes`).Scan(&changes); err != nil || changes == 0 {
		t.Fatalf("listing_changes: %d rows, %v", changes, err)
	}
}

// TestMirrorMissesNoTransaction checks that a change committed after a
// later one is still read: the mirror reads again every transaction that
// was running at its last read, whatever its commit order.
func TestMirrorMissesNoTransaction(t *testing.T) {
	f := newMirrorFixture(t, 200)
	m := &f.mirror.mirror
	if s := m.get(f.ctx, true); s == nil {
		t.Fatal("mirror not read")
	}
	var a, b int64
	if err := f.sql.QueryRowContext(f.ctx, `SELECT min(contribution_id), max(contribution_id) FROM contribution_listing`).Scan(&a, &b); err != nil {
		t.Fatal(err)
	}
	supports := func(id int64) int32 { return m.current.Load().rows.at(uint32(id)).support }
	before := supports(a)
	// The first transaction writes, and commits only after a second one.
	tx, err := f.sql.BeginTx(f.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(f.ctx, `UPDATE contribution_counters SET supports = supports + 1000 WHERE contribution_id = $1`, a); err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE contribution_counters SET supports = supports + 500 WHERE contribution_id = $1`, b)
	m.get(f.ctx, true)
	if got := supports(a); got != before {
		t.Fatalf("uncommitted change read: %d", got)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	m.get(f.ctx, true)
	if got := supports(a); got != before+1000 {
		t.Fatalf("the change committed after a later one was missed: %d supports, want %d", got, before+1000)
	}
}

// TestMirrorReadsOtherProcesses checks the lag of a list for a change made
// by another process (its writes do not move this one's counter of changes):
// within mirrorPoll the list may be the old one; after it, it is the new one.
// A visitor who has just acted reads the database at once.
func TestMirrorReadsOtherProcesses(t *testing.T) {
	f := newMirrorFixture(t, 300)
	f.mirror.mirrorWait = false
	if err := f.mirror.WarmLists(f.ctx); err != nil {
		t.Fatal(err)
	}
	flt := Filter{ConsultationID: f.cons, Public: true, Statuses: []string{StatusPublished}}
	req := PageRequest{Sort: SortSupports, PerPage: 10, Number: 1}
	var last int64
	if err := f.sql.QueryRowContext(f.ctx, `SELECT l.contribution_id FROM contribution_listing l JOIN contribution_cells c ON c.id = l.cell_id
		WHERE c.status = 'published' ORDER BY l.contribution_id DESC LIMIT 1`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE contribution_counters SET supports = 100000 WHERE contribution_id = $1`, last)
	if p, err := f.mirror.IDs(db.WithPrimary(f.ctx), flt, req); err != nil || p.IDs[0] != last {
		t.Fatalf("the person who acted does not see their change at once: %v %v", p.IDs, err)
	}
	deadline := time.Now().Add(mirrorPoll + 2*time.Second)
	for {
		p, err := f.mirror.IDs(f.ctx, flt, req)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.IDs) > 0 && p.IDs[0] == last {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v the list still does not show the change: %v", mirrorPoll+2*time.Second, p.IDs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if age := time.Since(f.mirror.mirror.current.Load().read); age > mirrorPoll+2*time.Second {
		t.Errorf("mirror read %v ago", age)
	}
}

// TestMirrorPrunesChanges checks that the changes every process has read
// are deleted after mirrorKeep, and those still needed are kept.
func TestMirrorPrunesChanges(t *testing.T) {
	f := newMirrorFixture(t, 100)
	m := &f.mirror.mirror
	m.get(f.ctx, true)
	count := func() (n int) {
		if err := f.sql.QueryRowContext(f.ctx, `SELECT count(*) FROM listing_changes`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	f.exec(`UPDATE contribution_counters SET supports = supports + 1`)
	m.get(f.ctx, true) // a mark after the change
	old := count()
	if old == 0 {
		t.Fatal("no change written")
	}
	f.exec(`UPDATE contribution_counters SET supports = supports + 1 WHERE contribution_id = (SELECT min(contribution_id) FROM contribution_counters)`)
	m.get(f.ctx, true)
	// Pretend the marks are old: the first is older than mirrorKeep.
	m.busy.Lock()
	for i := range m.marks {
		m.marks[i].at = m.marks[i].at.Add(-mirrorKeep - time.Minute)
	}
	m.marks[len(m.marks)-1].at = time.Now()
	m.pruned = time.Time{}
	var xmin int64
	if err := f.sql.QueryRowContext(f.ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint`).Scan(&xmin); err != nil {
		t.Fatal(err)
	}
	m.prune(f.ctx, time.Now(), xmin)
	m.busy.Unlock()
	if n := count(); n == 0 || n >= old {
		t.Errorf("after pruning: %d changes (were %d; the last one must stay)", n, old+1)
	}
}

// TestMirrorUnderConcurrentWrites lists from several goroutines while others
// write and the mirror reads the changes (run with -race, it checks that
// readers never see a copy being changed); once the writes stop and the
// mirror has read them, its lists are the database's again.
func TestMirrorUnderConcurrentWrites(t *testing.T) {
	f := newMirrorFixture(t, 600)
	f.mirror.mirrorWait = false
	if err := f.mirror.WarmLists(f.ctx); err != nil {
		t.Fatal(err)
	}
	stop := time.Now().Add(1500 * time.Millisecond)
	errs := make(chan error, 8)
	for w := range 4 {
		go func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for time.Now().Before(stop) {
				flt := f.filter(r)
				req := PageRequest{Sort: Sorts[r.IntN(len(Sorts))], Seed: r.Int64N(1 << 40), PerPage: 20, Number: 1 + r.IntN(3)}
				if _, err := f.mirror.IDs(f.ctx, flt, req); err != nil && !errors.Is(err, ErrUnreachable) {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for w := range 2 {
		go func() {
			// One row per statement, as the platform writes: bulk updates
			// from two goroutines would deadlock each other.
			r := rand.New(rand.NewPCG(uint64(w), 9))
			for time.Now().Before(stop) {
				q := `UPDATE contribution_counters SET supports = supports + 1 + $1 % 3 WHERE contribution_id = $1`
				if w == 1 {
					q = `UPDATE contributions SET status = CASE status WHEN 'published' THEN 'hidden' ELSE 'published' END,
						hidden_reason = CASE status WHEN 'published' THEN 'test' END WHERE id = $1 AND status IN ('published', 'hidden')`
				}
				if _, err := f.sql.ExecContext(f.ctx, q, 1+r.IntN(600)); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// The mirror is waited for; the rollup, which counts the lists, is read
	// again once older than pollEvery.
	f.mirror.mirrorWait = true
	time.Sleep(pollEvery)
	f.compare(rand.New(rand.NewPCG(3, 4)), 60)
}
