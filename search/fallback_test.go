package search_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/search"
)

// stubEngine answers searches with a fixed result or error.
type stubEngine struct {
	name string
	err  error
	hits int
}

func (s *stubEngine) Name() string { return s.name }
func (s *stubEngine) Search(context.Context, search.Query) (search.Result, error) {
	if s.err != nil {
		return search.Result{}, s.err
	}
	return search.Result{Total: s.hits}, nil
}
func (s *stubEngine) Index(context.Context, []search.Document) error { return nil }
func (s *stubEngine) Delete(context.Context, []int64) error          { return nil }

// TestFallbackIsSeen: when Meilisearch fails, PostgreSQL answers, the
// monitor says so, and the warning is logged at most once a minute.
func TestFallbackIsSeen(t *testing.T) {
	var logs bytes.Buffer
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	mon := &search.Monitor{Log: slog.New(slog.NewTextHandler(&logs, nil)), Now: func() time.Time { return now }}
	primary := &stubEngine{name: "meilisearch", hits: 1}
	e := search.FallbackObserved(primary, &stubEngine{name: "postgres", hits: 2}, mon)
	ctx := context.Background()
	search := func() int {
		t.Helper()
		res, err := e.Search(ctx, search.Query{Text: "x"})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	if search() != 1 || mon.Status().Failing {
		t.Fatal("the primary answers first")
	}
	primary.err = errors.New("dial tcp: connection refused")
	for range 30 { // 30 searches over 90 s: one warning at 0 s, one at 60 s
		if search() != 2 {
			t.Fatal("PostgreSQL must answer while Meilisearch fails")
		}
		now = now.Add(3 * time.Second)
	}
	st := mon.Status()
	if !st.Failing || st.Fallbacks != 30 || !strings.Contains(st.LastError, "connection refused") || !st.Since.Equal(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("status: %+v", st)
	}
	if n := strings.Count(logs.String(), "Meilisearch search failed"); n != 2 {
		t.Errorf("%d warnings for 90 s of failures, want 2 (one a minute):\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "failures_not_logged=19") {
		t.Errorf("the second warning does not count the failures it stands for:\n%s", logs.String())
	}
	primary.err = nil
	if search() != 1 || mon.Status().Failing || mon.Status().Fallbacks != 30 {
		t.Errorf("after recovery: %+v", mon.Status())
	}
	if !strings.Contains(logs.String(), "Meilisearch answers searches again") {
		t.Errorf("no recovery line:\n%s", logs.String())
	}
}

func TestFallbackKeepsCancellations(t *testing.T) {
	mon := &search.Monitor{}
	e := search.FallbackObserved(&stubEngine{err: context.Canceled}, &stubEngine{hits: 2}, mon)
	if _, err := e.Search(context.Background(), search.Query{}); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled search must not fall back: %v", err)
	}
	if mon.Status().Fallbacks != 0 {
		t.Error("a cancellation counted as a failure")
	}
}
