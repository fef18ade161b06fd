package indexing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/search"
)

// TestReindexPostgresResumes interrupts a rebuild of the PostgreSQL engine,
// changes a contribution already sent, resumes, and checks the swapped
// index: vectors recomputed, dictionary of words rebuilt with the change.
func TestReindexPostgresResumes(t *testing.T) {
	d := newTestDB(t)
	var ids []int64
	for i := range 35 {
		body := "Un parcours de formation pour les aidants numériques."
		if i%5 == 0 {
			body = "Des médiateurs numériques dans chaque bibliothèque."
		}
		ids = append(ids, d.create(fmt.Sprintf("Proposition numéro %d", i), body))
	}
	d.change(ids[1], `UPDATE contributions SET status = 'withdrawn' WHERE id = $1`)
	// Lose the vectors and the dictionary: only the rebuild brings them back.
	if _, err := d.sql.Exec(`UPDATE contributions SET search_vector = NULL; TRUNCATE search_words; TRUNCATE search_outbox`); err != nil {
		t.Fatal(err)
	}
	engine := search.NewPostgres(d.sql)
	ctx, cancel := context.WithCancel(context.Background())
	var progress bytes.Buffer
	r := &Reindex{DB: d.sql, Engine: engine, BatchSize: 10, Progress: &progress}
	r.afterBatch = func(done int64) {
		if done >= 20 {
			cancel()
		}
	}
	if _, err := r.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v, want context.Canceled", err)
	}
	if got := d.count(`SELECT done FROM search_reindex WHERE engine = 'postgres'`); got != 20 {
		t.Fatalf("saved progress: %d, want 20", got)
	}
	if got := d.count(`SELECT count(*) FROM contributions WHERE search_vector IS NOT NULL`); got != 20 {
		t.Fatalf("vectors rebuilt so far: %d, want 20", got)
	}
	// While the rebuild is paused, an already sent contribution changes: the
	// worker writes it to the live index and to the target.
	d.change(ids[2], `UPDATE contributions SET body = 'Une zythologie numérique' WHERE id = $1`)
	drainAll(t, &Worker{DB: d.sql, Engine: engine})

	r = &Reindex{DB: d.sql, Engine: engine, BatchSize: 10, Progress: &progress}
	st, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !st.Resumed || st.Total != 35 || st.Sent != 15 {
		t.Errorf("stats %+v, want resumed, 35 read, 15 sent by the second run", st)
	}
	if got := d.count(`SELECT count(*) FROM search_reindex`); got != 0 {
		t.Errorf("rebuild state left behind")
	}
	if got := d.count(`SELECT count(*) FROM contributions WHERE search_vector IS NULL`); got != 0 {
		t.Errorf("%d contributions without a vector", got)
	}
	if got := d.count(`SELECT ndoc FROM search_words WHERE word = 'mediateurs'`); got != 7 {
		t.Errorf("dictionary: mediateurs in %d contributions, want 7", got)
	}
	if got := d.count(`SELECT count(*) FROM search_words WHERE word = 'zythologie'`); got != 1 {
		t.Errorf("the change made during the rebuild is missing from the new dictionary")
	}
	if got := d.count(`SELECT count(*) FROM pg_tables WHERE tablename LIKE 'search_words_%'`); got != 0 {
		t.Errorf("target table left behind")
	}
	res, err := engine.Search(context.Background(), search.Query{Text: "formaton"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 26 || res.Corrected != "formation" {
		t.Errorf("search after rebuild: total %d corrected %q, want 26 and formation", res.Total, res.Corrected)
	}
	if !strings.Contains(progress.String(), "35/35") {
		t.Errorf("progress bar: %q", progress.String())
	}
}
