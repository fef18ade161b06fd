package web

import (
	"net/http"
	"net/url"
	"testing"
)

// Account pages, the workspace, administration, moderation and the exports
// are never kept by a cache (error answers and redirections included);
// public pages may be.
func TestNoStoreOnPrivateAreas(t *testing.T) {
	f := newModFix(t)
	rapporteur := f.user("Rapporteuse", "rapporteur")
	admin := f.user("Admin", "admin")
	check := func(who, method, path string, resp *http.Response, want bool) {
		t.Helper()
		if got := resp.Header.Get("Cache-Control") == "no-store"; got != want {
			t.Errorf("%s %s %s (%d): Cache-Control %q", who, method, path, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	private := []string{"/compte", "/compte/completer", "/compte/donnees", "/compte/notifications", "/synthese",
		"/synthese/export/contributions.xlsx", "/synthese/rapport", "/admin/utilisateurs", "/admin/hubs", "/admin/consultation",
		"/moderation", "/moderation/journal.csv", "/admin/journal"}
	for _, who := range []struct {
		name string
		id   int64
	}{{"anonymous", 0}, {"citizen", f.user("Citoyen")}, {"rapporteur", rapporteur}, {"admin", admin}} {
		f.as(who.id)
		for _, p := range private {
			resp, _ := f.get(p)
			check(who.name, "GET", p, resp, true)
		}
		resp, _ := f.post("/compte/donnees/export", nil)
		check(who.name, "POST", "/compte/donnees/export", resp, true)
		resp, _ = f.post("/compte", url.Values{"_csrf": {"faux"}})
		check(who.name, "POST (refused)", "/compte", resp, true)
	}
	f.as(0)
	for _, p := range []string{"/", "/contributions", "/hubs"} {
		resp, _ := f.get(p)
		check("anonymous", "GET", p, resp, false)
	}
}
