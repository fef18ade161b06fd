package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/ratelimit"
)

// limitedApp rebuilds the platform of f with the default rate limits
// overridden by spec (RATE_LIMITS syntax).
func limitedApp(t *testing.T, f *modFix, spec string) {
	t.Helper()
	rules, err := ratelimit.ParseRules(spec, ratelimit.DefaultRules)
	if err != nil {
		t.Fatal(err)
	}
	f.deps.Limiter = ratelimit.New(f.deps.DB, rules, nil)
	app, err := New(f.deps)
	if err != nil {
		t.Fatal(err)
	}
	f.app = app
}

// permissiveLimiter has limits no test of another area reaches.
func permissiveLimiter(t testing.TB, d Deps) *ratelimit.Limiter {
	t.Helper()
	var spec []string
	for _, a := range []string{limitContribute, limitSupport, limitArgue, limitReport, limitSearch, "signin", "signup", "reset"} {
		spec = append(spec, a+":account=100000/1h", a+":ip=100000/1h")
	}
	spec = append(spec, "signin:pair=100000/1h", "oidc:ip=100000/1h")
	rules, err := ratelimit.ParseRules(strings.Join(spec, ","), ratelimit.DefaultRules)
	if err != nil {
		t.Fatal(err)
	}
	return ratelimit.New(d.DB, rules, nil)
}

// TestDefaultWriteLimits: the defaults let a person work normally and stop
// bursts; every action is limited per account and per address.
func TestDefaultWriteLimits(t *testing.T) {
	for _, a := range []string{limitContribute, limitSupport, limitArgue, limitReport, limitSearch} {
		acc, ip := ratelimit.DefaultRules[a+":account"], ratelimit.DefaultRules[a+":ip"]
		if acc.Max == 0 || ip.Max == 0 {
			t.Fatalf("%s: no default rule per account or per address", a)
		}
		if ip.Max < acc.Max || acc.Max < 10 {
			t.Errorf("%s: defaults %v / %v too tight for normal use", a, acc, ip)
		}
	}
	if s := ratelimit.DefaultRules["support:account"]; float64(s.Max)/s.Window.Minutes() < 60 || float64(s.Max)/s.Window.Minutes() > 300 {
		t.Errorf("supports per account: %v", s)
	}
}

// TestWriteRateLimits: past the limit, each write and the search answer the
// French 429 page with Retry-After, per account and per address; below it,
// and for plain browsing of the lists, nothing is refused.
func TestWriteRateLimits(t *testing.T) {
	type step func(f *modFix, author, target int64, i int) (*http.Response, string)
	support := func(f *modFix, _, target int64, i int) (*http.Response, string) {
		action := "soutenir"
		if i%2 == 1 {
			action = "retirer-soutien"
		}
		return f.post(fmt.Sprintf("/contributions/%d/%s", target, action), nil)
	}
	create := func(f *modFix, _, _ int64, i int) (*http.Response, string) {
		return f.post("/contributions/nouvelle", url.Values{"entree": {"libres"}, "axe": {"gouvernance-finances-modeles-economiques"},
			"titre": {fmt.Sprintf("Titre %d", i)}, "texte": {"Texte"}})
	}
	argue := func(f *modFix, _, target int64, i int) (*http.Response, string) {
		return f.post(fmt.Sprintf("/contributions/%d/arguments", target), url.Values{"position": {"pour"}, "texte": {fmt.Sprintf("Argument %d", i)}})
	}
	report := func(f *modFix, author, _ int64, i int) (*http.Response, string) {
		id := f.contribution(author, fmt.Sprintf("À signaler %d", i))
		return f.post(fmt.Sprintf("/contributions/%d/signaler", id), url.Values{"raison": {"spam"}})
	}
	search := func(f *modFix, _, _ int64, i int) (*http.Response, string) {
		return f.get(fmt.Sprintf("/contributions?q=mediation+%d", i))
	}
	tests := []struct {
		name, rule string
		do         step
		ok         int // status below the limit
	}{
		{"support", "support", support, 303},
		{"create", "contribute", create, 303},
		{"argue", "argue", argue, 303},
		{"report", "report", report, 200},
		{"search", "search", search, 200},
	}
	for _, tt := range tests {
		for _, per := range []string{"account", "ip"} {
			t.Run(tt.name+" per "+per, func(t *testing.T) {
				f := newModFix(t)
				limitedApp(t, f, tt.rule+":"+per+"=3/1m")
				author := f.user("Autrice")
				target := f.contribution(author, "Cible")
				for i := 0; i < 4; i++ {
					if per == "ip" {
						f.as(f.user(fmt.Sprintf("Personne %d", i))) // another account, same address
					} else if i == 0 {
						f.as(f.user("Pressée"))
					}
					resp, body := tt.do(f, author, target, i)
					if i < 3 {
						expect(t, fmt.Sprintf("attempt %d", i+1), resp, body, tt.ok)
						continue
					}
					expect(t, "attempt past the limit", resp, body, http.StatusTooManyRequests, "Trop de tentatives en peu de temps", "merci de patienter")
					if resp.Header.Get("Retry-After") == "" {
						t.Error("429 without Retry-After")
					}
				}
			})
		}
	}

	t.Run("edit counts with creations", func(t *testing.T) {
		f := newModFix(t)
		limitedApp(t, f, "contribute:account=2/1m")
		f.as(f.user("Rédactrice"))
		_, _ = create(f, 0, 0, 0)
		id := f.scalar(`SELECT max(id) FROM contributions`)
		form := url.Values{"axe": {"gouvernance-finances-modeles-economiques"}, "titre": {"Changé"}, "texte": {"Changé"}}
		resp, body := f.post(fmt.Sprintf("/contributions/%d/modifier", id), form)
		expect(t, "first edit", resp, body, 303)
		resp, body = f.post(fmt.Sprintf("/contributions/%d/modifier", id), form)
		expect(t, "edit past the limit", resp, body, http.StatusTooManyRequests, "Trop de tentatives")
	})

	t.Run("browsing without q is not limited", func(t *testing.T) {
		f := newModFix(t)
		limitedApp(t, f, "search:account=1/1m,search:ip=1/1m")
		for i := 0; i < 4; i++ {
			resp, body := f.get(fmt.Sprintf("/contributions?tri=recentes&page=%d", i+1))
			expect(t, "list", resp, body, 200)
		}
		resp, body := f.get("/contributions?q=un")
		expect(t, "first search", resp, body, 200)
		resp, body = f.get("/contributions?q=deux")
		expect(t, "second search", resp, body, http.StatusTooManyRequests, "Trop de tentatives")
	})
}
