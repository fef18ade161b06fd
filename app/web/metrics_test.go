package web

import (
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
