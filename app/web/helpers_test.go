package web

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/config"
	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/seeds"
	"github.com/cnr-numerique/concertation/views"
	"github.com/gofiber/fiber/v2"
)

func TestMain(m *testing.M) {
	if fuzzWorker() && os.Getenv(fuzzDatabaseEnv) != "" {
		// A fuzzing worker uses its coordinator's database (FuzzFormRoutes):
		// a PostgreSQL server of its own would outlive it, since the
		// coordinator interrupts a worker a second after asking it to stop.
		os.Exit(m.Run())
	}
	dbtest.Main(m)
}

// fuzzWorker reports whether this test binary is a fuzzing worker process.
func fuzzWorker() bool {
	return slices.ContainsFunc(os.Args, func(a string) bool { return strings.HasPrefix(a, "-test.fuzzworker") })
}

// testApp is the platform on its own seeded database, called through
// Fiber's app.Test. A testApp keeps a cookie jar, like one browser.
type testApp struct {
	t    testing.TB
	app  *fiber.App
	deps Deps
	jar  map[string]string
}

// newTestApp builds the platform on a fresh database with the reference data.
// now, when not nil, replaces the clock.
func newTestApp(t testing.TB, now func() time.Time) *testApp {
	t.Helper()
	d := dbtest.New(t)
	if err := seed.Reference(context.Background(), d, seeds.FS); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return newTestAppOn(t, d, now)
}

func newTestAppOn(t testing.TB, d *db.DB, now func() time.Time) *testApp {
	t.Helper()
	openData := t.TempDir()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"SESSION_SECRET": strings.Repeat("s", 32), "OPENDATA_DIR": openData}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	deps := Deps{
		Config:        cfg,
		Log:           slog.New(slog.NewTextHandler(testLogOut(), nil)),
		DB:            d,
		Consultations: consultation.NewStore(d),
		Hubs:          hub.NewStore(d),
		Accounts:      account.NewStore(d),
		Sessions:      account.NewSessions(d, now),
		Now:           now,
	}
	app, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	return &testApp{t: t, app: app, deps: deps, jar: map[string]string{}}
}

// do sends req with the jar's cookies and keeps the cookies it sets.
func (a *testApp) do(req *http.Request) *http.Response {
	a.t.Helper()
	for k, v := range a.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := a.app.Test(req, 10_000)
	if err != nil {
		a.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(a.jar, c.Name)
		} else {
			a.jar[c.Name] = c.Value
		}
	}
	return resp
}

// get fetches path and returns the response and its body.
func (a *testApp) get(path string) (*http.Response, string) {
	a.t.Helper()
	resp := a.do(httptest.NewRequest(http.MethodGet, path, nil))
	return resp, readBody(a.t, resp)
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf returns a valid form token for the jar's browser, fetching a page first.
func (a *testApp) csrf() string {
	a.t.Helper()
	_, body := a.get("/")
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		// Every page carries the token in the layout's forms or meta.
		m = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`).FindStringSubmatch(body)
	}
	if m == nil {
		a.t.Fatal("no CSRF token in the home page")
	}
	return m[1]
}

// post sends a form with a valid CSRF token (unless form already has one).
func (a *testApp) post(path string, form url.Values) (*http.Response, string) {
	a.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has(csrfField) {
		form.Set(csrfField, a.csrf())
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp := a.do(req)
	return resp, readBody(a.t, resp)
}

// newUser creates a verified account with a category and a département.
func (a *testApp) newUser(email, name string) account.User {
	a.t.Helper()
	ctx := context.Background()
	dep, err := a.deps.Hubs.TerritoryByCode(ctx, hub.KindDepartement, "29")
	if err != nil {
		a.t.Fatal(err)
	}
	cat := "citoyen"
	now := time.Now()
	u := account.User{Email: email, DisplayName: name, Category: &cat, DepartementID: &dep.ID, EmailVerifiedAt: &now, TermsAcceptedAt: &now}
	if err := a.deps.Accounts.Create(ctx, &u); err != nil {
		a.t.Fatal(err)
	}
	return u
}

// signIn makes the jar's browser signed in as userID, as after a real sign-in.
func (a *testApp) signIn(userID int64) {
	a.t.Helper()
	sess, err := a.deps.Sessions.Create(context.Background(), &userID, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	a.jar[(&Server{Deps: a.deps}).sessionCookieName()] = sess.Token
}

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type fiberCtx = fiber.Ctx

var errFake = errors.New("pq: secret internal detail")

func viewsFS() fs.FS { return views.FS }

func testLogOut() io.Writer {
	if os.Getenv("TEST_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}
