package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// protocolServer answers the few Meilisearch routes the engine uses, the
// way Meilisearch does (tasks enqueued, then polled), and records the
// requests. It checks the engine's side of the protocol (order of calls,
// batches, task failures), not Meilisearch: the contract test does that
// against a real server when MEILI_URL is set.
type protocolServer struct {
	mu       sync.Mutex
	requests []string
	tasks    map[int64]string // uid → final status
	failDocs bool
	docs     int // documents received
}

func (s *protocolServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	w.Header().Set("Content-Type", "application/json")
	enqueue := func(status string) {
		uid := int64(len(s.tasks) + 1)
		s.tasks[uid] = status
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"taskUid":%d,"indexUid":"x","status":"enqueued","type":"x","enqueuedAt":"2026-01-01T00:00:00Z"}`, uid)
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/tasks/"):
		var uid int64
		fmt.Sscan(strings.TrimPrefix(r.URL.Path, "/tasks/"), &uid)
		status := s.tasks[uid]
		errJSON := `null`
		if status == "failed" {
			errJSON = `{"message":"The document is invalid","code":"invalid_document_fields","type":"invalid_request","link":""}`
		}
		fmt.Fprintf(w, `{"uid":%d,"status":%q,"type":"documentAdditionOrUpdate","indexUid":"x","error":%s}`, uid, status, errJSON)
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/documents"):
		var docs []map[string]any
		_ = json.Unmarshal(body, &docs)
		s.docs += len(docs)
		if s.failDocs {
			enqueue("failed")
		} else {
			enqueue("succeeded")
		}
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/search"):
		fmt.Fprint(w, `{"hits":[{"id":7,"_formatted":{"id":"7","title":"Les \ue000médiateurs\ue001","body":"… des \ue000médiateurs\ue001 …"}}],
"totalHits":1,"page":1,"hitsPerPage":20,"totalPages":1,"processingTimeMs":1,"query":"médiateurs",
"facetDistribution":{"axis_id":{"3":1},"status":{"published":1}}}`)
	default:
		enqueue("succeeded")
	}
}

func (s *protocolServer) calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.requests {
		if !strings.HasPrefix(r, "GET /tasks/") {
			out = append(out, r)
		}
	}
	return out
}

func newProtocolEngine(t *testing.T) (*Meili, *protocolServer) {
	srv := &protocolServer{tasks: map[int64]string{}}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	m := NewMeili(ts.URL, "key", "contributions")
	m.BatchSize = 2
	m.TaskTimeout = 5 * time.Second
	return m, srv
}

func TestMeiliProtocol(t *testing.T) {
	ctx := context.Background()
	m, srv := newProtocolEngine(t)
	docs := []Document{{ID: 1, Status: "published"}, {ID: 2, Status: "published"}, {ID: 3, Status: "published"}}
	if err := m.Prepare(ctx, "contributions_new"); err != nil {
		t.Fatal(err)
	}
	if err := m.IndexInto(ctx, "contributions_new", docs); err != nil {
		t.Fatal(err)
	}
	if err := m.Swap(ctx, "contributions_new"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"POST /indexes", "PATCH /indexes/contributions_new/settings", // settings before documents
		"POST /indexes/contributions_new/documents", "POST /indexes/contributions_new/documents", // 3 documents, batches of 2
		"POST /indexes", "PATCH /indexes/contributions/settings", // the live index exists, with its settings
		"POST /swap-indexes", "DELETE /indexes/contributions_new",
	}
	if got := srv.calls(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if srv.docs != 3 {
		t.Errorf("%d documents sent, want 3", srv.docs)
	}

	res, err := m.Search(ctx, Query{Text: "médiateurs"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || res.Hits[0].ID != 7 || string(Highlight(res.Hits[0].Title)) != "Les <mark>médiateurs</mark>" ||
		res.Total != 1 || !res.TotalExact || res.Facets[FacetAxis]["3"] != 1 {
		t.Errorf("search result: %+v", res)
	}

	srv.failDocs = true
	err = m.Index(ctx, docs[:1])
	var te *TaskError
	if !errors.As(err, &te) || te.Code != "invalid_document_fields" || !strings.Contains(err.Error(), "The document is invalid") {
		t.Errorf("a failed task must be reported with its error: %v", err)
	}
}
