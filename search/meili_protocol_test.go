package search_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/search"
	"github.com/cnr-numerique/concertation/search/meilitest"
)

func doubleEngine(t *testing.T, opts meilitest.Options, index string) (*search.Meili, *meilitest.Server) {
	t.Helper()
	srv := meilitest.New(opts)
	t.Cleanup(srv.Close)
	e := search.NewMeili(srv.URL, opts.Key, index)
	e.TaskTimeout = 10 * time.Second
	return e, srv
}

// calls lists the requests of srv, task polling left out.
func calls(srv *meilitest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, "/tasks/") {
			continue
		}
		c := r.Method + " " + r.Path
		if r.Query != "" {
			c += "?" + r.Query
		}
		out = append(out, c)
	}
	return out
}

func docs(ids ...int64) []search.Document {
	var out []search.Document
	for _, id := range ids {
		out = append(out, search.Document{ID: id, Status: "published", Entry: "libres", Title: "Titre", Body: "Texte", CreatedAt: time.Unix(1700000000, 0)})
	}
	return out
}

// TestMeiliRebuildProtocol follows a rebuild: the target is created
// explicitly, receives its settings, then its documents (no skipCreation:
// they are really added), and is swapped in only then; the first rebuild
// renames the target, the next ones swap and drop the previous index.
func TestMeiliRebuildProtocol(t *testing.T) {
	ctx := context.Background()
	e, srv := doubleEngine(t, meilitest.Options{Key: "k"}, "contributions")
	e.BatchSize = 2
	if err := e.Prepare(ctx, "contributions_1"); err != nil {
		t.Fatal(err)
	}
	if err := e.IndexInto(ctx, "contributions_1", docs(1, 2, 3)); err != nil {
		t.Fatal(err)
	}
	if n, err := e.Count(ctx, "contributions_1"); err != nil || n != 3 {
		t.Fatalf("target holds %d documents (%v), want 3", n, err)
	}
	if err := e.Swap(ctx, "contributions_1"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"POST /indexes", "PATCH /indexes/contributions_1/settings", // created, then its settings, before documents
		"POST /indexes/contributions_1/documents?primaryKey=id", "POST /indexes/contributions_1/documents?primaryKey=id", // 3 documents, batches of 2
		"GET /indexes/contributions_1/stats",
		"GET /indexes/contributions", "POST /swap-indexes", // no live index yet: renamed
	}
	if got := calls(srv); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := srv.Indexes(); strings.Join(got, ",") != "contributions" {
		t.Errorf("indexes after the first rebuild: %v", got)
	}
	live, _ := srv.Documents("contributions")
	if len(live) != 3 {
		t.Errorf("live index holds %d documents, want 3", len(live))
	}

	// A second rebuild swaps with the live index and drops the old one.
	if err := e.Prepare(ctx, "contributions_2"); err != nil {
		t.Fatal(err)
	}
	if err := e.IndexInto(ctx, "contributions_2", docs(4, 5)); err != nil {
		t.Fatal(err)
	}
	if err := e.Swap(ctx, "contributions_2"); err != nil {
		t.Fatal(err)
	}
	if got := srv.Indexes(); strings.Join(got, ",") != "contributions" {
		t.Errorf("indexes after the second rebuild: %v", got)
	}
	live, _ = srv.Documents("contributions")
	if len(live) != 2 || live["4"] == nil || live["5"] == nil {
		t.Errorf("live index after the second rebuild: %v", live)
	}
	for _, r := range srv.Requests() {
		if q, _ := url.ParseQuery(r.Query); q.Has("skipCreation") {
			t.Errorf("%s %s?%s: skipCreation would skip the documents of a new index", r.Method, r.Path, r.Query)
		}
	}
}

// TestMeiliSearchRequest checks the search request the engine sends
// (read by the double as the pinned server reads it) and how it reads the
// answer: ids, highlighted title and excerpt, facets, totals.
func TestMeiliSearchRequest(t *testing.T) {
	ctx := context.Background()
	e, _ := doubleEngine(t, meilitest.Options{}, "contributions")
	if err := e.EnsureIndex(ctx); err != nil {
		t.Fatal(err)
	}
	d := docs(7)[0]
	d.Title, d.Body, d.AxisID = "Former les médiateurs", strings.Repeat("Un mot. ", 40)+"Les médiateurs accompagnent les habitants.", 3
	if err := e.Index(ctx, []search.Document{d}); err != nil {
		t.Fatal(err)
	}
	res, err := e.Search(ctx, search.Query{Text: "médiateurs"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || res.Hits[0].ID != 7 || res.Total != 1 || !res.TotalExact || res.Facets[search.FacetAxis]["3"] != 1 {
		t.Fatalf("result: %+v", res)
	}
	h := res.Hits[0]
	if got := string(search.Highlight(h.Title)); got != "Former les <mark>médiateurs</mark>" {
		t.Errorf("title: %q", got)
	}
	if got := string(search.Highlight(h.Excerpt)); !strings.Contains(got, "<mark>médiateurs</mark>") || !strings.HasPrefix(got, "…") {
		t.Errorf("excerpt not cropped around the highlighted match: %q", got)
	}
}

// TestMeiliTaskFailure: a task that fails is reported with Meilisearch's
// code and message.
func TestMeiliTaskFailure(t *testing.T) {
	ctx := context.Background()
	e, _ := doubleEngine(t, meilitest.Options{}, "contributions")
	err := e.Delete(ctx, []int64{1}) // no index yet
	var te *search.TaskError
	if !errors.As(err, &te) || te.Code != "index_not_found" || te.Status != "failed" || !strings.Contains(err.Error(), "Index `contributions` not found.") {
		t.Errorf("a failed task must be reported with its error: %v", err)
	}
}

// TestMeiliOldServerRefusesTheClient shows that the double refuses what the
// server refuses: with the version docker-compose pinned before (1.11),
// meilisearch-go v0.36.3 cannot apply the settings (typoTolerance
// .disableOnNumbers is unknown there) nor swap (rename is unknown), so the
// worker would have retried forever and searches fallen back to
// PostgreSQL; the version check says so at start.
func TestMeiliOldServerRefusesTheClient(t *testing.T) {
	ctx := context.Background()
	e, srv := doubleEngine(t, meilitest.Options{Version: meilitest.OldVersion}, "contributions")
	err := e.EnsureIndex(ctx)
	if err == nil || !strings.Contains(err.Error(), "Unknown field `disableOnNumbers` inside `.typoTolerance`: expected one of `enabled`, `minWordSizeForTypos`, `disableOnWords`, `disableOnAttributes`") ||
		!strings.Contains(err.Error(), "invalid_settings_typo_tolerance") {
		t.Errorf("settings on 1.11: %v", err)
	}
	if err := e.Swap(ctx, "contributions_new"); err == nil || !strings.Contains(err.Error(), "Unknown field `rename` inside `[0]`: expected one of `indexes`") {
		t.Errorf("swap on 1.11: %v", err)
	}
	if v, err := e.CheckVersion(ctx); !errors.Is(err, search.ErrVersion) || v != meilitest.OldVersion {
		t.Errorf("version check on 1.11: %q %v", v, err)
	}
	for _, r := range srv.Requests() {
		if r.Method == "PATCH" && r.Status != 400 {
			t.Errorf("%s %s answered %d, want 400", r.Method, r.Path, r.Status)
		}
	}

	// The same calls succeed on the pinned version.
	e, _ = doubleEngine(t, meilitest.Options{}, "contributions")
	if err := e.EnsureIndex(ctx); err != nil {
		t.Errorf("settings on %s: %v", search.MeiliServerVersion, err)
	}
	if v, err := e.CheckVersion(ctx); err != nil || v != search.MeiliServerVersion {
		t.Errorf("version check on the pinned version: %q %v", v, err)
	}
}
