package web

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/metrics"
	"github.com/cnr-numerique/concertation/search"
	"github.com/cnr-numerique/concertation/search/meilitest"
)

// TestSearchFallbackIsSeen: Meilisearch configured but down, a search is
// answered by PostgreSQL, and /readyz and /metrics say so.
func TestSearchFallbackIsSeen(t *testing.T) {
	a := newTestApp(t, nil)
	srv := meilitest.New(meilitest.Options{})
	t.Cleanup(srv.Close)
	srv.SetDown(true)
	mon := &search.Monitor{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	mon.SetVersion(search.MeiliServerVersion, nil)
	metrics.WatchSearch(mon.Status)
	a.deps.Search = search.FallbackObserved(search.NewMeili(srv.URL, "", ""), search.NewPostgres(a.deps.DB.SQL()), mon)
	a.deps.SearchMonitor = mon
	app, err := New(a.deps)
	if err != nil {
		t.Fatal(err)
	}
	a.app = app

	resp, body := a.get("/readyz")
	if resp.StatusCode != 200 || !strings.Contains(body, "recherche : Meilisearch répond") || !strings.Contains(body, "version de Meilisearch : "+search.MeiliServerVersion+" (attendue)") {
		t.Errorf("readyz before any search: %d %q", resp.StatusCode, body)
	}
	resp, body = a.get("/contributions?q=m%C3%A9diateurs")
	if resp.StatusCode != 200 {
		t.Fatalf("search with Meilisearch down: %d", resp.StatusCode)
	}
	resp, body = a.get("/readyz")
	if resp.StatusCode != 200 || !strings.Contains(body, "les recherches sont servies par PostgreSQL (1 recherches de secours)") {
		t.Errorf("readyz while Meilisearch is down: %d %q", resp.StatusCode, body)
	}
	_, body = a.get("/metrics")
	for _, want := range []string{"concertation_search_fallback_active 1", "concertation_search_fallback_searches_total 1",
		`concertation_search_meilisearch_version_ok{expected_version="` + search.MeiliServerVersion + `",server_version="` + search.MeiliServerVersion + `"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	srv.SetDown(false)
	if err := search.NewMeili(srv.URL, "", "").EnsureIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
	mon.SetVersion("1.11.3", search.ErrVersion)
	_, _ = a.get("/contributions?q=formation")
	_, body = a.get("/readyz")
	if !strings.Contains(body, "recherche : Meilisearch répond (1 recherches de secours") ||
		!strings.Contains(body, "version de Meilisearch : 1.11.3, différente de la version attendue "+search.MeiliServerVersion) {
		t.Errorf("readyz once Meilisearch is back, with another version: %q", body)
	}
}
