package moderation

import (
	"context"
	"errors"
	"github.com/cnr-numerique/concertation/app/contribution"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestReportValidation(t *testing.T) {
	tests := []struct {
		name string
		in   ReportInput
		ok   bool
	}{
		{"spam", ReportInput{Reason: "spam"}, true},
		{"autre with text", ReportInput{Reason: "autre", Details: "  pub déguisée "}, true},
		{"autre without text", ReportInput{Reason: "autre", Details: "   "}, false},
		{"unknown reason", ReportInput{Reason: "bof"}, false},
		{"empty reason", ReportInput{}, false},
		{"1000 characters", ReportInput{Reason: "spam", Details: strings.Repeat("é", 1000)}, true},
		{"1001 characters", ReportInput{Reason: "spam", Details: strings.Repeat("é", 1001)}, false},
		{"invalid UTF-8", ReportInput{Reason: "spam", Details: "a\xffb"}, false},
		{"NUL byte", ReportInput{Reason: "spam", Details: "a\x00b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				if _, ok := IsValidation(err); !ok {
					t.Fatalf("err %T is not a ValidationError", err)
				}
			}
		})
	}
}

func TestReportThresholdHidesOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := NewStore(f.d, 3, contribution.NewStore(f.d))
	author := f.user()
	c := f.contribution(author, "Titre signalé")
	r1, r2, r3 := f.user(), f.user(), f.user()

	res, err := s.Report(ctx, KindContribution, c, r1, ReportInput{Reason: ReasonSpam})
	if err != nil || res.Hidden || res.OpenReports != 1 {
		t.Fatalf("first report: %+v %v", res, err)
	}
	// The same account twice does not count twice.
	if _, err := s.Report(ctx, KindContribution, c, r1, ReportInput{Reason: ReasonInjurieux}); !errors.Is(err, ErrAlreadyReported) {
		t.Fatalf("second report of the same account: %v", err)
	}
	res, err = s.Report(ctx, KindContribution, c, r2, ReportInput{Reason: ReasonAutre, Details: "publicité"})
	if err != nil || res.Hidden || res.OpenReports != 2 {
		t.Fatalf("second account: %+v %v", res, err)
	}
	if got := f.str(`SELECT status FROM contributions WHERE id = ?`, c); got != "published" {
		t.Fatalf("status after 2 reports = %s", got)
	}
	outbox := f.count(`SELECT count(*) FROM search_outbox WHERE contribution_id = ?`, c)
	res, err = s.Report(ctx, KindContribution, c, r3, ReportInput{Reason: ReasonSpam})
	if err != nil || !res.Hidden || res.OpenReports != 3 {
		t.Fatalf("third account: %+v %v", res, err)
	}
	if got := f.str(`SELECT status || '|' || hidden_reason FROM contributions WHERE id = ?`, c); got != "hidden|"+AutoHiddenReason {
		t.Fatalf("after threshold: %s", got)
	}
	if n := f.count(`SELECT count(*) FROM search_outbox WHERE contribution_id = ?`, c); n != outbox+1 {
		t.Errorf("search_outbox rows %d, want %d", n, outbox+1)
	}
	if n := f.count(`SELECT count(*) FROM moderation_log WHERE item_id = ? AND decision = 'auto_hidden'`, c); n != 1 {
		t.Errorf("public log rows %d", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = ? AND target = ? AND actor_id IS NULL`, AuditAutoHide, "contribution:"+itoa(c)); n != 1 {
		t.Errorf("audit rows %d", n)
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE user_id = ?`, author); n != 1 {
		t.Errorf("author notifications %d", n)
	}
	// A hidden item cannot be reported any more.
	if _, err := s.Report(ctx, KindContribution, c, f.user(), ReportInput{Reason: ReasonSpam}); !errors.Is(err, ErrNotVisible) {
		t.Errorf("report on hidden: %v", err)
	}
}

func TestReportRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := NewStore(f.d, 3, contribution.NewStore(f.d))
	author := f.user()
	c := f.contribution(author, "T")
	if _, err := s.Report(ctx, KindContribution, c, author, ReportInput{Reason: ReasonSpam}); !errors.Is(err, ErrOwn) {
		t.Errorf("own: %v", err)
	}
	if _, err := s.Report(ctx, KindContribution, 999999, f.user(), ReportInput{Reason: ReasonSpam}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown: %v", err)
	}
	if _, err := s.Report(ctx, "user", c, f.user(), ReportInput{Reason: ReasonSpam}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown kind: %v", err)
	}
	f.exec(`UPDATE contributions SET status = 'withdrawn' WHERE id = ?`, c)
	if _, err := s.Report(ctx, KindContribution, c, f.user(), ReportInput{Reason: ReasonSpam}); !errors.Is(err, ErrNotVisible) {
		t.Errorf("withdrawn: %v", err)
	}
}

func TestReportArgumentThresholdOne(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := NewStore(f.d, 1, contribution.NewStore(f.d))
	c := f.contribution(f.user(), "T")
	a := f.argument(c, f.user())
	outbox := f.count(`SELECT count(*) FROM search_outbox WHERE contribution_id = ?`, c)
	res, err := s.Report(ctx, KindArgument, a, f.user(), ReportInput{Reason: ReasonDonneesPersonnelles})
	if err != nil || !res.Hidden {
		t.Fatalf("report: %+v %v", res, err)
	}
	if got := f.str(`SELECT status FROM arguments WHERE id = ?`, a); got != "hidden" {
		t.Errorf("argument status %s", got)
	}
	if got := f.str(`SELECT status FROM contributions WHERE id = ?`, c); got != "published" {
		t.Errorf("contribution status %s", got)
	}
	// The contribution's search document counts its arguments.
	if n := f.count(`SELECT count(*) FROM search_outbox WHERE contribution_id = ?`, c); n != outbox+1 {
		t.Errorf("hiding an argument wrote %d outbox rows for its contribution, want 1", n-outbox)
	}
}

// Concurrent reports from distinct accounts hide the item exactly once, and
// concurrent reports from one account count once.
func TestReportConcurrent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := NewStore(f.d, 3, contribution.NewStore(f.d))
	c := f.contribution(f.user(), "T")
	const n = 12
	reporters := make([]int64, n)
	for i := range reporters {
		reporters[i] = f.user()
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	hidden, refused := 0, 0
	for _, r := range reporters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.Report(ctx, KindContribution, c, r, ReportInput{Reason: ReasonSpam})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, ErrNotVisible):
				refused++
			case err != nil:
				t.Errorf("report: %v", err)
			case res.Hidden:
				hidden++
			}
		}()
	}
	wg.Wait()
	if hidden != 1 {
		t.Errorf("hidden %d times, want 1", hidden)
	}
	if refused != n-3 {
		t.Errorf("%d reports refused after hiding, want %d", refused, n-3)
	}
	if m := f.count(`SELECT count(*) FROM moderation_log WHERE item_id = ?`, c); m != 1 {
		t.Errorf("%d public log rows, want 1", m)
	}
	if m := f.count(`SELECT count(*) FROM audit_log WHERE action = ?`, AuditAutoHide); m != 1 {
		t.Errorf("%d audit rows, want 1", m)
	}

	// One account, many concurrent requests: one report.
	c2 := f.contribution(f.user(), "T2")
	one := f.user()
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Report(ctx, KindContribution, c2, one, ReportInput{Reason: ReasonSpam})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, ErrAlreadyReported) {
			t.Errorf("report: %v", err)
		}
	}
	if ok != 1 || f.count(`SELECT count(*) FROM reports WHERE contribution_id = ?`, c2) != 1 {
		t.Errorf("one account: %d accepted, %d rows", ok, f.count(`SELECT count(*) FROM reports WHERE contribution_id = ?`, c2))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
