package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Reusable personal-data download links: the data export exists only as the
// answer to a POST form of the signed-in session (CSRF token), marked
// no-store; there is no address to share, bookmark or replay.
func TestRegressionNoReusableDataDownloadLink(t *testing.T) {
	f := newModFix(t)
	me := f.user("Moi")
	email := f.text(`SELECT email FROM users WHERE id = ?`, me)
	f.as(me)
	_, page := f.get("/compte/donnees")
	if strings.Contains(page, `href="/compte/donnees/export`) || strings.Contains(page, "jeton=") {
		t.Error("the data page links to a download address")
	}
	for _, p := range []string{"/compte/donnees/export", "/compte/donnees/export?format=json", "/compte/donnees.json"} {
		resp, body := f.get(p)
		if resp.StatusCode == 200 || strings.Contains(body, email) {
			t.Errorf("GET %s: %d: a download address exists", p, resp.StatusCode)
		}
	}
	token := f.csrf()
	cookies := map[string]string{}
	for k, v := range f.jar {
		cookies[k] = v
	}
	resp, body := f.post("/compte/donnees/export", url.Values{"_csrf": {token}})
	if resp.StatusCode != 200 || !strings.Contains(body, email) {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	if resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("export headers: %v", resp.Header)
	}
	if strings.Contains(resp.Header.Get("Location"), "http") {
		t.Error("the export redirects to a download address")
	}
	// Signed out, the same request (same cookies, same token) gives nothing.
	resp, _ = f.post("/deconnexion", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	req := httptest.NewRequest(http.MethodPost, "/compte/donnees/export", strings.NewReader(url.Values{"_csrf": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := f.app.Test(req, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	if b := readBody(t, resp); resp.StatusCode == 200 || strings.Contains(b, email) {
		t.Errorf("replayed export after sign-out: %d", resp.StatusCode)
	}
}
