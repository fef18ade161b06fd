package main

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/search"
	"github.com/cnr-numerique/concertation/search/meilitest"
)

// TestServeChecksTheMeilisearchVersion starts `serve` with MEILI_URL on a
// server of another version (the protocol double speaking 1.11, the
// version compose pinned before): the start says so in the log and in
// /readyz, and searches still work.
func TestServeChecksTheMeilisearchVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	srv := meilitest.New(meilitest.Options{Version: meilitest.OldVersion, Key: "serve-test-key"})
	defer srv.Close()
	t.Setenv("MEILI_URL", srv.URL)
	t.Setenv("MEILI_KEY", "serve-test-key")
	dataDir, err := os.MkdirTemp("", "serve-meili-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dataDir) })
	if err := os.Chmod(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, dataDir)
	stopped := false
	defer func() {
		if !stopped {
			s.stop(t)
		}
	}()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	want := "version de Meilisearch : " + meilitest.OldVersion + ", différente de la version attendue " + search.MeiliServerVersion
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for {
		if _, body := get("/readyz"); strings.Contains(body, want) {
			break
		}
		select {
		case <-tick.C:
		case <-deadline:
			_, body := get("/readyz")
			t.Fatalf("/readyz does not name the version: %q", body)
		}
	}
	if status, _ := get("/contributions?q=m%C3%A9diation"); status != 200 {
		t.Errorf("search with a Meilisearch of another version: %d", status)
	}
	s.stop(t)
	stopped = true
	if logs := s.logs.String(); !strings.Contains(logs, "Meilisearch server version differs from the pinned one") ||
		!strings.Contains(logs, "expected="+search.MeiliServerVersion) {
		t.Errorf("no version line in the log:\n%s", logs)
	}
}
