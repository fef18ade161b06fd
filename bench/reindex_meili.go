package main

// Rebuild of the Meilisearch index (issue 13, point 6): `concertation
// reindex` of every contribution into Meilisearch, batched, with its
// progress bar, interrupted once and resumed, then swapped in after the
// count check. The server is the protocol double of the pinned version
// (search/meilitest), or a real one with BENCH_MEILI_URL: with the double,
// the figure is the ceiling of the platform's side (read PostgreSQL, map,
// send, await the tasks); a real server adds its own indexing time.
//
//	BENCH_DATA_DIR, BENCH_DB, BENCH_SIZE: the database, as for search-log
//	    (default here: a throwaway cluster of 1,000,000 contributions)
//	BENCH_MEILI_URL, BENCH_MEILI_KEY: a real Meilisearch server
//	BENCH_REINDEX_INTERRUPT=20s: when the first run is interrupted
//
// Run alone: go run ./bench -only reindex-meilisearch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/indexing"
	"github.com/cnr-numerique/concertation/search"
	"github.com/cnr-numerique/concertation/search/meilitest"
)

func init() {
	benchmarks = append(benchmarks, benchmark{name: "reindex-meilisearch", run: runMeiliReindexBench, optIn: true})
}

func runMeiliReindexBench() error {
	ctx := context.Background()
	url, stop, err := keptDatabase(ctx)
	if err != nil {
		return err
	}
	defer stop()
	d, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := prepare(ctx, d); err != nil {
		return err
	}
	n, err := ensureContributions(ctx, d, 1_000_000)
	if err != nil {
		return err
	}
	server, key := os.Getenv("BENCH_MEILI_URL"), os.Getenv("BENCH_MEILI_KEY")
	kind := "a real Meilisearch server at " + server
	if server == "" {
		srv := meilitest.New(meilitest.Options{Key: "bench"})
		defer srv.Close()
		server, key, kind = srv.URL, "bench", "the protocol double of Meilisearch "+meilitest.Version
	}
	index := fmt.Sprintf("bench_contributions_%d", time.Now().Unix())
	engine := search.NewMeili(server, key, index)
	engine.BatchSize = 5000
	engine.TaskTimeout = 10 * time.Minute
	q := d.SQL()
	if _, err := q.ExecContext(ctx, `DELETE FROM search_reindex WHERE engine = 'meilisearch'`); err != nil {
		return err
	}
	var published int64
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM contributions WHERE status = 'published'`).Scan(&published); err != nil {
		return err
	}
	fmt.Printf("-- reindex of %d contributions (%d published) into %s, batches of 5,000\n", n, published, kind)
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("   machine load average before: %s", load)
	}

	interrupt := 20 * time.Second
	if s := os.Getenv("BENCH_REINDEX_INTERRUPT"); s != "" {
		if interrupt, err = time.ParseDuration(s); err != nil {
			return fmt.Errorf("BENCH_REINDEX_INTERRUPT: %w", err)
		}
	}
	first, cancel := context.WithTimeout(ctx, interrupt)
	r := &indexing.Reindex{DB: q, Engine: engine, BatchSize: 5000, Progress: os.Stderr}
	st1, err := r.Run(first)
	interrupted := first.Err() != nil
	cancel()
	var took time.Duration
	switch {
	case err == nil:
		fmt.Printf("   finished before the interruption (%s)\n", interrupt)
		took = st1.Took
	case interrupted:
		var done int64
		if err := q.QueryRowContext(ctx, `SELECT done FROM search_reindex WHERE engine = 'meilisearch'`).Scan(&done); err != nil {
			return err
		}
		fmt.Printf("   interrupted after %s with %d contributions saved as done; resuming\n", interrupt, done)
		st2, err := r.Run(ctx)
		if err != nil {
			return err
		}
		if !st2.Resumed {
			return errors.New("the second run did not resume")
		}
		took = interrupt + st2.Took
		st1 = st2
	default:
		return err
	}
	count, err := engine.Count(ctx, index)
	if err != nil {
		return err
	}
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	fmt.Printf("   %d contributions read, live index holds %d documents (%d published): %s in all = %.0f documents/s\n",
		st1.Total, count, published, took.Round(time.Millisecond), float64(count)/took.Seconds())
	fmt.Printf("   heap of this process (double included) after the run: %d MB\n", mem.HeapAlloc>>20)
	if count != published {
		return fmt.Errorf("the live index holds %d documents, want %d", count, published)
	}
	return nil
}
