package main

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestReindexAndSearchWorker runs `concertation reindex` on the embedded
// database, then `serve`: its search outbox worker runs and /metrics shows
// the outbox.
func TestReindexAndSearchWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL twice")
	}
	dataDir, err := os.MkdirTemp("", "reindex-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dataDir) })
	if err := os.Chmod(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runMain(t, "reindex", "DATA_DIR="+dataDir, "DATABASE_URL=")
	if code != 0 || !strings.Contains(out, "Index postgres reconstruit : 0 contributions lues") {
		t.Fatalf("reindex: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	s := startServe(t, dataDir)
	defer s.stop(t)
	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "concertation_search_outbox_pending 0") {
		t.Errorf("/metrics: %d %.500s", resp.StatusCode, body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.logs.String(), "search outbox worker started") {
		if time.Now().After(deadline) {
			t.Fatalf("no search worker in serve; logs:\n%s", s.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
