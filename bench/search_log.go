package main

// Search benchmark over a query log (issue 11, point 5): the searches of
// bench/queries.txt drawn with a Zipf law, through the PostgreSQL engine,
// with their p50, p95, p99 and max, overall and per class of query.
//
//	BENCH_DATA_DIR=/path/to/data  a DATA_DIR seeded once with
//	    `concertation seed --synthetic 1000000` and kept between runs: its
//	    cluster is started here (stop any server using it first), migrated
//	    (the RUM index is built where the extension is installed) and
//	    searched; the dictionary of words is rebuilt when empty.
//	BENCH_DB=postgres://…         an already running, seeded database.
//	BENCH_SIZE=100000             otherwise: a throwaway cluster with this
//	    many synthetic contributions (app/seed, as `seed --synthetic`).
//	BENCH_SEARCH_LOG_DRAWS=3000   searches measured per client count.
//
// Run alone: go run ./bench -only search-log

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/indexing"
	"github.com/cnr-numerique/concertation/app/seed/synthetic"
	"github.com/cnr-numerique/concertation/search"
)

func init() { benchmarks = append(benchmarks, benchmark{name: "search-log", run: runSearchLogBench}) }

// logEntry is one line of the query log.
type logEntry struct {
	text    string
	filters map[string]string
}

func readQueryLog(path string) ([]logEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []logEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "\t")
		e := logEntry{text: parts[0], filters: map[string]string{}}
		for _, p := range parts[1:] {
			k, v, ok := strings.Cut(p, "=")
			if !ok {
				return nil, fmt.Errorf("%s: bad filter %q in %q", path, p, line)
			}
			e.filters[k] = v
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

// class names the kind of a query, for the per-class figures.
func (e logEntry) class() string {
	t := e.text
	words := len(strings.Fields(strings.NewReplacer(`"`, " ", "-", " ").Replace(t)))
	var c string
	switch {
	case strings.Contains(t, `"`):
		c = "phrase"
	case strings.HasPrefix(t, "-") || strings.Contains(t, " -"):
		c = "exclusion"
	case strings.Contains(" "+strings.ToLower(t)+" ", " or "):
		c = "or"
	case words >= 5:
		c = "long question (5+ words)"
	case words >= 3:
		c = "three or four words"
	case words == 2:
		c = "two words"
	default:
		c = "one word"
	}
	if len(e.filters) > 0 {
		c += " + filters"
	}
	return c
}

func runSearchLogBench() error {
	ctx := context.Background()
	entries, err := readQueryLog("bench/queries.txt")
	if err != nil {
		return err
	}
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
	n, err := ensureContributions(ctx, d, 100_000)
	if err != nil {
		return err
	}
	q := d.SQL()
	var words int
	var rum bool
	if err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM search_words),
	EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'contributions_search_rum_idx')`).Scan(&words, &rum); err != nil {
		return err
	}
	if words == 0 { // `seed` leaves the dictionary of words to `reindex`
		st, err := (&indexing.Reindex{DB: q, Engine: search.NewPostgres(q), BatchSize: 5000, Progress: os.Stderr}).Run(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("   dictionary of words rebuilt (concertation reindex): %d contributions in %s\n", st.Total, st.Took.Round(time.Second))
	}
	if _, err := q.ExecContext(ctx, `ANALYZE contributions`); err != nil {
		return err
	}
	index := "GIN (the rum extension is not installed)"
	if rum {
		index = "RUM (extension rum installed)"
	}
	fmt.Printf("-- search log: %d distinct queries of bench/queries.txt, %d contributions, full-text index %s\n", len(entries), n, index)

	queries, err := resolveFilters(ctx, d, entries)
	if err != nil {
		return err
	}
	engine := search.NewPostgres(q)
	for _, sq := range queries { // warm up: each query once
		if _, err := engine.Search(ctx, sq); err != nil && !errors.Is(err, search.ErrTimeout) {
			return fmt.Errorf("%q: %w", sq.Text, err)
		}
	}
	draws := 3000
	if s := os.Getenv("BENCH_SEARCH_LOG_DRAWS"); s != "" {
		if draws, err = strconv.Atoi(s); err != nil {
			return fmt.Errorf("BENCH_SEARCH_LOG_DRAWS: %w", err)
		}
	}
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("   machine load average before the queries: %s", load)
	}
	for _, clients := range []int{1, 4} {
		if err := searchLogRun(ctx, engine, entries, queries, draws, clients); err != nil {
			return err
		}
	}
	return nil
}

// keptDatabase returns the URL of the database of a benchmark and how to
// stop what was started for it: BENCH_DB (a running database), the cluster
// of BENCH_DATA_DIR (kept between runs), or a throwaway cluster.
func keptDatabase(ctx context.Context) (string, func(), error) {
	if url := os.Getenv("BENCH_DB"); url != "" {
		return url, func() {}, nil
	}
	dir, fast, cleanup := os.Getenv("BENCH_DATA_DIR"), false, func() {}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "concertation-bench-")
		if err != nil {
			return "", nil, err
		}
		if err := os.Chmod(tmp, 0o755); err != nil {
			return "", nil, err
		}
		dir, fast, cleanup = tmp, true, func() { os.RemoveAll(tmp) }
	}
	emb := &db.Embedded{Dir: dir, Database: "concertation", Fast: fast}
	if err := emb.Start(ctx); err != nil {
		cleanup()
		return "", nil, err
	}
	return emb.URL("concertation"), func() { _ = emb.Stop(); cleanup() }, nil
}

// ensureContributions seeds BENCH_SIZE (default defaultSize) synthetic
// contributions into an empty database, as `seed --synthetic` does, and
// returns how many there are.
func ensureContributions(ctx context.Context, d *db.DB, defaultSize int) (int, error) {
	var n int
	if err := d.SQL().QueryRowContext(ctx, `SELECT count(*) FROM contributions`).Scan(&n); err != nil || n > 0 {
		return n, err
	}
	size := defaultSize
	if s := os.Getenv("BENCH_SIZE"); s != "" {
		var err error
		if size, err = strconv.Atoi(s); err != nil {
			return 0, fmt.Errorf("BENCH_SIZE: %w", err)
		}
	}
	start := time.Now()
	// One support per contribution: the searches and the rebuild read the
	// counters, not the supports themselves (ten times more to write).
	if _, err := synthetic.Load(ctx, d, synthetic.Options{Contributions: size, Supports: size, Seed: 1}); err != nil {
		return 0, err
	}
	fmt.Printf("   %d synthetic contributions seeded in %s\n", size, time.Since(start).Round(time.Second))
	return size, nil
}

// resolveFilters turns the filters of the log into search filters of the
// current consultation.
func resolveFilters(ctx context.Context, d *db.DB, entries []logEntry) ([]search.Query, error) {
	q := d.SQL()
	var cons int64
	if err := q.QueryRowContext(ctx, `SELECT id FROM consultations ORDER BY id LIMIT 1`).Scan(&cons); err != nil {
		return nil, err
	}
	id := func(query string, args ...any) (int64, error) {
		var v int64
		err := q.QueryRowContext(ctx, query, args...).Scan(&v)
		return v, err
	}
	out := make([]search.Query, len(entries))
	for i, e := range entries {
		sq := search.Query{Text: e.text, Filters: search.Filters{ConsultationID: cons}}
		for k, v := range e.filters {
			var err error
			switch k {
			case "axe":
				sq.Filters.AxisID, err = id(`SELECT id FROM axes WHERE consultation_id = $1 AND position = $2`, cons, v)
			case "region":
				sq.Filters.RegionID, err = id(`SELECT id FROM territories WHERE kind = 'region' AND code = $1`, v)
			case "departement":
				sq.Filters.DepartementID, err = id(`SELECT id FROM territories WHERE kind = 'departement' AND code = $1`, v)
			case "entree":
				sq.Filters.Entry = v
			case "categorie":
				sq.Filters.AuthorCategory = v
			case "tri":
				sq.Sort = search.ParseSort(v)
			case "page":
				sq.Page, err = strconv.Atoi(v)
			default:
				err = fmt.Errorf("unknown filter %q", k)
			}
			if err != nil {
				return nil, fmt.Errorf("query log line %q: %s=%s: %w", e.text, k, v, err)
			}
		}
		out[i] = sq
	}
	return out, nil
}

// searchLogRun draws queries with a Zipf law and measures them, with
// clients searching at once.
func searchLogRun(ctx context.Context, engine *search.Postgres, entries []logEntry, queries []search.Query, draws, clients int) error {
	type sample struct {
		class     string
		took      time.Duration
		empty     bool
		corrected bool
		timeout   bool
	}
	samples := make([]sample, draws)
	r := rand.New(rand.NewPCG(7, uint64(clients)))
	zipf := rand.NewZipf(r, 1.1, 1, uint64(len(entries)-1))
	picks := make([]int, draws)
	for i := range picks {
		picks[i] = int(zipf.Uint64())
	}
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= draws {
					return
				}
				k := picks[i]
				t := time.Now()
				res, err := engine.Search(ctx, queries[k])
				s := sample{class: entries[k].class(), took: time.Since(t)}
				switch {
				case errors.Is(err, search.ErrTimeout):
					s.timeout = true
				case err != nil:
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("%q: %w", queries[k].Text, err)
					}
					mu.Unlock()
				}
				s.empty, s.corrected = res.Total == 0, res.Corrected != ""
				samples[i] = s
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	elapsed := time.Since(start)
	pct := func(ds []time.Duration, p int) string {
		if len(ds) == 0 {
			return "-"
		}
		return ms(ds[min(len(ds)-1, len(ds)*p/100)])
	}
	byClass := map[string][]time.Duration{}
	var all []time.Duration
	var empty, corrected, timeouts int
	for _, s := range samples {
		all = append(all, s.took)
		byClass[s.class] = append(byClass[s.class], s.took)
		if s.empty {
			empty++
		}
		if s.corrected {
			corrected++
		}
		if s.timeout {
			timeouts++
		}
	}
	slices.Sort(all)
	fmt.Printf("   %d client(s), %d searches in %s = %.0f searches/s; %d with no result, %d corrected or relaxed, %d timeouts\n",
		clients, draws, elapsed.Round(time.Millisecond), float64(draws)/elapsed.Seconds(), empty, corrected, timeouts)
	fmt.Printf("   %-36s %7s %8s %8s %8s %8s\n", "class", "count", "p50", "p95", "p99", "max")
	fmt.Printf("   %-36s %7d %8s %8s %8s %8s\n", "ALL", len(all), pct(all, 50), pct(all, 95), pct(all, 99), ms(all[len(all)-1]))
	classes := make([]string, 0, len(byClass))
	for c := range byClass {
		classes = append(classes, c)
	}
	slices.Sort(classes)
	for _, c := range classes {
		ds := byClass[c]
		slices.Sort(ds)
		fmt.Printf("   %-36s %7d %8s %8s %8s %8s\n", c, len(ds), pct(ds, 50), pct(ds, 95), pct(ds, 99), ms(ds[len(ds)-1]))
	}
	return nil
}
