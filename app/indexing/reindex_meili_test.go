package indexing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/search"
)

// TestReindexMeilisearchResumes interrupts a rebuild into Meilisearch (the
// protocol double), changes a contribution already sent and adds one, then
// resumes: the target is swapped in and holds what the database holds.
func TestReindexMeilisearchResumes(t *testing.T) {
	d := newTestDB(t)
	srv, engine := newMeiliDouble(t)
	ctx := context.Background()
	if err := engine.EnsureIndex(ctx); err != nil { // the live index, as serve creates it
		t.Fatal(err)
	}
	var ids []int64
	for i := range 35 {
		ids = append(ids, d.create(fmt.Sprintf("Proposition numéro %d", i), "Des médiateurs numériques dans chaque bibliothèque."))
	}
	d.change(ids[1], `UPDATE contributions SET status = 'withdrawn' WHERE id = $1`)
	if _, err := d.sql.Exec(`TRUNCATE search_outbox`); err != nil {
		t.Fatal(err)
	}

	run, cancel := context.WithCancel(ctx)
	var progress bytes.Buffer
	r := &Reindex{DB: d.sql, Engine: engine, BatchSize: 10, Progress: &progress}
	r.afterBatch = func(done int64) {
		if done >= 20 {
			cancel()
		}
	}
	if _, err := r.Run(run); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v, want context.Canceled", err)
	}
	var target string
	if err := d.sql.QueryRow(`SELECT target FROM search_reindex WHERE engine = 'meilisearch'`).Scan(&target); err != nil {
		t.Fatal(err)
	}
	sent, _ := srv.Documents(target)
	if len(sent) != 19 { // 20 read, one withdrawn
		t.Fatalf("target holds %d documents after 20 contributions, want 19 (no skipCreation: they are really added)", len(sent))
	}

	// While paused: a document already sent changes, another is published;
	// the worker writes them to the live index and to the target.
	d.change(ids[2], `UPDATE contributions SET body = 'Une zythologie numérique' WHERE id = $1`)
	ids = append(ids, d.create("Nouvelle proposition", "Publiée pendant la reconstruction."))
	drainAll(t, &Worker{DB: d.sql, Engine: engine})
	if sent, _ = srv.Documents(target); !strings.Contains(string(sent[fmt.Sprint(ids[2])]), "zythologie") {
		t.Errorf("the change made during the rebuild is not in the target: %s", sent[fmt.Sprint(ids[2])])
	}

	r = &Reindex{DB: d.sql, Engine: engine, BatchSize: 10, Progress: &progress}
	st, err := r.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Resumed || st.Total != 36 {
		t.Errorf("stats %+v, want resumed and 36 read", st)
	}
	if got := srv.Indexes(); strings.Join(got, ",") != "contributions" {
		t.Errorf("indexes after the swap: %v, want only the live one", got)
	}
	if diff := indexDiff(t, d.sql, srv, "contributions"); diff != "" {
		t.Errorf("live index after the rebuild:\n%s", diff)
	}
	if got := d.count(`SELECT count(*) FROM search_reindex`); got != 0 {
		t.Error("rebuild state left behind")
	}
	if !strings.Contains(progress.String(), "36/36") {
		t.Errorf("progress bar: %q", progress.String())
	}
}

// TestReindexMeilisearchSwapsOnlyAFullIndex: documents lost by the target
// are seen before the swap (its count differs from PostgreSQL's) and sent
// again; a target that stays short is never swapped in.
func TestReindexMeilisearchSwapsOnlyAFullIndex(t *testing.T) {
	d := newTestDB(t)
	srv, engine := newMeiliDouble(t)
	ctx := context.Background()
	var ids []int64
	for i := range 12 {
		ids = append(ids, d.create(fmt.Sprintf("Proposition %d", i), "Un texte."))
	}
	if _, err := d.sql.Exec(`TRUNCATE search_outbox`); err != nil { // drained already
		t.Fatal(err)
	}
	var logs bytes.Buffer
	r := &Reindex{DB: d.sql, Engine: engine, BatchSize: 5, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	lost := false
	r.afterBatch = func(done int64) {
		if done == 10 && !lost { // documents vanish from the target behind the rebuild's back
			lost = true
			var target string
			if err := d.sql.QueryRow(`SELECT target FROM search_reindex`).Scan(&target); err != nil {
				t.Error(err)
			}
			if err := engine.DeleteFrom(ctx, target, ids[:3]); err != nil {
				t.Error(err)
			}
		}
	}
	if _, err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "documents=9 expected=12") {
		t.Errorf("the count check did not see the lost documents:\n%s", logs.String())
	}
	if diff := indexDiff(t, d.sql, srv, "contributions"); diff != "" {
		t.Errorf("live index:\n%s", diff)
	}

	// A target that stays short: no swap, the live index is kept as it is.
	d.change(ids[0], `UPDATE contributions SET title = 'Changé' WHERE id = $1`)
	if _, err := d.sql.Exec(`TRUNCATE search_outbox`); err != nil {
		t.Fatal(err)
	}
	r = &Reindex{DB: d.sql, Engine: shortCounter{engine}, BatchSize: 5}
	_, err := r.Run(ctx)
	var mismatch *CountMismatchError
	if !errors.As(err, &mismatch) || mismatch.Want != 12 || mismatch.Got != 11 {
		t.Fatalf("rebuild into a target that stays short: %v", err)
	}
	live, _ := srv.Documents("contributions")
	if strings.Contains(string(live[fmt.Sprint(ids[0])]), "Changé") {
		t.Error("a short target was swapped in")
	}
	if got := d.count(`SELECT count(*) FROM search_reindex`); got != 1 {
		t.Error("the rebuild state is gone: a new run could not resume")
	}
}

// shortCounter is the Meilisearch engine with a target that always misses
// one document.
type shortCounter struct{ *search.Meili }

func (s shortCounter) Count(ctx context.Context, target string) (int64, error) {
	n, err := s.Meili.Count(ctx, target)
	return n - 1, err
}
