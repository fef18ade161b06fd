package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/ratelimit"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestLimiterIsSharedAndSlides(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	rules := ratelimit.Rules{"signin:ip": {Max: 3, Window: time.Minute}}
	a := ratelimit.New(d, rules, clock) // two app instances on one database
	b := ratelimit.New(d, rules, clock)

	check := func(l *ratelimit.Limiter, subject string, want bool) {
		t.Helper()
		got, err := l.Check(ctx, "signin:ip", subject)
		if err != nil {
			t.Fatal(err)
		}
		if got.Allowed != want {
			t.Fatalf("at %s, %s: allowed=%v, want %v", now.Format("15:04:05"), subject, got.Allowed, want)
		}
		if !got.Allowed && got.RetryAfter <= 0 {
			t.Errorf("refused without a retry delay")
		}
	}
	check(a, "1.2.3.4", true)
	check(b, "1.2.3.4", true)
	check(a, "1.2.3.4", true)
	check(b, "1.2.3.4", false) // 4th attempt within the window, through the other instance
	check(a, "5.6.7.8", true)  // another key is counted apart

	// Just after the window turns, the previous window still weighs: refused.
	now = now.Add(61 * time.Second)
	check(a, "1.2.3.4", false)
	// Two windows later, everything is forgotten.
	now = now.Add(2 * time.Minute)
	check(a, "1.2.3.4", true)

	if ok, err := a.Check(ctx, "unknown-rule", "x"); err != nil || !ok.Allowed {
		t.Errorf("unknown rule: %v %v", ok, err)
	}
	if err := a.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := d.Conn(ctx).Raw(`SELECT count(*) FROM rate_limits WHERE encode(key_hash, 'escape') LIKE '%1.2.3.4%'`).Scan(&n).Error; err != nil || n != 0 {
		t.Errorf("keys are stored in clear (%d, %v)", n, err)
	}
}

func TestParseRules(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		rule string
		want ratelimit.Limit
	}{
		{"", true, "signin:ip", ratelimit.DefaultRules["signin:ip"]},
		{"signin:ip=5/1m", true, "signin:ip", ratelimit.Limit{Max: 5, Window: time.Minute}},
		{" contribute:account=20/1h , support:account=100/1h", true, "contribute:account", ratelimit.Limit{Max: 20, Window: time.Hour}},
		{"signin:ip=0/1m", false, "", ratelimit.Limit{}},
		{"signin:ip=5", false, "", ratelimit.Limit{}},
		{"signin:ip=5/forever", false, "", ratelimit.Limit{}},
		{"=5/1m", false, "", ratelimit.Limit{}},
		{"signin:pi=5/1m", false, "", ratelimit.Limit{}}, // a misspelt rule would limit nothing
	}
	for _, tt := range tests {
		r, err := ratelimit.ParseRules(tt.in, ratelimit.DefaultRules)
		if (err == nil) != tt.ok {
			t.Errorf("ParseRules(%q) error %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && r[tt.rule] != tt.want {
			t.Errorf("ParseRules(%q)[%s] = %v, want %v", tt.in, tt.rule, r[tt.rule], tt.want)
		}
	}
}

// TestPeekCountsNothing: Peek tells what Check would, without counting.
func TestPeekCountsNothing(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	l := ratelimit.New(d, ratelimit.Rules{"r": {Max: 2, Window: time.Minute}}, nil)
	for range 5 {
		if got, err := l.Peek(ctx, "r", "x"); err != nil || !got.Allowed {
			t.Fatalf("peek before any attempt: %v %v", got, err)
		}
	}
	for range 2 {
		if _, err := l.Check(ctx, "r", "x"); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := l.Peek(ctx, "r", "x"); err != nil || got.Allowed || got.RetryAfter <= 0 {
		t.Errorf("peek after the limit: %v %v", got, err)
	}
	if got, _ := l.Peek(ctx, "r", "y"); !got.Allowed {
		t.Error("another subject is refused")
	}
}
