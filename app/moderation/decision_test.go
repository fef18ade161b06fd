package moderation

import (
	"context"
	"errors"
	"github.com/cnr-numerique/concertation/app/contribution"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/mail"
)

func TestHideInputPublicReason(t *testing.T) {
	tests := []struct {
		in   HideInput
		want string
		ok   bool
	}{
		{HideInput{Motif: "spam"}, "spam", true},
		{HideInput{Motif: "injurieux", Precision: "insulte"}, "propos injurieux ou haineux (insulte)", true},
		{HideInput{Motif: "autre", Precision: "doublon exact"}, "doublon exact", true},
		{HideInput{Motif: "autre"}, "", false},
		{HideInput{Motif: ""}, "", false},
		{HideInput{Motif: "spam", Precision: strings.Repeat("x", 301)}, "", false},
	}
	for _, tt := range tests {
		got, err := tt.in.PublicReason()
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("%+v: %q, %v", tt.in, got, err)
		}
	}
}

func TestHideRestoreDismiss(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := NewStore(f.d, 2, contribution.NewStore(f.d))
	box := mail.NewMailbox(slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.Mailer, s.BaseURL = box, "https://example.org"
	mod := f.user("moderator")
	author := f.user()
	c := f.contribution(author, "À masquer")
	if _, err := s.Report(ctx, KindContribution, c, f.user(), ReportInput{Reason: ReasonSpam}); err != nil {
		t.Fatal(err)
	}

	// Hide with a public reason: reports closed, logs written, author told.
	if err := s.Hide(ctx, mod, KindContribution, c, HideInput{Motif: ReasonSpam, Precision: "publicité"}); err != nil {
		t.Fatal(err)
	}
	if got := f.str(`SELECT status || '|' || hidden_reason FROM contributions WHERE id = ?`, c); got != "hidden|spam (publicité)" {
		t.Errorf("after hide: %s", got)
	}
	if n := f.count(`SELECT count(*) FROM reports WHERE contribution_id = ? AND resolution = 'hidden'`, c); n != 1 {
		t.Errorf("resolved reports %d", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = ? AND actor_id = ?`, AuditHide, mod); n != 1 {
		t.Errorf("audit hide rows %d", n)
	}
	if got := f.str(`SELECT reason FROM moderation_log WHERE decision = 'hidden' AND item_id = ?`, c); got != "spam (publicité)" {
		t.Errorf("public log reason %q", got)
	}
	if got := f.str(`SELECT body FROM notifications WHERE user_id = ? ORDER BY id DESC LIMIT 1`, author); !strings.Contains(got, "Motif : spam (publicité)") {
		t.Errorf("notification %q", got)
	}
	msgs := box.Messages()
	if len(msgs) != 1 || msgs[0].To != "u2@example.org" || !strings.Contains(msgs[0].Body, "spam (publicité)") {
		t.Errorf("mails %+v", msgs)
	}

	// Restore.
	if err := s.Restore(ctx, mod, KindContribution, c); err != nil {
		t.Fatal(err)
	}
	if got := f.str(`SELECT status || '|' || coalesce(hidden_reason, '-') FROM contributions WHERE id = ?`, c); got != "published|-" {
		t.Errorf("after restore: %s", got)
	}
	if err := s.Restore(ctx, mod, KindContribution, c); !errors.Is(err, ErrNotHidden) {
		t.Errorf("restore of a published item: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM search_outbox WHERE contribution_id = ?`, c); n != 2 {
		t.Errorf("outbox rows %d, want 2 (hide, restore)", n)
	}

	// Dismiss after an automatic hide: published again, reports closed.
	r1, r2 := f.user(), f.user()
	for _, r := range []int64{r1, r2} {
		if _, err := s.Report(ctx, KindContribution, c, r, ReportInput{Reason: ReasonHorsSujet}); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.str(`SELECT status FROM contributions WHERE id = ?`, c); got != "hidden" {
		t.Fatalf("not auto-hidden: %s", got)
	}
	if err := s.Dismiss(ctx, mod, KindContribution, c); err != nil {
		t.Fatal(err)
	}
	if got := f.str(`SELECT status FROM contributions WHERE id = ?`, c); got != "published" {
		t.Errorf("after dismiss: %s", got)
	}
	if n := f.count(`SELECT count(*) FROM reports WHERE contribution_id = ? AND resolved_at IS NULL`, c); n != 0 {
		t.Errorf("open reports after dismiss %d", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = ? AND (details->>'restored')::bool`, AuditDismiss); n != 1 {
		t.Errorf("dismiss audit rows %d", n)
	}
	// The dismissed reporters cannot report again; a new account starts from one.
	if _, err := s.Report(ctx, KindContribution, c, r1, ReportInput{Reason: ReasonSpam}); !errors.Is(err, ErrAlreadyReported) {
		t.Errorf("report again after dismiss: %v", err)
	}
	res, err := s.Report(ctx, KindContribution, c, f.user(), ReportInput{Reason: ReasonSpam})
	if err != nil || res.OpenReports != 1 || res.Hidden {
		t.Errorf("fresh report after dismiss: %+v %v", res, err)
	}

	// A withdrawn item cannot be hidden; an unknown one is not found.
	w := f.contribution(author, "Retirée")
	f.exec(`UPDATE contributions SET status = 'withdrawn' WHERE id = ?`, w)
	if err := s.Hide(ctx, mod, KindContribution, w, HideInput{Motif: ReasonSpam}); !errors.Is(err, ErrWithdrawn) {
		t.Errorf("hide withdrawn: %v", err)
	}
	if err := s.Hide(ctx, mod, KindArgument, 424242, HideInput{Motif: ReasonSpam}); !errors.Is(err, ErrNotFound) {
		t.Errorf("hide unknown: %v", err)
	}
}

func TestDismissKeepsModeratorHide(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := NewStore(f.d, 5, contribution.NewStore(f.d))
	mod := f.user("moderator")
	c := f.contribution(f.user(), "T")
	a := f.argument(c, f.user())
	if err := s.Hide(ctx, mod, KindArgument, a, HideInput{Motif: ReasonInjurieux}); err != nil {
		t.Fatal(err)
	}
	if err := s.Dismiss(ctx, mod, KindArgument, a); err != nil {
		t.Fatal(err)
	}
	if got := f.str(`SELECT status FROM arguments WHERE id = ?`, a); got != "hidden" {
		t.Errorf("dismiss restored a moderator's hide: %s", got)
	}
}

func TestBlock(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := NewStore(f.d, 3, contribution.NewStore(f.d))
	mod := f.user("moderator")
	u := f.user()
	until := time.Now().Add(7 * 24 * time.Hour).Truncate(time.Second)
	if err := s.Block(ctx, mod, u, BlockInput{Until: until, Reason: "insultes répétées"}); err != nil {
		t.Fatal(err)
	}
	var got time.Time
	if err := f.d.Conn(ctx).Raw(`SELECT blocked_until FROM users WHERE id = ?`, u).Scan(&got).Error; err != nil || !got.Equal(until) {
		t.Errorf("blocked_until %v, want %v (%v)", got, until, err)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = ? AND target = ?`, AuditBlock, "user:"+itoa(u)); n != 1 {
		t.Errorf("audit rows %d", n)
	}
	if body := f.str(`SELECT body FROM notifications WHERE user_id = ?`, u); !strings.Contains(body, "insultes répétées") {
		t.Errorf("notification %q", body)
	}
	if err := s.Block(ctx, mod, u, BlockInput{Until: until}); err == nil {
		t.Error("block without a reason accepted")
	}
	if err := s.Block(ctx, mod, f.user("admin"), BlockInput{Until: until, Reason: "x"}); !errors.Is(err, ErrProtected) {
		t.Errorf("block an admin: %v", err)
	}
	if err := s.Block(ctx, mod, mod, BlockInput{Until: until, Reason: "x"}); !errors.Is(err, ErrProtected) {
		t.Errorf("block oneself: %v", err)
	}
	if err := s.Block(ctx, mod, 987654, BlockInput{Until: until, Reason: "x"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("block unknown: %v", err)
	}
	if err := s.Unblock(ctx, mod, u); err != nil {
		t.Fatal(err)
	}
	if got := f.str(`SELECT blocked_until::text FROM users WHERE id = ?`, u); got != "<nil>" {
		t.Errorf("after unblock: %s", got)
	}
}

// The audit log and the public moderation log refuse updates and deletes.
func TestLogsAppendOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := NewAudit(f.d).Record(ctx, nil, AuditHide, "contribution:1", nil); err != nil {
		t.Fatal(err)
	}
	f.exec(`INSERT INTO moderation_log (item_kind, item_id, decision, reason) VALUES ('contribution', 1, 'hidden', 'spam')`)
	for _, q := range []string{
		`UPDATE audit_log SET action = 'x'`,
		`DELETE FROM audit_log`,
		`UPDATE moderation_log SET reason = 'x'`,
		`DELETE FROM moderation_log`,
	} {
		err := f.d.Conn(ctx).Exec(q).Error
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want an append-only error", q, err)
		}
	}
	if n := f.count(`SELECT count(*) FROM audit_log`); n != 1 {
		t.Errorf("audit rows %d", n)
	}
}

func TestQueueAndPublicLog(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := NewStore(f.d, 10, contribution.NewStore(f.d))
	author := f.user()
	c1 := f.contribution(author, "Peu signalée")
	c2 := f.contribution(author, "Très signalée")
	a := f.argument(c1, author)
	for i := 0; i < 3; i++ {
		if _, err := s.Report(ctx, KindContribution, c2, f.user(), ReportInput{Reason: ReasonSpam}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Report(ctx, KindContribution, c1, f.user(), ReportInput{Reason: ReasonAutre, Details: "doublon"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Report(ctx, KindArgument, a, f.user(), ReportInput{Reason: ReasonInjurieux}); err != nil {
		t.Fatal(err)
	}
	items, total, err := s.Queue(ctx, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(items) != 2 {
		t.Fatalf("total %d, items %d", total, len(items))
	}
	if items[0].ID != c2 || items[0].OpenReports != 3 || items[0].Reasons[0].Count != 3 || *items[0].AuthorName != "Personne 1" {
		t.Errorf("first item %+v", items[0])
	}
	if items[1].ID != c1 || items[1].Details[0] != "doublon" {
		t.Errorf("second item %+v", items[1])
	}
	items, _, err = s.Queue(ctx, 2, 2)
	if err != nil || len(items) != 1 || items[0].Kind != KindArgument || items[0].ContributionID != c1 || items[0].Title != "Peu signalée" {
		t.Fatalf("page 2: %+v %v", items, err)
	}

	mod := f.user("moderator")
	if err := s.Hide(ctx, mod, KindContribution, c2, HideInput{Motif: ReasonSpam}); err != nil {
		t.Fatal(err)
	}
	entries, total, err := s.PublicLog(ctx, 10, 0)
	if err != nil || total != 1 || entries[0].ItemID != c2 || entries[0].Reason != "spam" {
		t.Fatalf("public log %+v %d %v", entries, total, err)
	}
	var streamed []LogEntry
	if err := s.EachLogEntry(ctx, func(e LogEntry) error { streamed = append(streamed, e); return nil }); err != nil || len(streamed) != 1 || streamed[0].ID != entries[0].ID || streamed[0].Reason != "spam" || streamed[0].ItemID != c2 {
		t.Errorf("stream %+v %v", streamed, err)
	}
}

// Counters count published items: hiding an argument or a reaction takes it
// out of the counts, restoring puts it back.
func TestHideKeepsCountersOfPublishedItems(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := NewStore(f.d, 3, contribution.NewStore(f.d))
	mod := f.user("moderator")
	hub := f.id(`INSERT INTO hubs (slug, name) VALUES ('h', 'H') RETURNING id`)
	proposal := f.id(`INSERT INTO contributions (consultation_id, entry, axis_id, hub_id, author_id, author_category, title, body)
		VALUES (?, 'hubs', ?, ?, ?, 'hub', 'Proposition', 'Texte') RETURNING id`, f.cons, f.axis, hub, f.user())
	f.exec(`INSERT INTO contribution_counters (contribution_id, reactions_conteste, arguments_contre) VALUES (?, 1, 1)`, proposal)
	reaction := f.id(`INSERT INTO contributions (consultation_id, entry, axis_id, author_id, author_category, reacts_to_id, reaction_type, title, body)
		VALUES (?, 'libres', ?, ?, 'citoyen', ?, 'conteste', 'Réaction', 'Texte') RETURNING id`, f.cons, f.axis, f.user(), proposal)
	f.exec(`INSERT INTO contribution_counters (contribution_id) VALUES (?)`, reaction)
	arg := f.argument(proposal, f.user()) // stance contre

	counts := func() string {
		return f.str(`SELECT reactions_conteste || '/' || arguments_contre FROM contribution_counters WHERE contribution_id = ?`, proposal)
	}
	steps := []struct {
		name string
		do   func() error
		want string
	}{
		{"hide reaction", func() error { return s.Hide(ctx, mod, KindContribution, reaction, HideInput{Motif: ReasonSpam}) }, "0/1"},
		{"hide again", func() error { return s.Hide(ctx, mod, KindContribution, reaction, HideInput{Motif: ReasonHorsSujet}) }, "0/1"},
		{"hide argument", func() error { return s.Hide(ctx, mod, KindArgument, arg, HideInput{Motif: ReasonSpam}) }, "0/0"},
		{"restore reaction", func() error { return s.Restore(ctx, mod, KindContribution, reaction) }, "1/0"},
		{"restore argument", func() error { return s.Restore(ctx, mod, KindArgument, arg) }, "1/1"},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := counts(); got != st.want {
			t.Errorf("%s: counters %s, want %s", st.name, got, st.want)
		}
	}
	if n := f.count(`SELECT count(*) FROM search_outbox WHERE contribution_id = ?`, proposal); n != 4 {
		t.Errorf("%d outbox rows for the proposal, want 4 (no change when hidden again)", n)
	}
}
