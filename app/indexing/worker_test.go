package indexing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/search"
	"github.com/cnr-numerique/concertation/seeds"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fakeEngine is an index in memory that fails on demand and records, per
// document, every version written to it.
type fakeEngine struct {
	mu      sync.Mutex
	failing bool
	calls   int
	jitter  time.Duration
	docs    map[int64]search.Document
	history map[int64][]string // bodies written, "" for a deletion
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{docs: map[int64]search.Document{}, history: map[int64][]string{}}
}

func (f *fakeEngine) Name() string { return "fake" }

func (f *fakeEngine) Search(context.Context, search.Query) (search.Result, error) {
	return search.Result{}, errors.New("not implemented")
}

func (f *fakeEngine) call() error {
	f.mu.Lock()
	f.calls++
	failing, jitter := f.failing, f.jitter
	f.mu.Unlock()
	if jitter > 0 {
		time.Sleep(rand.N(jitter)) // the engine's latency, so that workers interleave; no test waits on it
	}
	if failing {
		return errors.New("connection refused (on purpose)")
	}
	return nil
}

func (f *fakeEngine) Index(ctx context.Context, docs []search.Document) error {
	if err := f.call(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range docs {
		f.docs[d.ID] = d
		f.history[d.ID] = append(f.history[d.ID], d.Body)
	}
	return nil
}

func (f *fakeEngine) Delete(ctx context.Context, ids []int64) error {
	if err := f.call(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		delete(f.docs, id)
		f.history[id] = append(f.history[id], "")
	}
	return nil
}

func (f *fakeEngine) setFailing(b bool) {
	f.mu.Lock()
	f.failing = b
	f.mu.Unlock()
}

func (f *fakeEngine) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// testDB is a seeded database with helpers that change contributions the
// way the contribution store does: the change and its outbox row in one
// transaction.
type testDB struct {
	t          *testing.T
	sql        *sql.DB
	cons, axis int64
}

func newTestDB(t *testing.T) *testDB {
	d := dbtest.New(t)
	if err := seed.Reference(context.Background(), d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	tdb := &testDB{t: t, sql: d.SQL()}
	if err := tdb.sql.QueryRow(`SELECT a.consultation_id, a.id FROM axes a ORDER BY a.position LIMIT 1`).Scan(&tdb.cons, &tdb.axis); err != nil {
		t.Fatal(err)
	}
	return tdb
}

// change runs stmt (with $1 the contribution id) and writes the outbox row.
func (d *testDB) change(id int64, stmt string, args ...any) {
	d.t.Helper()
	tx, err := d.sql.Begin()
	if err != nil {
		d.t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit
	if _, err := tx.Exec(stmt, append([]any{id}, args...)...); err != nil {
		d.t.Fatalf("%s: %v", stmt, err)
	}
	if _, err := tx.Exec(`INSERT INTO search_outbox (contribution_id) VALUES ($1)`, id); err != nil {
		d.t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		d.t.Fatal(err)
	}
}

// create inserts a published contribution, its counters and its outbox row.
func (d *testDB) create(title, body string) int64 {
	d.t.Helper()
	tx, err := d.sql.Begin()
	if err != nil {
		d.t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit
	var id int64
	if err := tx.QueryRow(`INSERT INTO contributions (consultation_id, entry, axis_id, author_category, title, body)
VALUES ($1, 'libres', $2, 'citoyen', $3, $4) RETURNING id`, d.cons, d.axis, title, body).Scan(&id); err != nil {
		d.t.Fatal(err)
	}
	for _, stmt := range []string{
		`INSERT INTO contribution_counters (contribution_id) VALUES ($1)`,
		`INSERT INTO search_outbox (contribution_id) VALUES ($1)`,
	} {
		if _, err := tx.Exec(stmt, id); err != nil {
			d.t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		d.t.Fatal(err)
	}
	return id
}

func (d *testDB) count(query string, args ...any) int {
	d.t.Helper()
	var n int
	if err := d.sql.QueryRow(query, args...).Scan(&n); err != nil {
		d.t.Fatal(err)
	}
	return n
}

// drainAll drains until nothing is due.
func drainAll(t *testing.T, w *Worker) {
	t.Helper()
	for range 100 {
		n, err := w.Drain(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the outbox does not drain")
}

func TestWorkerRetriesWhileEngineIsDown(t *testing.T) {
	d := newTestDB(t)
	e := newFakeEngine()
	w := &Worker{DB: d.sql, Engine: e, BatchSize: 4, Backoff: func(int) time.Duration { return time.Minute }}
	var ids []int64
	for i := range 5 {
		ids = append(ids, d.create(fmt.Sprintf("Proposition %d", i), "v1"))
	}
	d.change(ids[0], `UPDATE contributions SET body = 'v2' WHERE id = $1`)
	d.change(ids[0], `UPDATE contributions SET body = 'v3' WHERE id = $1`)
	d.change(ids[1], `UPDATE contributions SET status = 'withdrawn' WHERE id = $1`)
	d.change(ids[2], `UPDATE contributions SET status = 'hidden', hidden_reason = 'test' WHERE id = $1`)
	d.change(ids[3], `UPDATE contribution_counters SET supports = 7 WHERE contribution_id = $1`)
	d.change(ids[4], `UPDATE contribution_counters SET reactions_nuance = 2 WHERE contribution_id = $1`)
	rows := d.count(`SELECT count(*) FROM search_outbox`)

	e.setFailing(true)
	if _, err := w.Drain(context.Background()); !errors.Is(err, ErrEngine) {
		t.Fatalf("drain with the engine down: %v, want ErrEngine", err)
	}
	if got := d.count(`SELECT count(*) FROM search_outbox`); got != rows {
		t.Fatalf("outbox rows: %d, want %d (nothing lost)", got, rows)
	}
	if got := d.count(`SELECT count(*) FROM search_outbox WHERE attempts = 1 AND last_error LIKE '%on purpose%' AND next_attempt_at > now()`); got == 0 {
		t.Fatal("failed rows not postponed with their error")
	}
	failAll(t, w) // the other batches
	if got := d.count(`SELECT count(*) FROM search_outbox WHERE attempts = 1 AND next_attempt_at > now()`); got != rows {
		t.Fatalf("%d rows postponed after one attempt, want %d", got, rows)
	}
	// Rows are retried after their backoff only: not yet due, they are left alone.
	calls := e.callCount()
	if n, err := w.Drain(context.Background()); n != 0 || err != nil || e.callCount() != calls {
		t.Fatalf("rows retried before their backoff: %d rows, %v, %d engine calls", n, err, e.callCount()-calls)
	}
	// Due again (as if the backoff had passed) and still failing: one more attempt each time.
	for range 3 {
		makeDue(t, d)
		failAll(t, w)
	}
	if got := d.count(`SELECT count(*) FROM search_outbox`); got != rows {
		t.Fatalf("outbox rows: %d, want %d (nothing lost)", got, rows)
	}
	if got := d.count(`SELECT max(attempts) FROM search_outbox`); got != 4 {
		t.Fatalf("attempts: %d, want 4", got)
	}

	e.setFailing(false)
	makeDue(t, d)
	drainAll(t, w)
	if got := d.count(`SELECT count(*) FROM search_outbox`); got != 0 {
		t.Fatalf("outbox rows after recovery: %d", got)
	}
	if got := e.docs[ids[0]].Body; got != "v3" {
		t.Errorf("doc 0 body %q, want v3 (latest)", got)
	}
	if hist := e.history[ids[0]]; len(hist) != 1 {
		t.Errorf("doc 0 written %v: one write of the latest state expected", hist)
	}
	for _, id := range ids[1:3] {
		if _, ok := e.docs[id]; ok {
			t.Errorf("doc %d withdrawn or hidden but still indexed", id)
		}
	}
	if got := e.docs[ids[3]].Supports; got != 7 {
		t.Errorf("supports %d, want 7", got)
	}
	if got := e.docs[ids[4]].Reactions; got != 2 {
		t.Errorf("reactions %d, want 2", got)
	}
	calls = e.callCount()
	makeDue(t, d)
	for range 3 {
		if _, err := w.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.callCount(); got != calls {
		t.Errorf("engine called %d more times after recovery: retries did not stop", got-calls)
	}
}

// failAll drains while the engine fails, until no row is due.
func failAll(t *testing.T, w *Worker) {
	t.Helper()
	for range 100 {
		n, err := w.Drain(context.Background())
		if err == nil && n == 0 {
			return
		}
		if err != nil && !errors.Is(err, ErrEngine) {
			t.Fatal(err)
		}
	}
	t.Fatal("rows stay due while the engine fails")
}

// makeDue makes every outbox row due now, as if its backoff had passed.
func makeDue(t *testing.T, d *testDB) {
	t.Helper()
	if _, err := d.sql.Exec(`UPDATE search_outbox SET next_attempt_at = now()`); err != nil {
		t.Fatal(err)
	}
}

// eventually polls cond until it holds, failing the test after timeout.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(timeout)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%s: not after %s", what, timeout)
		}
	}
}

func TestWorkersConcurrentlyKeepOrderPerDocument(t *testing.T) {
	d := newTestDB(t)
	e := newFakeEngine()
	e.jitter = 3 * time.Millisecond
	var ids []int64
	for i := range 12 {
		ids = append(ids, d.create(fmt.Sprintf("Proposition %d", i), "0"))
	}
	ctx, cancel := context.WithCancel(context.Background())
	var workers sync.WaitGroup
	for range 4 {
		w := &Worker{DB: d.sql, Engine: e, BatchSize: 5, Idle: 5 * time.Millisecond, Backoff: func(int) time.Duration { return 10 * time.Millisecond }}
		workers.Go(func() { w.Run(ctx) })
	}
	var writers sync.WaitGroup
	for g := range 4 {
		writers.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for range 40 {
				id := ids[r.IntN(len(ids))]
				d.change(id, `UPDATE contributions SET body = (body::int + 1)::text WHERE id = $1`)
				if r.IntN(4) == 0 {
					d.change(id, `UPDATE contribution_counters SET supports = supports + 1 WHERE contribution_id = $1`)
				}
			}
		})
	}
	// The engine fails for a moment in the middle: after some writes were
	// applied, for a few calls.
	eventually(t, 30*time.Second, "engine calls", func() bool { return e.callCount() >= 10 })
	e.setFailing(true)
	failedFrom := e.callCount()
	eventually(t, 30*time.Second, "failed engine calls", func() bool { return e.callCount() >= failedFrom+5 })
	e.setFailing(false)
	writers.Wait()
	eventually(t, 30*time.Second, "the outbox drains", func() bool { return d.count(`SELECT count(*) FROM search_outbox`) == 0 })
	cancel()
	workers.Wait()
	for _, id := range ids {
		var body string
		var supports int
		if err := d.sql.QueryRow(`SELECT body, supports FROM contributions JOIN contribution_counters ON contribution_id = id WHERE id = $1`, id).Scan(&body, &supports); err != nil {
			t.Fatal(err)
		}
		doc := e.docs[id]
		if doc.Body != body || doc.Supports != supports {
			t.Errorf("doc %d indexed as body %q supports %d, database has %q %d", id, doc.Body, doc.Supports, body, supports)
		}
		prev := -1
		for _, b := range e.history[id] {
			v, _ := strconv.Atoi(b)
			if v < prev {
				t.Errorf("doc %d: versions written out of order: %v", id, e.history[id])
				break
			}
			prev = v
		}
	}
}

func TestBackoff(t *testing.T) {
	for n := 1; n < 30; n++ {
		d := Backoff(n)
		if d < 500*time.Millisecond || d > 5*time.Minute {
			t.Errorf("Backoff(%d) = %v", n, d)
		}
	}
	if Backoff(1) > time.Second || Backoff(5) < 8*time.Second {
		t.Errorf("not exponential: %v %v", Backoff(1), Backoff(5))
	}
}

func TestSplit(t *testing.T) {
	now := time.Now()
	rows := map[int64]search.Row{
		1: {ID: 1, Status: "published", Title: "a", CreatedAt: now},
		2: {ID: 2, Status: "withdrawn"},
		3: {ID: 3, Status: "hidden"},
	}
	docs, deletes := split([]int64{1, 2, 3, 4}, rows)
	if len(docs) != 1 || docs[0].ID != 1 || fmt.Sprint(deletes) != "[2 3 4]" {
		t.Errorf("docs %+v deletes %v", docs, deletes)
	}
}

// TestCountsOnlyChanges checks that a document whose counters alone changed
// reaches the engine marked CountsOnly (unless a change of its text waits
// beside), and that the PostgreSQL engine then leaves its text alone: its
// words are not read again into the dictionary.
func TestCountsOnlyChanges(t *testing.T) {
	d := newTestDB(t)
	id := d.create("Une proposition", "Des ateliers de zythologie numérique")
	counts := func(id int64) {
		t.Helper()
		if _, err := d.sql.Exec(`INSERT INTO search_outbox (contribution_id, counts_only) VALUES ($1, true)`, id); err != nil {
			t.Fatal(err)
		}
	}

	// Through a recording engine: the flag per document.
	e := newFakeEngine()
	w := &Worker{DB: d.sql, Engine: e}
	drainAll(t, w)
	if e.docs[id].CountsOnly {
		t.Error("a new document is marked CountsOnly")
	}
	counts(id)
	drainAll(t, w)
	if !e.docs[id].CountsOnly {
		t.Error("a support's change is not marked CountsOnly")
	}
	counts(id)
	d.change(id, `UPDATE contributions SET body = body || ' et de cartographie' WHERE id = $1`)
	counts(id)
	drainAll(t, w)
	if e.docs[id].CountsOnly || !strings.Contains(e.docs[id].Body, "cartographie") {
		t.Errorf("a text change between two counts-only rows indexed as %+v", e.docs[id])
	}

	// Through the PostgreSQL engine: the dictionary of known words.
	pg := &Worker{DB: d.sql, Engine: search.NewPostgres(d.sql)}
	known := func(word string) bool {
		return d.count(`SELECT count(*) FROM search_words WHERE word = $1`, word) == 1
	}
	if _, err := d.sql.Exec(`DELETE FROM search_words WHERE word IN ('zythologie', 'cartographie')`); err != nil {
		t.Fatal(err)
	}
	counts(id)
	drainAll(t, pg)
	if known("zythologie") {
		t.Error("a counts-only change read the text into the dictionary")
	}
	d.change(id, `UPDATE contributions SET title = 'Une proposition revue' WHERE id = $1`)
	drainAll(t, pg)
	if !known("zythologie") || !known("cartographie") {
		t.Error("a text change did not add its words to the dictionary")
	}
}

// TestSuccessBringsBackPostponedRows checks that when the engine answers
// again, the rows postponed during its failure go at once, even when the
// first success comes from a fresh change rather than from the probe.
func TestSuccessBringsBackPostponedRows(t *testing.T) {
	d := newTestDB(t)
	e := newFakeEngine()
	e.setFailing(true)
	w := &Worker{DB: d.sql, Engine: e, Idle: 5 * time.Millisecond, Backoff: func(int) time.Duration { return time.Hour }}
	old := d.create("Écrite pendant la panne", "v1")
	if _, err := w.Drain(context.Background()); !errors.Is(err, ErrEngine) {
		t.Fatalf("drain while the engine fails: %v", err)
	}
	e.setFailing(false)
	ctx, cancel := context.WithCancel(context.Background())
	var done sync.WaitGroup
	done.Go(func() { w.Run(ctx) })
	defer func() { cancel(); done.Wait() }()
	// The first row waits an hour, so Run finds nothing due; a second row
	// fails in Run itself, then a third succeeds: that success, not a
	// probe (there is none), must bring the first two back.
	e.setFailing(true)
	d.create("Écrite juste avant le retour", "v1")
	eventually(t, 10*time.Second, "Run fails", func() bool { return e.callCount() >= 2 })
	e.setFailing(false)
	d.create("Écrite après le retour", "v1")
	eventually(t, 10*time.Second, "the postponed rows go", func() bool {
		return d.count(`SELECT count(*) FROM search_outbox`) == 0
	})
	e.mu.Lock()
	_, indexed := e.docs[old]
	e.mu.Unlock()
	if !indexed {
		t.Error("the row postponed before Run was not indexed")
	}
}
