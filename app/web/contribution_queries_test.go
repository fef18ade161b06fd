package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/answer"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
)

// statementCounter counts the SQL statements sent from now on.
type statementCounter struct{ start int64 }

func (c *statementCounter) Store(int64) { c.start = db.Statements() }
func (c *statementCounter) Load() int64 { return db.Statements() - c.start }

// countQueries counts the SQL statements of this process (the test runs its
// requests one at a time).
func countQueries(t *testing.T, _ *db.DB) *statementCounter {
	t.Helper()
	return &statementCounter{start: db.Statements()}
}

// TestListQueriesDoNotGrowWithPageSize counts the SQL statements of list
// pages, without any cache, with 1 and with 50 contributions shown.
func TestListQueriesDoNotGrowWithPageSize(t *testing.T) {
	a := newTestApp(t, nil)
	deps := a.deps
	deps.Contributions = contribution.NewStore(deps.DB)
	deps.Query = nil                          // built anew on these contributions
	deps.Limiter = permissiveLimiter(t, deps) // 50 contributions by one account
	app, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	a.app = app
	u := a.newUser("u@exemple.fr", "Ulysse")
	other := a.newUser("o@exemple.fr", "Olga")
	propose := func(i int) {
		a.propose(url.Values{"entree": {"libres"}, "axe": {"gouvernance-finances-modeles-economiques"},
			"titre": {fmt.Sprintf("Contribution %d", i)}, "texte": {"Texte"}})
	}
	a.signIn(u.ID)
	propose(0)
	n := countQueries(t, deps.DB)
	measure := func(path string) int64 {
		t.Helper()
		a.get(path) // warm the reference data cache and the CSRF cookie
		n.Store(0)
		resp, _ := a.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return n.Load()
	}
	paths := []string{"/contributions?par=50", "/contributions?par=50&tri=soutiens&categorie=citoyen&region=53",
		"/axes/gouvernance-finances-modeles-economiques?par=50&tri=discutees", fmt.Sprintf("/auteurs/%d?par=50", u.ID)}
	small := map[string]int64{}
	for _, p := range paths {
		small[p] = measure(p)
	}
	for i := 1; i < 50; i++ {
		propose(i)
	}
	a.signIn(other.ID) // signed in: the supports of the viewer are loaded too
	for _, p := range paths {
		large := measure(p)
		if large != small[p] || large == 0 {
			t.Errorf("%s: %d queries with 1 contribution, %d with 50", p, small[p], large)
		}
		t.Logf("%s: %d queries", p, large)
	}
}

// TestContributionPageStatements counts the SQL statements of a contribution
// page that no cache holds, for an anonymous visitor. Once the page renderer
// has rendered it: one (the stored page and its count of supports). Before,
// or after a change: that one, then the contribution with its arguments and
// whether it has an answer, and one more for the answer of a contribution
// that has one.
func TestContributionPageStatements(t *testing.T) {
	a := newTestApp(t, nil)
	u := a.newUser("u@exemple.fr", "Ulysse")
	a.signIn(u.ID)
	var paths []string
	var ids []int64
	for i := range 5 {
		paths = append(paths, a.propose(url.Values{"entree": {"libres"}, "axe": {"gouvernance-finances-modeles-economiques"},
			"titre": {fmt.Sprintf("Contribution %d", i)}, "texte": {"Texte"}}))
		var id int64
		if _, err := fmt.Sscanf(paths[i], "/contributions/%d", &id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, i := range []int{2, 4} {
		if err := answer.NewStore(a.deps.DB).Set(context.Background(), ids[i], u.ID, answer.Study, "À l'étude"); err != nil {
			t.Fatal(err)
		}
	}
	a.jar = map[string]string{} // an anonymous visitor
	a.get(paths[0])             // warms the reference data
	n := countQueries(t, a.deps.DB)
	check := func(want map[int]int64) {
		t.Helper()
		for i, want := range want {
			n.Store(0)
			resp, body := a.get(paths[i])
			if resp.StatusCode != 200 || (i == 2 || i == 4) != strings.Contains(body, "À l&#39;étude") {
				t.Fatalf("%s: %d", paths[i], resp.StatusCode)
			}
			if got := n.Load(); got != want {
				t.Errorf("%s: %d statements, want %d", paths[i], got, want)
			}
		}
	}
	check(map[int]int64{1: 2, 2: 3}) // not rendered yet
	pages, err := NewPages(a.deps)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := pages.RenderAll(context.Background(), 1); err != nil || n != 5 {
		t.Fatalf("rendered %d pages (%v), want 5", n, err)
		t.Fatal(err)
	}
	check(map[int]int64{3: 1, 4: 1}) // rendered (pages not seen yet: no cache holds them)
}
