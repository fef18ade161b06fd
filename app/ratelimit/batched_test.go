package ratelimit_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/ratelimit"
)

// The limits of frequent actions are counted in memory and written once a
// second per key: within one process they are exact, under any concurrency;
// across instances, each sees the others' hits a second late at most; and a
// burst of requests makes one write, not one per request.
func TestBatchedLimitsAreExactInAProcessAndShared(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2026, 11, 23, 10, 0, 10, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(by time.Duration) { mu.Lock(); now = now.Add(by); mu.Unlock() }
	rules := ratelimit.Rules{"search:ip": {Max: 400, Window: time.Minute}}
	a := ratelimit.New(d, rules, clock)
	b := ratelimit.New(d, rules, clock)

	// 16 requests at once, 50 each, from one address: exactly 400 allowed,
	// and the statements are a handful, not 800.
	before := db.Statements()
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				dec, err := a.Check(ctx, "search:ip", "1.2.3.4")
				if err != nil {
					t.Error(err)
					return
				}
				if dec.Allowed {
					allowed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if allowed.Load() != 400 {
		t.Errorf("%d allowed in one process, want exactly 400", allowed.Load())
	}
	if n := db.Statements() - before; n > 20 {
		t.Errorf("%d statements for 800 attempts within a second", n)
	}

	// A second later, the other instance sees them: refused at once.
	advance(1100 * time.Millisecond)
	if dec, err := a.Check(ctx, "search:ip", "1.2.3.4"); err != nil || dec.Allowed {
		t.Fatalf("instance A after its sync: %+v %v", dec, err)
	}
	if dec, err := b.Check(ctx, "search:ip", "1.2.3.4"); err != nil || dec.Allowed || dec.RetryAfter <= 0 {
		t.Errorf("instance B a second later: %+v %v, want refused with a delay", dec, err)
	}
	// Another address is counted apart.
	if dec, err := b.Check(ctx, "search:ip", "5.6.7.8"); err != nil || !dec.Allowed {
		t.Errorf("another address: %+v %v", dec, err)
	}
	// Two windows later, everything is forgotten.
	advance(2 * time.Minute)
	if dec, err := b.Check(ctx, "search:ip", "1.2.3.4"); err != nil || !dec.Allowed {
		t.Errorf("two windows later: %+v %v", dec, err)
	}
}

// Exact rules (sign-in and the account flows) still count every attempt in
// the database.
func TestAccountRulesStayExact(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	rules := ratelimit.Rules{"reset:ip": {Max: 3, Window: time.Hour}}
	a, b := ratelimit.New(d, rules, nil), ratelimit.New(d, rules, nil)
	for i, l := range []*ratelimit.Limiter{a, b, a, b} {
		dec, err := l.Check(ctx, "reset:ip", "9.9.9.9")
		if err != nil || dec.Allowed != (i < 3) {
			t.Errorf("attempt %d: %+v %v", i+1, dec, err)
		}
	}
}
