package query

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestReactedRowsRefreshInBackground checks that the reaction targets are
// read once for all at first, then, past targetsTTL, served from the rows
// read before while one refresh runs (a list never waits for it), and that
// a failed refresh keeps the rows and is tried again.
func TestReactedRowsRefreshInBackground(t *testing.T) {
	s := &Service{}
	ctx := context.Background()
	type answer struct {
		rows []reacted
		err  error
	}
	loads := make(chan chan answer, 10) // each load hands over the channel of its answer
	s.targetIdx.load = func(context.Context) ([]reacted, error) {
		reply := make(chan answer)
		loads <- reply
		a := <-reply
		return a.rows, a.err
	}
	first := []reacted{{id: 1, cell: 1, n: 3}}
	go func() { (<-loads) <- answer{rows: first} }()
	rows, err := s.reactedRows(ctx)
	if err != nil || len(rows) != 1 || rows[0].id != 1 {
		t.Fatalf("first read: %v %v", rows, err)
	}
	// Within targetsTTL: no read.
	if rows, _ := s.reactedRows(ctx); rows[0].id != 1 {
		t.Fatalf("kept rows: %v", rows)
	}
	select {
	case <-loads:
		t.Fatal("read again within targetsTTL")
	default:
	}
	stale := func() {
		s.targetIdx.mu.Lock()
		s.targetIdx.at = time.Now().Add(-2 * targetsTTL)
		s.targetIdx.mu.Unlock()
	}
	// Past it: the old rows at once, while the refresh waits for its answer.
	stale()
	for range 3 {
		done := make(chan []reacted, 1)
		go func() {
			rows, _ := s.reactedRows(ctx)
			done <- rows
		}()
		select {
		case rows := <-done:
			if len(rows) != 1 || rows[0].id != 1 {
				t.Fatalf("during the refresh: %v", rows)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a list waited for the refresh")
		}
	}
	reply := <-loads // exactly one refresh runs
	select {
	case <-loads:
		t.Fatal("two refreshes at once")
	default:
	}
	reply <- answer{err: errors.New("base indisponible")}
	waitIdle(t, s)
	if rows, err := s.reactedRows(ctx); err != nil || rows[0].id != 1 {
		t.Fatalf("after a failed refresh: %v %v", rows, err)
	}
	// The failed refresh left the rows stale: the next list asks again.
	reply = <-loads
	reply <- answer{rows: []reacted{{id: 2, cell: 1, n: 5}}}
	waitIdle(t, s)
	if rows, _ := s.reactedRows(ctx); rows[0].id != 2 {
		t.Fatalf("after the refresh: %v", rows)
	}
}

// waitIdle waits for the background refresh of the reaction targets to end.
func waitIdle(t *testing.T, s *Service) {
	t.Helper()
	waitUntil(t, "the refresh of the reaction targets ended", func() bool {
		s.targetIdx.mu.Lock()
		defer s.targetIdx.mu.Unlock()
		return !s.targetIdx.loading
	})
}

// waitUntil waits for done to hold, at most 10 s, for a background worker
// of the package.
func waitUntil(t *testing.T, what string, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("not so after 10 s: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
