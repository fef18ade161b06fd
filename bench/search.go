package main

// Search benchmark: p95 of the PostgreSQL engine on synthetic contributions
// (rare word, common word, two-word phrase, with and without filters) and
// the throughput of `concertation reindex`.
//
//	BENCH_SEARCH_SIZES=100000,1000000 (default 100000) go run ./bench -only search

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/indexing"
	"github.com/cnr-numerique/concertation/search"
	"github.com/jackc/pgx/v5"
)

func init() { benchmarks = append(benchmarks, benchmark{name: "search", run: runSearchBench}) }

func runSearchBench() error {
	sizes := []int{100_000}
	if s := os.Getenv("BENCH_SEARCH_SIZES"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return fmt.Errorf("BENCH_SEARCH_SIZES: %w", err)
			}
			sizes = append(sizes, n)
		}
	}
	if dsn := os.Getenv("BENCH_SEARCH_DB"); dsn != "" { // an existing, migrated database
		return searchBenchSize(context.Background(), dsn, sizes[0])
	}
	dir, err := os.MkdirTemp("", "concertation-bench-search-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	ctx := context.Background()
	emb := &db.Embedded{Dir: dir, Database: "bench", Fast: true}
	if err := emb.Start(ctx); err != nil {
		return err
	}
	defer emb.Stop() //nolint:errcheck
	// A production-like buffer cache rather than the 128 MB default.
	if d, err := db.Open(ctx, emb.URL("bench")); err == nil {
		_, _ = d.SQL().ExecContext(ctx, `ALTER SYSTEM SET shared_buffers = '2GB'`)
		_, _ = d.SQL().ExecContext(ctx, `ALTER SYSTEM SET work_mem = '16MB'`)
		d.Close()
		if err := emb.Stop(); err != nil {
			return err
		}
		if err := emb.Start(ctx); err != nil {
			return err
		}
	}
	for _, n := range sizes {
		name := fmt.Sprintf("bench_%d", n)
		if err := emb.CreateDatabase(ctx, name, ""); err != nil {
			return err
		}
		if err := searchBenchSize(ctx, emb.URL(name), n); err != nil {
			return err
		}
	}
	return nil
}

func searchBenchSize(ctx context.Context, url string, n int) error {
	d, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := prepare(ctx, d); err != nil {
		return err
	}
	q := d.SQL()
	var existing int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM contributions`).Scan(&existing); err != nil {
		return err
	}
	if existing > 0 { // BENCH_SEARCH_DB already loaded: queries only
		return benchQueries(ctx, q, existing)
	}
	start := time.Now()
	index, err := loadSynthetic(ctx, url, n)
	if err != nil {
		return err
	}
	fmt.Printf("-- %d contributions: loaded with COPY in %s\n", n, time.Since(start).Round(time.Second))
	start = time.Now()
	if _, err := q.ExecContext(ctx, index); err != nil {
		return err
	}
	fmt.Printf("   GIN index built in %s\n", time.Since(start).Round(time.Second))

	// Reindex throughput: the PostgreSQL engine (recompute every vector,
	// rebuild the dictionary of words), then the read-and-map pipeline alone
	// (the ceiling of what can be sent to Meilisearch).
	pg := search.NewPostgres(q)
	st, err := (&indexing.Reindex{DB: q, Engine: pg, BatchSize: 2000}).Run(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("   reindex (postgres engine): %d contributions in %s = %.0f/s\n", st.Total, st.Took.Round(time.Millisecond), float64(st.Total)/st.Took.Seconds())
	for _, stmt := range []string{`VACUUM ANALYZE contributions`, `VACUUM ANALYZE contribution_counters`, `ANALYZE search_words`} {
		if _, err := q.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	st, err = (&indexing.Reindex{DB: q, Engine: discardEngine{}, BatchSize: 2000}).Run(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("   reindex pipeline (read + map, engine discarding): %d documents in %s = %.0f/s\n", st.Sent, st.Took.Round(time.Millisecond), float64(st.Sent)/st.Took.Seconds())

	var tableMB, indexMB, words int64
	if err := q.QueryRowContext(ctx, `SELECT pg_total_relation_size('contributions') / 1048576,
	pg_relation_size('contributions_search_idx') / 1048576, (SELECT count(*) FROM search_words)`).Scan(&tableMB, &indexMB, &words); err != nil {
		return err
	}
	fmt.Printf("   data: contributions %d MB (with indexes and TOAST), GIN index %d MB, %d known words\n", tableMB, indexMB, words)
	return benchQueries(ctx, q, n)
}

// benchQueries measures the searches.
func benchQueries(ctx context.Context, q *sql.DB, n int) error {
	pg := search.NewPostgres(q)

	// Pick the words by their real document frequency.
	pick := func(target float64) (string, int, error) {
		var w string
		var nd int
		err := q.QueryRowContext(ctx, `SELECT word, ndoc FROM search_words WHERE char_length(word) >= 6
ORDER BY abs(ndoc - $1) LIMIT 1`, target).Scan(&w, &nd)
		return w, nd, err
	}
	rare, rareN, err := pick(float64(n) / 5000)
	if err != nil {
		return err
	}
	common, commonN, err := pick(float64(n) * 0.07)
	if err != nil {
		return err
	}
	var axis, region, cons int64
	if err := q.QueryRowContext(ctx, `SELECT id FROM consultations LIMIT 1`).Scan(&cons); err != nil {
		return err
	}
	if err := q.QueryRowContext(ctx, `SELECT id FROM axes ORDER BY position LIMIT 1`).Scan(&axis); err != nil {
		return err
	}
	if err := q.QueryRowContext(ctx, `SELECT id FROM territories WHERE kind = 'region' AND code = '53'`).Scan(&region); err != nil {
		return err
	}
	filters := search.Filters{AxisID: axis, RegionID: region}
	cases := []struct {
		label string
		q     search.Query
	}{
		{fmt.Sprintf("rare word %q (%d docs)", rare, rareN), search.Query{Text: rare}},
		{fmt.Sprintf("common word %q (%d docs)", common, commonN), search.Query{Text: common}},
		{"phrase \"médiateurs numériques\"", search.Query{Text: `"médiateurs numériques"`}},
		{"two words médiateurs numériques", search.Query{Text: "médiateurs numériques"}},
		{"\"conseillers numériques\" -coordinateurs", search.Query{Text: `"conseillers numériques" -coordinateurs`}},
		{"typo formaton", search.Query{Text: "formaton"}},
		{"rare word + axis + région", search.Query{Text: rare, Filters: filters}},
		{"common word + axis + région", search.Query{Text: common, Filters: filters}},
		{"phrase + axis + région", search.Query{Text: `"médiateurs numériques"`, Filters: filters}},
		{"common word by supports", search.Query{Text: common, Sort: search.SortSupports}},
		{"common word by date", search.Query{Text: common, Sort: search.SortDate}},
		{"common word, page 10", search.Query{Text: common, Page: 10}},
		{"no text, axis + région, by date", search.Query{Filters: filters}},
	}
	for i := range cases { // the pages always search the current consultation
		cases[i].q.Filters.ConsultationID = cons
	}
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("   machine load average before the queries: %s", load)
	}
	fmt.Printf("   %-48s %8s %8s %8s %8s  %s\n", "query (postgres engine, 20 per page, facets)", "p50", "p95", "p99", "max", "total")
	for _, c := range cases {
		for range 5 { // warm up
			if _, err := pg.Search(ctx, c.q); err != nil {
				return fmt.Errorf("%s: %w", c.label, err)
			}
		}
		var took []time.Duration
		var res search.Result
		for range 200 {
			t := time.Now()
			res, err = pg.Search(ctx, c.q)
			if err != nil {
				return fmt.Errorf("%s: %w", c.label, err)
			}
			took = append(took, time.Since(t))
		}
		slices.Sort(took)
		total := strconv.Itoa(res.Total)
		if !res.TotalExact {
			total = "> " + total
		}
		if res.Corrected != "" {
			total += " (corrected: " + res.Corrected + ")"
		}
		fmt.Printf("   %-48s %8s %8s %8s %8s  %s\n", c.label, ms(took[len(took)/2]), ms(took[len(took)*95/100]), ms(took[len(took)*99/100]), ms(took[len(took)-1]), total)
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// discardEngine accepts everything: it measures the reindex pipeline.
type discardEngine struct{}

func (discardEngine) Name() string { return "discard" }
func (discardEngine) Search(context.Context, search.Query) (search.Result, error) {
	return search.Result{}, nil
}
func (discardEngine) Index(context.Context, []search.Document) error             { return nil }
func (discardEngine) Delete(context.Context, []int64) error                      { return nil }
func (discardEngine) NewTarget() string                                          { return "discard" }
func (discardEngine) Prepare(context.Context, string) error                      { return nil }
func (discardEngine) IndexInto(context.Context, string, []search.Document) error { return nil }
func (discardEngine) DeleteFrom(context.Context, string, []int64) error          { return nil }
func (discardEngine) Swap(context.Context, string) error                         { return nil }

// loadSynthetic bulk-loads n synthetic contributions (and their counters)
// with COPY; the trigger computes the vectors on the way in. The GIN index
// is dropped during the load and rebuilt by the caller with index, its
// definition.
func loadSynthetic(ctx context.Context, url string, n int) (index string, err error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, `SELECT pg_get_indexdef('contributions_search_idx'::regclass)`).Scan(&index); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, `DROP INDEX contributions_search_idx`); err != nil {
		return "", err
	}
	var cons int64
	var axes, hubs []int64
	type dep struct{ id, region int64 }
	var deps []dep
	if err := conn.QueryRow(ctx, `SELECT id FROM consultations LIMIT 1`).Scan(&cons); err != nil {
		return "", err
	}
	for _, q := range []struct {
		sql string
		dst *[]int64
	}{{`SELECT id FROM axes ORDER BY position`, &axes}, {`SELECT id FROM hubs ORDER BY id`, &hubs}} {
		rows, err := conn.Query(ctx, q.sql)
		if err != nil {
			return "", err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return "", err
		}
		*q.dst = ids
	}
	rows, err := conn.Query(ctx, `SELECT id, region_id FROM territories WHERE kind = 'departement'`)
	if err != nil {
		return "", err
	}
	for rows.Next() {
		var d dep
		if err := rows.Scan(&d.id, &d.region); err != nil {
			return "", err
		}
		deps = append(deps, d)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	categories := []string{"citoyen", "elu", "corps-intermediaire", "association", "collectivite", "mediation-numerique", "administration", "entreprise", "autre"}
	g := newTextGen(1)
	r := rand.New(rand.NewPCG(2, 2))
	base := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	i := 0
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"contributions"},
		[]string{"consultation_id", "entry", "axis_id", "hub_id", "author_category", "territory_id", "region_id", "departement_id", "title", "body", "status", "created_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			i++
			entry, hub, category := "libres", any(nil), categories[r.IntN(len(categories))]
			if r.IntN(5) == 0 {
				entry, hub, category = "hubs", hubs[r.IntN(len(hubs))], "hub"
			}
			d := deps[r.IntN(len(deps))]
			status := "published"
			switch x := r.IntN(100); {
			case x < 3:
				status = "withdrawn"
			case x < 5:
				status = "hidden"
			}
			created := base.Add(time.Duration(i) * (180 * 24 * time.Hour / time.Duration(n)))
			return []any{cons, entry, axes[r.IntN(len(axes))], hub, category,
				d.id, d.region, d.id, g.title(), g.body(), status, created}, nil
		}))
	if err != nil {
		return "", err
	}
	_, err = conn.Exec(ctx, `INSERT INTO contribution_counters (contribution_id, supports)
SELECT id, floor(power(random(), 6) * 400)::int FROM contributions`)
	return index, err
}
