package web

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/query"
	"github.com/cnr-numerique/concertation/app/ratelimit"
	"github.com/cnr-numerique/concertation/app/synthesis/synthesistest"
	"github.com/cnr-numerique/concertation/search"
)

// TestOpenDataDownloadsLimitedAndNotAudited: the anonymous downloads of the
// open data are limited per address (French 429 with Retry-After) and write
// nothing to the audit journal.
func TestOpenDataDownloadsLimitedAndNotAudited(t *testing.T) {
	if lim, ok := ratelimit.DefaultRules[limitOpenData]; !ok || lim.Max < 10 {
		t.Fatalf("default rule %q = %v", limitOpenData, lim)
	}
	f := newModFix(t)
	synthesistest.Load(t, f.deps.DB)
	limitedApp(t, f, limitOpenData+"=3/1h")
	before := f.scalar(`SELECT count(*) FROM audit_log`)
	for i, name := range []string{"donnees-csv.zip", "contributions.csv", "soutiens.jsonl", "donnees-json.zip"} {
		resp, body := f.get("/donnees/" + name)
		if i < 3 {
			expect(t, name, resp, body, http.StatusOK)
			continue
		}
		expect(t, "download past the limit", resp, body, http.StatusTooManyRequests, "Trop de tentatives en peu de temps", "merci de patienter")
		if resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if after := f.scalar(`SELECT count(*) FROM audit_log`); after != before {
		t.Errorf("anonymous open-data downloads wrote %d audit rows", after-before)
	}
}

// TestSimilarRateLimited: the suggestions while typing a title count as
// searches, per address and per account.
func TestSimilarRateLimited(t *testing.T) {
	for _, per := range []string{"ip", "account"} {
		t.Run(per, func(t *testing.T) {
			f := newModFix(t)
			author := f.user("Autrice")
			f.contribution(author, "Former les médiateurs numériques")
			limitedApp(t, f, limitSearch+":"+per+"=3/1m")
			if per == "account" {
				f.as(f.user("Pressée"))
			}
			for i := 0; i < 4; i++ {
				resp, body := f.get("/contributions/similaires?titre=" + url.QueryEscape(fmt.Sprintf("Former les médiateurs %d", i)))
				if i < 3 {
					expect(t, fmt.Sprintf("attempt %d", i+1), resp, body, http.StatusOK)
					continue
				}
				expect(t, "attempt past the limit", resp, body, http.StatusTooManyRequests, "Trop de tentatives en peu de temps")
			}
		})
	}
}

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
