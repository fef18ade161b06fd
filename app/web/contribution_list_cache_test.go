package web

import (
	"fmt"
	"net/http"
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
