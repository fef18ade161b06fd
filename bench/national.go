package main

// The national benchmark (make bench-national): 1,000,000 contributions and
// 10,000,000 supports seeded once into a cache folder, the real program
// (bin/concertation serve) started on them as a separate process, and a load
// made of what people do, from this process: random combinations of every
// filter, order and page; random contribution ids; a log of varied French
// searches; support toggles by many accounts; and a mix of all of them. Each
// scenario is measured beside a bare Fiber hello-world served by another
// process in the same run.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/seed/synthetic"
	"github.com/gofiber/fiber/v2"
)

func init() {
	benchmarks = append(benchmarks, benchmark{name: "national", run: runNational, optIn: true})
}

// National figures: the size of the data set, the load and its duration.
var (
	nationalSize     = envInt("BENCH_NATIONAL_SIZE", 1_000_000)
	nationalClients  = envInt("BENCH_CLIENTS", 16)
	nationalDuration = time.Duration(envInt("BENCH_SECONDS", 15)) * time.Second
	nationalWarmup   = 3 * time.Second
	nationalAccounts = 400
)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// nationalData is what the load needs to know of the data set.
type nationalData struct {
	maxID        int64
	axes         []string
	categories   []string
	regions      []string
	departements []string
	hubs         []string
	sessions     []string // session cookies of the bench accounts
	queries      []string // the search log, most frequent first
	url          string   // the database, for the checks after the load
}

func runNational() error {
	ctx := context.Background()
	dir := os.Getenv("BENCH_CACHE")
	if dir == "" {
		dir = filepath.Join("data-bench", fmt.Sprintf("national-%d", nationalSize))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	data, err := prepareNational(ctx, abs)
	if err != nil {
		return err
	}
	if data.queries, err = loadQueries(); err != nil {
		return err
	}
	app, stopApp, err := startProgram(abs)
	if err != nil {
		return err
	}
	defer stopApp()
	hello, stopHello, err := startHello()
	if err != nil {
		return err
	}
	defer stopHello()

	fmt.Printf("machine: %d cores (%s), %s; data: %d contributions, %d supports; load: %d connections from a separate process, %s per scenario\n",
		runtime.NumCPU(), cpuModel(), time.Now().Format("2006-01-02"), nationalSize, 10*nationalSize, nationalClients, nationalDuration)
	anon := newAgent()
	type signedAgent struct {
		*agent
		csrf      string
		supported map[int64]bool
	}
	signed := make([]*signedAgent, len(data.sessions))
	for i, token := range data.sessions {
		c := &signedAgent{agent: newAgent(), supported: map[int64]bool{}}
		c.setCookie("session", token)
		_, body, err := c.page(app + "/")
		if err != nil {
			return err
		}
		m := metaCSRF.FindSubmatch(body)
		if m == nil {
			return fmt.Errorf("bench account %d is not signed in", i)
		}
		c.csrf = string(m[1])
		signed[i] = c
	}
	var toggles atomic.Int64
	support := func(w int, r *rand.Rand) (int, error) {
		c := signed[(w+r.IntN(len(signed)/nationalClients)*nationalClients)%len(signed)]
		id := 1 + r.Int64N(data.maxID)
		action := "soutenir"
		if c.supported[id] {
			action = "retirer-soutien"
		}
		code, err := c.post(fmt.Sprintf("%s/contributions/%d/%s", app, id, action), c.csrf)
		if code == http.StatusSeeOther {
			c.supported[id] = !c.supported[id]
			toggles.Add(1)
		}
		if code == http.StatusConflict || code == http.StatusNotFound || code == http.StatusForbidden {
			code = http.StatusSeeOther // own, withdrawn or hidden contribution: refused as it should be
		}
		return code, err
	}
	list := func(_ int, r *rand.Rand) (int, error) { return anon.get(app + data.listURL(r)) }
	show := func(_ int, r *rand.Rand) (int, error) {
		return anon.get(fmt.Sprintf("%s/contributions/%d", app, 1+r.Int64N(data.maxID)))
	}
	searchQ := func(_ int, r *rand.Rand) (int, error) { return anon.get(app + data.searchURL(r)) }
	freshSearch := func(_ int, r *rand.Rand) (int, error) { return anon.get(app + data.freshSearchURL(r)) }
	stats := func(_ int, r *rand.Rand) (int, error) { return anon.get(app + data.statsURL(r)) }
	mixed := func(w int, r *rand.Rand) (int, error) {
		switch x := r.IntN(100); {
		case x < 40:
			return list(w, r)
		case x < 70:
			return show(w, r)
		case x < 75:
			return stats(w, r)
		case x < 80:
			return anon.get(app + data.pageURL(r))
		case x < 95:
			return searchQ(w, r)
		default:
			code, err := support(w, r)
			if code == http.StatusSeeOther {
				code = http.StatusOK
			}
			return code, err
		}
	}
	var rows []nationalRow
	only := os.Getenv("BENCH_SCENARIOS") // e.g. "lists,search": the scenarios whose name starts with one of these
	run := func(name, base string, do func(int, *rand.Rand) (int, error), want int) {
		if only != "" && base == app && !slices.ContainsFunc(strings.Split(only, ","), func(p string) bool { return strings.HasPrefix(name, p) }) {
			return
		}
		before := statements(app)
		res := loadFor(name, nationalClients, nationalDuration, do, want)
		after := statements(app)
		row := nationalRow{loadResult: res}
		if n := res.requests; n > 0 && before >= 0 && after >= 0 && base == app {
			row.statements = float64(after-before) / float64(n)
		} else {
			row.statements = math.NaN()
		}
		rows = append(rows, row)
	}
	run("bare Fiber hello-world (denominator)", hello, func(int, *rand.Rand) (int, error) { return anon.get(hello + "/") }, 200)
	run("lists: random filters, orders and pages", app, list, 200)
	run("contribution pages, random ids", app, show, 200)
	run(fmt.Sprintf("search: log of %d French queries, Zipf", len(data.queries)), app, searchQ, 200)
	run("search: uniform over the log, random filters and pages (rarely kept)", app, freshSearch, 200)
	run("statistics, random filters", app, stats, 200)
	run("support toggles, 400 accounts", app, support, http.StatusSeeOther)
	run("mixed: 80 % reads, 15 % search, 5 % supports", app, mixed, 200)
	printNational(rows)
	return checkSupports(ctx, data.url, toggles.Load())
}

// prepareNational seeds the data set into dir once (kept between runs),
// creates the bench accounts with fresh sessions, and reads the reference
// values of the load. The database is stopped again before the program
// starts on it.
func prepareNational(ctx context.Context, dir string) (*nationalData, error) {
	emb := &db.Embedded{Dir: dir}
	if err := emb.Start(ctx); err != nil {
		return nil, err
	}
	defer func() { _ = emb.Stop() }()
	d, err := db.Open(ctx, emb.URL(emb.Database))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	if err := prepare(ctx, d); err != nil {
		return nil, err
	}
	var have int
	if err := d.Conn(ctx).Raw(`SELECT count(*) FROM contributions`).Scan(&have).Error; err != nil {
		return nil, err
	}
	if have < nationalSize {
		fmt.Fprintf(os.Stderr, "seeding %d contributions and %d supports into %s (once)…\n", nationalSize-have, 10*(nationalSize-have), dir)
		start := time.Now()
		if _, err := synthetic.Load(ctx, d, synthetic.Options{Contributions: nationalSize - have, Seed: 11, Progress: os.Stderr}); err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "seeded in %s\n", time.Since(start).Round(time.Second))
		for _, t := range []string{"contributions", "contribution_listing", "contribution_counters", "contribution_cells", "supports", "users"} {
			if err := d.Conn(ctx).Exec(`VACUUM ANALYZE ` + t).Error; err != nil {
				return nil, err
			}
		}
	}
	data := &nationalData{url: emb.URL(emb.Database)}
	conn := d.Conn(ctx)
	for _, q := range []struct {
		dst any
		sql string
	}{
		{&data.maxID, `SELECT max(id) FROM contributions`},
		{&data.axes, `SELECT slug FROM axes ORDER BY position`},
		{&data.categories, `SELECT code FROM author_categories ORDER BY position`},
		{&data.regions, `SELECT code FROM territories WHERE kind = 'region' ORDER BY code`},
		{&data.departements, `SELECT code FROM territories WHERE kind = 'departement' ORDER BY code`},
		{&data.hubs, `SELECT slug FROM hubs ORDER BY slug`},
	} {
		if err := conn.Raw(q.sql).Scan(q.dst).Error; err != nil {
			return nil, err
		}
	}
	accounts, sessions := account.NewStore(d), account.NewSessions(d, nil)
	var dep int64
	if err := conn.Raw(`SELECT id FROM territories WHERE kind = 'departement' AND code = '29'`).Scan(&dep).Error; err != nil {
		return nil, err
	}
	cat := "citoyen"
	for i := range nationalAccounts {
		email := fmt.Sprintf("banc-national-%d@exemple.invalid", i)
		u, err := accounts.ByEmail(ctx, email)
		if err != nil {
			u = account.User{Email: email, DisplayName: fmt.Sprintf("Banc %d", i), Category: &cat, DepartementID: &dep}
			if err := accounts.Create(ctx, &u); err != nil {
				return nil, err
			}
		}
		sess, err := sessions.Create(ctx, &u.ID, nil)
		if err != nil {
			return nil, err
		}
		data.sessions = append(data.sessions, sess.Token)
	}
	return data, nil
}

// loadQueries reads the search log (bench/queries.txt: one query a line,
// most frequent first; # comments), or a short built-in one.
func loadQueries() ([]string, error) {
	f, err := os.Open(filepath.Join("bench", "queries.txt"))
	if os.IsNotExist(err) {
		return []string{"numérique", "médiation", "formation", "conseiller numérique", "aidants", "France services",
			`"médiateurs numériques"`, "financement pérenne", "accessibilité démarches", "données", "tiers-lieux",
			"formaton", "inclusion -bancaire", "évaluation politique publique", "collectivités territoriales"}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimRight(sc.Text(), " \r"); strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}

// zipf picks an index in [0, n) with a Zipf-like frequency (rank k has weight
// about 1/(k+1)).
func zipf(r *rand.Rand, n int) int {
	x := math.Exp(r.Float64()*math.Log(float64(n)+1)) - 1
	return min(int(x), n-1)
}

func (d *nationalData) pick(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }

// filters adds a random combination of the filter dimensions to v.
func (d *nationalData) filters(r *rand.Rand, v url.Values) {
	if r.IntN(2) == 0 {
		v.Set("axe", d.pick(r, d.axes))
	}
	if r.IntN(3) == 0 {
		v.Set("categorie", d.pick(r, d.categories))
	}
	switch r.IntN(6) {
	case 0, 1:
		v.Set("region", d.pick(r, d.regions))
	case 2:
		v.Set("departement", d.pick(r, d.departements))
	}
	if r.IntN(8) == 0 {
		v.Set("hub", d.pick(r, d.hubs))
	}
	if r.IntN(6) == 0 {
		v.Set("entree", []string{"hubs", "libres"}[r.IntN(2)])
	}
}

// listURL is a list as people browse it: a random combination of filters,
// an order, a page near the start (or the last page) and sometimes a larger
// page size.
func (d *nationalData) listURL(r *rand.Rand) string {
	v := url.Values{}
	d.filters(r, v)
	switch r.IntN(4) {
	case 1:
		v.Set("tri", "soutiens")
	case 2:
		v.Set("tri", "discutees")
	case 3:
		v.Set("tri", "hasard")
		v.Set("graine", strconv.Itoa(1+r.IntN(1<<30)))
	}
	switch x := r.IntN(10); {
	case x < 6:
	case x < 9:
		v.Set("page", strconv.Itoa(2+r.IntN(8)))
	default:
		v.Set("page", "999999") // the last page
	}
	if r.IntN(10) == 0 {
		v.Set("par", "50")
	}
	return "/contributions?" + v.Encode()
}

// searchURL is a search of the log (bench/queries.txt: the text, then
// optionally a tab and the filters of the search benchmark), drawn with a
// Zipf-like frequency.
func (d *nationalData) searchURL(r *rand.Rand) string {
	line := d.queries[zipf(r, len(d.queries))]
	text, filters, _ := strings.Cut(line, "\t")
	v := url.Values{"q": {text}}
	for _, f := range strings.Fields(filters) {
		k, val, _ := strings.Cut(f, "=")
		switch k {
		case "tri":
			switch val {
			case "date":
				v.Set("tri", "recentes")
			case "soutiens":
				v.Set("tri", "soutiens")
			}
		case "axe", "region", "departement", "entree", "categorie", "page":
			v.Set(k, val)
		}
	}
	return "/contributions?" + v.Encode()
}

// freshSearchURL is a text of the log with a random combination of filters
// and a random page: a search that the kept answers rarely hold (the engine
// answers most of them), beside searchURL which measures what people do.
func (d *nationalData) freshSearchURL(r *rand.Rand) string {
	line := d.queries[r.IntN(len(d.queries))]
	text, _, _ := strings.Cut(line, "\t")
	v := url.Values{"q": {text}}
	d.filters(r, v)
	if r.IntN(3) == 0 {
		v.Set("page", strconv.Itoa(2+r.IntN(4)))
	}
	return "/contributions?" + v.Encode()
}

// statsURL is the statistics page, whole half the time, filtered otherwise.
func (d *nationalData) statsURL(r *rand.Rand) string {
	v := url.Values{}
	if r.IntN(2) == 0 {
		d.filters(r, v)
	}
	return "/statistiques?" + v.Encode()
}

// pageURL is the home, an axis or a Hub page.
func (d *nationalData) pageURL(r *rand.Rand) string {
	switch r.IntN(3) {
	case 0:
		return "/"
	case 1:
		return "/axes/" + d.pick(r, d.axes)
	}
	return "/hubs/" + d.pick(r, d.hubs)
}

// startProgram starts bin/concertation serve on dir, with the rate limits
// raised so that the load is measured rather than refused.
func startProgram(dir string) (string, func(), error) {
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(filepath.Join("bin", "concertation"), "serve")
	cmd.Env = append(os.Environ(), "DATA_DIR="+dir, "ADDR="+addr, "BASE_URL=http://"+addr, "DATABASE_URL=", "LOG_LEVEL=error",
		"SESSION_SECRET="+strings.Repeat("n", 32),
		"RATE_LIMITS=support:account=1000000/1m,support:ip=100000000/1m,search:account=100000000/1m,search:ip=100000000/1m")
	logs, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return "", nil, err
	}
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start bin/concertation (run make build first): %w", err)
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		logs.Close()
	}
	base := "http://" + addr
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if code, err := get(newClient(), base+"/readyz"); err == nil && code == 200 {
			return base, stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("the program did not start: see %s", filepath.Join(dir, "serve.log"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// startHello serves a bare Fiber hello-world from a child process (this
// program run again with BENCH_HELLO_ADDR).
func startHello() (string, func(), error) {
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "BENCH_HELLO_ADDR="+addr)
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	base := "http://" + addr
	for range 100 {
		if code, err := get(newClient(), base+"/"); err == nil && code == 200 {
			return base, func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	return "", nil, fmt.Errorf("hello-world did not start")
}

// serveHelloChild is the hello-world process.
func serveHelloChild(addr string) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("Hello, World!") })
	_ = app.Listen(addr)
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

var statementsLine = regexp.MustCompile(`(?m)^concertation_sql_statements_total ([0-9.e+]+)$`)

// statements reads the program's count of SQL statements on /metrics (-1
// when it is not there).
func statements(base string) int64 {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := statementsLine.FindSubmatch(b)
	if m == nil {
		return -1
	}
	f, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		return -1
	}
	return int64(f)
}

type nationalRow struct {
	loadResult
	statements float64
}

func printNational(rows []nationalRow) {
	fmt.Printf("\n| scenario | req/s | p50 | p95 | p99 | errors | SQL statements / request |\n|---|---|---|---|---|---|---|\n")
	hello := rows[0].rps
	for _, r := range rows {
		ratio := ""
		if r.rps != hello && hello > 0 {
			ratio = fmt.Sprintf(" (%.1f %%)", 100*r.rps/hello)
		}
		st := "–"
		if !math.IsNaN(r.statements) {
			st = fmt.Sprintf("%.2f", r.statements)
		}
		fmt.Printf("| %s | %.0f%s | %s | %s | %s | %d | %s |\n", r.name, r.rps, ratio, ms(r.p50), ms(r.p95), ms(r.p99), r.errors, st)
	}
}

// checkSupports compares the support counters with the support rows after
// the load: they must be equal for every contribution.
func checkSupports(ctx context.Context, url string, toggles int64) error {
	d, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer d.Close()
	var rows, sum, off int64
	err = d.Conn(ctx).Raw(`SELECT (SELECT count(*) FROM supports), (SELECT sum(supports) FROM contribution_counters),
		(SELECT count(*) FROM contribution_counters k WHERE k.supports <> (SELECT count(*) FROM supports s WHERE s.contribution_id = k.contribution_id)
		   AND k.contribution_id IN (SELECT contribution_id FROM supports s JOIN users u ON u.id = s.user_id WHERE u.email LIKE 'banc-national-%'))`).
		Row().Scan(&rows, &sum, &off)
	if err != nil {
		return err
	}
	fmt.Printf("\nsupports after the load: %d toggles acknowledged; %d support rows, counters summing to %d, %d contributions touched off by one or more\n",
		toggles, rows, sum, off)
	if rows != sum || off != 0 {
		return fmt.Errorf("support counters differ from the support rows")
	}
	return nil
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			if i := strings.Index(l, ":"); i > 0 {
				return strings.TrimSpace(l[i+1:])
			}
		}
	}
	return "?"
}

// loadFor runs do from clients workers for nationalWarmup, then measures for
// duration. A request counts as an error when its status differs from want.
func loadFor(name string, clients int, duration time.Duration, do func(worker int, r *rand.Rand) (int, error), want int) loadResult {
	return runLoad(name, clients, nationalWarmup, duration, uint64(time.Now().UnixNano()), do, want)
}
