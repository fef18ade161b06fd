package main

// The contributions benchmark: 100,000 synthetic contributions and 1,000,000
// supports, the platform served on a loopback port, 32 concurrent clients on
// the list page (two filters and a sort), a contribution page and a support
// toggle, beside a bare Fiber hello-world measured in the same run.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/config"
	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/ratelimit"
	"github.com/cnr-numerique/concertation/app/seed/synthetic"
	"github.com/cnr-numerique/concertation/app/web"
	"github.com/gofiber/fiber/v2"
)

func init() {
	benchmarks = append(benchmarks, benchmark{name: "contributions", run: runContributions})
}

const (
	benchContributions = 100_000
	benchSupports      = 1_000_000
	benchClients       = 32
	benchDuration      = 10 * time.Second
	benchWarmup        = 2 * time.Second
)

// benchDatabase opens DATABASE_URL (the benchmark then adds its synthetic
// data to that database when it has fewer than 100,000 contributions), or a
// throwaway embedded PostgreSQL under a temporary directory (durable
// settings: fsync and synchronous_commit on), removed at the end.
func benchDatabase(ctx context.Context) (*db.DB, func(), error) {
	if url := os.Getenv("DATABASE_URL"); url != "" {
		d, err := db.Open(ctx, url)
		return d, func() { _ = d.Close() }, err
	}
	dir, err := os.MkdirTemp("", "concertation-bench-")
	if err != nil {
		return nil, nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, nil, err
	}
	emb := &db.Embedded{Dir: dir, Database: "bench"}
	if err := emb.Start(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	d, err := db.Open(ctx, emb.URL("bench"))
	if err != nil {
		_ = emb.Stop()
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return d, func() { _ = d.Close(); _ = emb.Stop(); os.RemoveAll(dir) }, nil
}

func runContributions() error {
	ctx := context.Background()
	d, closeDB, err := benchDatabase(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := prepare(ctx, d); err != nil {
		return err
	}
	var have int
	if err := d.Conn(ctx).Raw(`SELECT count(*) FROM contributions`).Scan(&have).Error; err != nil {
		return err
	}
	if have < benchContributions {
		start := time.Now()
		res, err := synthetic.Load(ctx, d, synthetic.Options{Contributions: benchContributions - have,
			Supports: benchSupports, Seed: 42, Progress: os.Stderr})
		if err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr)
		fmt.Printf("seeded %d contributions, %d supports, %d arguments, %d users in %s\n",
			res.Contributions, res.Supports, res.Arguments, res.Users, time.Since(start).Round(time.Millisecond))
	}

	base, stopApp, err := serveApp(ctx, d, log)
	if err != nil {
		return err
	}
	defer stopApp()
	hello, stopHello, err := serveHello()
	if err != nil {
		return err
	}
	defer stopHello()

	var ids struct{ Lo, Hi int64 }
	if err := d.Conn(ctx).Raw(`SELECT min(id) AS lo, max(id) AS hi FROM contributions`).Scan(&ids).Error; err != nil {
		return err
	}
	listURL := base + "/contributions?categorie=citoyen&region=53&tri=soutiens"
	clients, err := benchUsers(ctx, d, base)
	if err != nil {
		return err
	}
	anon := newClient()
	results := []loadResult{
		load("hello-world (bare Fiber)", func(w int, r *rand.Rand) (int, error) { return get(anon, hello+"/") }, 200),
		load("list: 2 filters + sort by supports (anonymous)", func(w int, r *rand.Rand) (int, error) { return get(anon, listURL) }, 200),
		load("list: random category × région (anonymous)", func(w int, r *rand.Rand) (int, error) {
			return get(anon, fmt.Sprintf("%s/contributions?categorie=%s&region=%s&tri=soutiens", base,
				benchCategories[r.IntN(len(benchCategories))], benchRegions[r.IntN(len(benchRegions))]))
		}, 200),
		load("contribution page, random id (anonymous)", func(w int, r *rand.Rand) (int, error) {
			return get(anon, fmt.Sprintf("%s/contributions/%d", base, ids.Lo+r.Int64N(ids.Hi-ids.Lo+1)))
		}, 200),
		load("list, signed in (rendered per visitor)", func(w int, r *rand.Rand) (int, error) { return get(clients[w].http, listURL) }, 200),
		load("contribution page, signed in (rendered per visitor)", func(w int, r *rand.Rand) (int, error) {
			return get(clients[w].http, fmt.Sprintf("%s/contributions/%d", base, ids.Lo+r.Int64N(ids.Hi-ids.Lo+1)))
		}, 200),
		load("support toggle (POST, random id)", func(w int, r *rand.Rand) (int, error) {
			c := clients[w]
			id := ids.Lo + r.Int64N(ids.Hi-ids.Lo+1)
			action := "soutenir"
			if c.supported[id] {
				action = "retirer-soutien"
			}
			code, err := post(c.http, fmt.Sprintf("%s/contributions/%d/%s", base, id, action), c.csrf)
			if err == nil && code == http.StatusSeeOther {
				c.supported[id] = !c.supported[id]
			}
			return code, err
		}, http.StatusSeeOther),
	}
	fmt.Printf("\n%d concurrent clients, %s per scenario after %s of warm-up, %d CPU\n", benchClients, benchDuration, benchWarmup, runtime.NumCPU())
	fmt.Printf("%-52s %10s %9s %9s %9s %7s\n", "scenario", "req/s", "p50", "p99", "max", "errors")
	for _, r := range results {
		fmt.Printf("%-52s %10.0f %9s %9s %9s %7d\n", r.name, r.rps, r.p50, r.p99, r.max, r.errors)
	}
	helloRPS := results[0].rps
	for _, r := range results[1:] {
		fmt.Printf("  %-50s %.1f %% of hello-world\n", r.name, 100*r.rps/helloRPS)
	}
	var check struct{ Bad, Rows, Counted int64 }
	err = d.Conn(ctx).Raw(`SELECT
		(SELECT count(*) FROM contribution_counters k WHERE k.supports <> (SELECT count(*) FROM supports s WHERE s.contribution_id = k.contribution_id)) AS bad,
		(SELECT count(*) FROM supports) AS rows, (SELECT sum(supports) FROM contribution_counters) AS counted`).Scan(&check).Error
	if err != nil {
		return err
	}
	fmt.Printf("supports: %d rows, counters sum %d, %d contributions whose counter differs from its rows\n", check.Rows, check.Counted, check.Bad)
	if check.Bad != 0 || check.Rows != check.Counted {
		return fmt.Errorf("support counts are wrong")
	}
	return nil
}

var (
	benchCategories = []string{"citoyen", "elu", "association", "collectivite", "mediation-numerique"}
	benchRegions    = []string{"11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93"}
)

func serveApp(ctx context.Context, d *db.DB, log *slog.Logger) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"SESSION_SECRET": strings.Repeat("b", 32), "ADDR": addr, "BASE_URL": "http://" + addr}[k]
	})
	if err != nil {
		return "", nil, err
	}
	// The rate limits stay on (each support still counts against them in
	// PostgreSQL), raised so that 32 clients from one address at full speed
	// are measured rather than refused.
	rules, err := ratelimit.ParseRules("support:account=100000000/1m,support:ip=100000000/1m", ratelimit.DefaultRules)
	if err != nil {
		return "", nil, err
	}
	app, err := web.New(web.Deps{Config: cfg, Log: log, DB: d, Consultations: consultation.NewStore(d), Hubs: hub.NewStore(d),
		Accounts: account.NewStore(d), Sessions: account.NewSessions(d, nil), Contributions: contribution.NewStore(d),
		Limiter: ratelimit.New(d, rules, nil)})
	if err != nil {
		return "", nil, err
	}
	go func() { _ = app.Listener(ln) }()
	return "http://" + addr, func() { _ = app.Shutdown() }, nil
}

func serveHello() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("Hello, World!") })
	go func() { _ = app.Listener(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = app.Shutdown() }, nil
}

func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:       jar,
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

func get(c *http.Client, u string) (int, error) {
	resp, err := c.Get(u)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func post(c *http.Client, u, csrf string) (int, error) {
	resp, err := c.PostForm(u, url.Values{"_csrf": {csrf}})
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// benchClient is one signed-in browser of the support scenario.
type benchClient struct {
	http      *http.Client
	csrf      string
	supported map[int64]bool
}

var metaCSRF = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

// benchUsers creates one account per client, signed in with its CSRF token.
func benchUsers(ctx context.Context, d *db.DB, base string) ([]*benchClient, error) {
	accounts, sessions := account.NewStore(d), account.NewSessions(d, nil)
	var dep int64
	if err := d.Conn(ctx).Raw(`SELECT id FROM territories WHERE kind = 'departement' AND code = '29'`).Scan(&dep).Error; err != nil {
		return nil, err
	}
	cat := "citoyen"
	stamp := time.Now().UnixNano()
	out := make([]*benchClient, benchClients)
	u, _ := url.Parse(base)
	for i := range out {
		user := account.User{Email: fmt.Sprintf("bench-%d-%d@exemple.invalid", stamp, i), DisplayName: fmt.Sprintf("Banc %d", i),
			Category: &cat, DepartementID: &dep}
		if err := accounts.Create(ctx, &user); err != nil {
			return nil, err
		}
		sess, err := sessions.Create(ctx, &user.ID, nil)
		if err != nil {
			return nil, err
		}
		c := &benchClient{http: newClient(), supported: map[int64]bool{}}
		c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: sess.Token, Path: "/"}})
		resp, err := c.http.Get(base + "/")
		if err != nil {
			return nil, err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := metaCSRF.FindSubmatch(body)
		if m == nil {
			return nil, fmt.Errorf("no CSRF token in the home page")
		}
		c.csrf = string(m[1])
		out[i] = c
	}
	return out, nil
}

// startProfile writes a CPU profile of the scenario into $BENCH_PROFILE_DIR
// when it is set.
func startProfile(name string) func() {
	dir := os.Getenv("BENCH_PROFILE_DIR")
	if dir == "" {
		return func() {}
	}
	slug := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(name))
	f, err := os.Create(filepath.Join(dir, slug+".pprof"))
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

type loadResult struct {
	name               string
	rps                float64
	p50, p95, p99, max time.Duration
	errors, requests   int64
}

// load runs do from benchClients workers for benchWarmup, then measures for
// benchDuration. A request counts as an error when its status differs from want.
func load(name string, do func(worker int, r *rand.Rand) (int, error), want int) loadResult {
	return runLoad(name, benchClients, benchWarmup, benchDuration, 7, do, want)
}

// runLoad runs do from clients workers (worker w draws from a generator
// seeded with w and seed) for warmup, then measures for duration; the CPU
// profile of BENCH_PROFILE_DIR covers the measure. A request counts as an
// error when its status differs from want.
func runLoad(name string, clients int, warmup, duration time.Duration, seed uint64,
	do func(worker int, r *rand.Rand) (int, error), want int) loadResult {
	fmt.Fprintf(os.Stderr, "running %s…\n", name)
	var measuring atomic.Bool
	var errs atomic.Int64
	var wg sync.WaitGroup
	lat := make([][]time.Duration, clients)
	stop := make(chan struct{})
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), seed))
			for {
				select {
				case <-stop:
					return
				default:
				}
				t := time.Now()
				code, err := do(w, r)
				el := time.Since(t)
				if measuring.Load() {
					lat[w] = append(lat[w], el)
					if err != nil || code != want {
						errs.Add(1)
					}
				}
			}
		}()
	}
	time.Sleep(warmup)
	stopProfile := startProfile(name)
	measuring.Store(true)
	start := time.Now()
	time.Sleep(duration)
	measuring.Store(false)
	stopProfile()
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	res := loadResult{name: name, errors: errs.Load(), requests: int64(len(all))}
	if len(all) > 0 {
		res.rps = float64(len(all)) / elapsed.Seconds()
		res.p50 = all[len(all)/2].Round(10 * time.Microsecond)
		res.p95 = all[len(all)*95/100].Round(10 * time.Microsecond)
		res.p99 = all[len(all)*99/100].Round(10 * time.Microsecond)
		res.max = all[len(all)-1].Round(10 * time.Microsecond)
	}
	return res
}
