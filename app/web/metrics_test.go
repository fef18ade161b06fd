package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestMetricsEndpoint(t *testing.T) {
	a := newTestApp(t, time.Now)
	resp, body := a.get("/metrics")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("content type %q, want the Prometheus text format", ct)
	}
	if !strings.Contains(body, "go_goroutines") {
		t.Errorf("no runtime metrics in %.300s", body)
	}
}

func TestMetricsTokenIsRequiredWhenSet(t *testing.T) {
	a := newTestApp(t, time.Now)
	deps := a.deps
	deps.Config.MetricsToken = "jeton-de-supervision-0123"
	app, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	a.app = app
	for _, auth := range []string{"", "Bearer mauvais-jeton", "jeton-de-supervision-0123"} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		if resp := a.do(req); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("Authorization %q: %d, want 401", auth, resp.StatusCode)
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Authorization", "Bearer jeton-de-supervision-0123")
	resp := a.do(req)
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Errorf("with the token: %d", resp.StatusCode)
	}
}

func TestMetricsOffIsNotServed(t *testing.T) {
	a := newTestApp(t, time.Now)
	a.deps.Config.MetricsOff = true
	a.rebuild()
	resp, body := a.get("/metrics")
	if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "go_goroutines") {
		t.Errorf("METRICS_TOKEN=off: /metrics answers %d", resp.StatusCode)
	}
}
