package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestLivenessFailsOnlyAfterTheDatabaseGrace: /healthz stays 200 while the
// database has been unreachable for less than HEALTHZ_DATABASE_GRACE (the app
// heals short outages itself), then answers 503 so that an outside supervisor
// restarts the app.
func TestLivenessFailsOnlyAfterTheDatabaseGrace(t *testing.T) {
	a := newTestApp(t, nil)
	resp, body := a.get("/healthz")
	if resp.StatusCode != http.StatusOK || body != "ok" {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}
	if err := a.deps.DB.Close(); err != nil {
		t.Fatal(err)
	}
	a.deps.Config.HealthzDatabaseGrace = time.Hour
	a.rebuild()
	if resp, _ := a.get("/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("healthz within the grace period: %d, want 200", resp.StatusCode)
	}
	a.deps.Config.HealthzDatabaseGrace = time.Nanosecond // the outage began at the previous probe
	a.rebuild()
	resp = a.do(httptest.NewRequest(http.MethodGet, "/healthz", nil))
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "base de données injoignable depuis") {
		t.Errorf("healthz beyond the grace period: %d %q, want 503", resp.StatusCode, body)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Error("healthz may be cached")
	}
}
