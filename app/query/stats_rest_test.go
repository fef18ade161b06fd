package query

import (
	"context"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestBackgroundStatisticsRestAndQueue checks the worker of the scanned
// figures: it rests after each computation statsRest times as long as the
// computation took (never two in a row), the views waiting are at most statsQueue, and the
// whole consultation's figures go before the filtered views that wait.
func TestBackgroundStatisticsRestAndQueue(t *testing.T) {
	s := &Service{}
	var mu sync.Mutex
	var events []string // "compute <view>" and "rest"
	var took, rested []time.Duration
	entered, release := make(chan struct{}), make(chan struct{})
	first := true
	s.stats.compute = func(ctx context.Context, refs Refs, f Filter) (Metrics, error) {
		mu.Lock()
		wait := first
		first = false
		events = append(events, "compute "+f.QueryString())
		mu.Unlock()
		if wait {
			close(entered)
			<-release // the first view holds the worker while the others are asked for
		}
		start := time.Now()
		time.Sleep(3 * time.Millisecond) // a computation that takes some time
		mu.Lock()
		took = append(took, time.Since(start))
		mu.Unlock()
		return Metrics{}, nil
	}
	s.stats.rest = func(d time.Duration) {
		mu.Lock()
		events = append(events, "rest")
		rested = append(rested, d)
		mu.Unlock()
	}
	view := func(q string) Filter {
		f := Filter{ConsultationID: 1, query: url.Values{}}
		if q != "" {
			f.query.Set("q", q)
		}
		return f
	}
	if _, done := s.scanned(Refs{}, view("premier")); done {
		t.Fatal("figures before any computation")
	}
	<-entered
	for i := range 3 * statsQueue {
		s.scanned(Refs{}, view("vue"+strconv.Itoa(i)))
	}
	s.scanned(Refs{}, view("")) // the whole consultation
	s.stats.mu.Lock()
	waiting := len(s.stats.queue)
	head := s.stats.queue[0]
	s.stats.mu.Unlock()
	if waiting != statsQueue+1 {
		t.Errorf("%d views waiting, want the %d of a full queue and the whole consultation", waiting, statsQueue)
	}
	if head != "1|" {
		t.Errorf("the whole consultation waits behind %q", head)
	}
	close(release)
	waitUntil(t, "the worker finished the queue", func() bool {
		s.stats.mu.Lock()
		defer s.stats.mu.Unlock()
		return !s.stats.running
	})
	mu.Lock()
	defer mu.Unlock()
	if len(took) != statsQueue+2 {
		t.Fatalf("%d computations, want %d (the first, the whole consultation and a full queue)", len(took), statsQueue+2)
	}
	if events[2] != "compute " {
		t.Errorf("second computation %q, want the whole consultation", events[2])
	}
	for i, e := range events {
		if want := map[bool]string{true: "rest", false: "compute"}[i%2 == 1]; e[:len(want)] != want {
			t.Fatalf("event %d is %q, want %s: %v", i, e, want, events)
		}
	}
	for i := range took {
		if rested[i] < statsRest*took[i] {
			t.Errorf("computation %d took %s and the worker rested %s", i, took[i], rested[i])
		}
	}
	if _, done := s.scanned(Refs{}, view("vue0")); !done {
		t.Error("a computed view has no figures")
	}
}
