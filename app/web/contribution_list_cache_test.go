package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/query"
	"github.com/cnr-numerique/concertation/search"
)

// TestAnonymousListCacheKeyNormalised: parameters the list does not know
// share the rendered list of the plain address, and random orders are not
// kept for anonymous visitors.
func TestAnonymousListCacheKeyNormalised(t *testing.T) {
	f := newModFix(t)
	author := f.user("Autrice")
	f.contribution(author, "Une contribution")
	store := query.New(f.deps.DB, contribution.NewStore(f.deps.DB), search.NewPostgres(f.deps.DB.SQL()))
	f.deps.Query = store
	limitedApp(t, f, "search:ip=100000/1h") // rebuilds the app on this query service
	f.jar = map[string]string{}
	resp, body := f.get("/contributions?x=1")
	expect(t, "list", resp, body, http.StatusOK, "Une contribution")
	n := store.CachedLists()
	if n == 0 {
		t.Fatal("anonymous list not cached")
	}
	for _, q := range []string{"", "?x=2", "?x=3&y=4", "?axe=inconnu", "?tri=recentes&tri=hasard", "?page=1&utm_source=x"} {
		resp, body := f.get("/contributions" + q)
		expect(t, q, resp, body, http.StatusOK, "Une contribution")
		if got := store.CachedLists(); got != n {
			t.Errorf("%q: %d cached lists, want %d", q, got, n)
		}
	}
	for i := 0; i < 3; i++ {
		f.jar = map[string]string{} // a cookieless bot: a new seed each time
		resp, body := f.get("/contributions?tri=hasard")
		expect(t, "random order", resp, body, http.StatusOK, "Une contribution")
		resp, body = f.get(fmt.Sprintf("/contributions?tri=hasard&graine=%d", i+1))
		expect(t, "random order with a seed", resp, body, http.StatusOK, "Une contribution")
	}
	if got := store.CachedLists(); got != n {
		t.Errorf("random orders: %d cached lists, want %d", got, n)
	}
}

// TestAnonymousListNotKeptFromOlderCopy: a list read from the copy of the
// listing made before a change through this process (which a list uses
// while the copy reads the change beside it) is served but not kept, so the
// next visit after the copy's read shows the change rather than the kept page
// for anonymousListTTL. It failed when the list's load read the request's
// context instead of the cache's: the cache never learnt the copy was older.
func TestAnonymousListNotKeptFromOlderCopy(t *testing.T) {
	a := newTestApp(t, nil)
	a.deps.Contributions = contribution.NewStore(a.deps.DB)
	q := query.New(a.deps.DB, a.deps.Contributions, search.NewPostgres(a.deps.DB.SQL()))
	a.deps.Query = q
	app, err := New(a.deps)
	if err != nil {
		t.Fatal(err)
	}
	a.app = app
	a.signIn(a.newUser("u@exemple.fr", "Ulysse").ID)
	draft := func(title string) url.Values {
		return url.Values{"entree": {"libres"}, "axe": {"formation-structuration-filiere"}, "titre": {title}, "texte": {"Texte"}}
	}
	a.propose(draft("Première contribution"))
	ctx := context.Background()
	if err := q.WarmLists(ctx); err != nil {
		t.Fatal(err)
	}
	anon := &testApp{t: t, app: a.app, deps: a.deps, jar: map[string]string{}}
	a.propose(draft("Toute nouvelle"))
	// The copy read before the change: the list uses it (and starts a read).
	_, body := anon.get("/contributions")
	mustContain(t, body, "Première contribution")
	if strings.Contains(body, "Toute nouvelle") {
		t.Fatal("the first list after the change did not use the older copy: the test proves nothing")
	}
	if err := q.WarmLists(ctx); err != nil { // the copy has read the change
		t.Fatal(err)
	}
	_, body = anon.get("/contributions")
	mustContain(t, body, "Toute nouvelle", "<strong>2</strong> contributions")
}
