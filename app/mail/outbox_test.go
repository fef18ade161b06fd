package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var quiet = slog.New(slog.DiscardHandler)

// worker runs one outbox worker, as one app instance does, until stopped.
type worker struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func runWorker(t *testing.T, o *Outbox, tr Transport) *worker {
	ctx, cancel := context.WithCancel(context.Background())
	w := &worker{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		o.Run(ctx, tr)
	}()
	t.Cleanup(w.stop)
	return w
}

func (w *worker) stop() {
	w.cancel()
	<-w.done
}

// fastOutbox is an outbox that retries quickly, for tests.
func fastOutbox(d *db.DB) *Outbox {
	o := NewOutbox(d, quiet)
	o.Idle = 20 * time.Millisecond
	o.Backoff = func(int) time.Duration { return 50 * time.Millisecond }
	return o
}

func count(t *testing.T, d *db.DB, query string) int64 {
	t.Helper()
	var n int64
	if err := d.Conn(context.Background()).Raw(query).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// waitFor polls cond until it holds, or fails the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after a minute: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var subjectLine = regexp.MustCompile(`(?m)^Subject: (.*)\r$`)

// subjects counts the received mails by decoded subject.
func subjects(t *testing.T, got *received) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, m := range got.all() {
		s := subjectLine.FindStringSubmatch(m.Data)
		if s == nil {
			t.Fatalf("no subject in %q", m.Data)
		}
		dec, err := new(mime.WordDecoder).DecodeHeader(s[1])
		if err != nil {
			t.Fatal(err)
		}
		out[dec]++
	}
	return out
}

// TestOutboxDeliversEveryMailOnceAfterSMTPOutage queues mails while the SMTP
// server is down (some in committed transactions, one in a rolled-back one),
// lets a worker fail and back off, stops that worker as an app stops, then
// brings the server back and runs two workers on two pools, as two app
// instances: every committed mail arrives exactly once, the rolled-back one
// never, and the outbox ends empty.
func TestOutboxDeliversEveryMailOnceAfterSMTPOutage(t *testing.T) {
	ctx := context.Background()
	url := dbtest.NewURL(t)
	open := func() *db.DB {
		d, err := db.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = d.Close() })
		return d
	}
	d1, d2 := open(), open()
	got := &received{}
	srv := startSMTP(t, "127.0.0.1:0", got)
	addr := srv.addr
	transport, err := NewSMTP(srv.url())
	if err != nil {
		t.Fatal(err)
	}
	srv.stop()

	first := fastOutbox(d1)
	a := runWorker(t, first, transport)
	want := map[string]int{}
	for i := range 30 {
		subject := fmt.Sprintf("Confirmez votre adresse n°%d", i)
		if err := first.Send(ctx, Message{To: fmt.Sprintf("personne%d@exemple.fr", i), Subject: subject, Body: "Bonjour"}); err != nil {
			t.Fatal(err)
		}
		want[subject] = 1
	}
	err = d1.InTx(ctx, func(ctx context.Context) error {
		for i := range 5 {
			subject := fmt.Sprintf("Décision de modération n°%d", i)
			if err := first.Send(ctx, Message{To: "autrice@exemple.fr", Subject: subject, Body: "Votre contribution"}); err != nil {
				return err
			}
			want[subject] = 1
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("decision rolled back")
	err = d1.InTx(ctx, func(ctx context.Context) error {
		if err := first.Send(ctx, Message{To: "autrice@exemple.fr", Subject: "Jamais envoyé", Body: "x"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}

	waitFor(t, "every queued mail tried once while the server is down", func() bool {
		return count(t, d1, `SELECT count(*) FROM mail_outbox WHERE attempts = 0 OR last_error IS NULL`) == 0
	})
	if n := count(t, d1, `SELECT count(*) FROM mail_outbox`); n != 35 {
		t.Fatalf("%d mails in the outbox while the server is down, want 35", n)
	}
	a.stop() // the app stops; the outbox stays in PostgreSQL

	startSMTP(t, addr, got) // the server comes back on the same address
	b, c := runWorker(t, fastOutbox(d1), transport), runWorker(t, fastOutbox(d2), transport)
	waitFor(t, "every mail delivered and the outbox empty", func() bool {
		return len(got.all()) >= 35 && count(t, d1, `SELECT count(*) FROM mail_outbox`) == 0
	})
	b.stop()
	c.stop()

	gotSubjects := subjects(t, got)
	for s, n := range want {
		if gotSubjects[s] != n {
			t.Errorf("%q delivered %d times, want once", s, gotSubjects[s])
		}
	}
	if len(got.all()) != len(want) {
		t.Errorf("%d mails delivered, want %d: %v", len(got.all()), len(want), gotSubjects)
	}
	if gotSubjects["Jamais envoyé"] != 0 {
		t.Error("the mail of a rolled-back transaction was sent")
	}
}

// TestOutboxWorkersNeverSendTwice drains one outbox with four workers at once
// (SELECT … FOR UPDATE SKIP LOCKED) against a slow server.
func TestOutboxWorkersNeverSendTwice(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	got := &received{}
	srv := startSMTP(t, "127.0.0.1:0", got)
	transport, err := NewSMTP(srv.url())
	if err != nil {
		t.Fatal(err)
	}
	o := fastOutbox(d)
	for i := range 40 {
		if err := o.Send(ctx, Message{To: "lea@exemple.fr", Subject: fmt.Sprintf("n°%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := fastOutbox(d).Drain(ctx, transport); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for s, n := range subjects(t, got) {
		if n != 1 {
			t.Errorf("%q delivered %d times", s, n)
		}
	}
	if n := len(got.all()); n != 40 {
		t.Errorf("%d delivered, want 40", n)
	}
}

// TestOutboxGivesUpRefusedRecipientsAndForgets: a recipient refused for good
// (550) is dropped at once, without blocking the others; Forget drops the
// mails of an address before they leave.
func TestOutboxGivesUpRefusedRecipientsAndForgets(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	got := &received{reject: map[string]bool{"inconnu@exemple.fr": true}}
	srv := startSMTP(t, "127.0.0.1:0", got)
	transport, err := NewSMTP(srv.url())
	if err != nil {
		t.Fatal(err)
	}
	o := fastOutbox(d)
	for _, to := range []string{"inconnu@exemple.fr", "lea@exemple.fr", "Supprime@exemple.fr"} {
		if err := o.Send(ctx, Message{To: to, Subject: "Bonjour " + to}); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.Forget(ctx, "supprime@EXEMPLE.fr"); err != nil {
		t.Fatal(err)
	}
	if n, err := o.Pending(ctx); err != nil || n != 2 {
		t.Fatalf("pending = %d (err %v), want 2 after Forget", n, err)
	}
	sent, err := o.Drain(ctx, transport)
	if err != nil || sent != 2 {
		t.Fatalf("Drain = %d, %v; want 2 handled and no error", sent, err)
	}
	msgs := got.all()
	if len(msgs) != 1 || msgs[0].To != "lea@exemple.fr" {
		t.Errorf("delivered %+v, want only lea's", msgs)
	}
	if n, _ := o.Pending(ctx); n != 0 {
		t.Errorf("%d mails left, want the refused one given up", n)
	}
	if err := o.Send(ctx, Message{To: "", Subject: "x"}); err == nil {
		t.Error("a mail without recipient is queued")
	}
}

// TestOutboxGivesUpAfterMaxAttempts: a mail that keeps failing is retried
// MaxAttempts times, then dropped.
func TestOutboxGivesUpAfterMaxAttempts(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	o := fastOutbox(d)
	o.Backoff = func(int) time.Duration { return 0 }
	o.MaxAttempts = 3
	if err := o.Send(ctx, Message{To: "lea@exemple.fr", Subject: "x"}); err != nil {
		t.Fatal(err)
	}
	down := transportFunc(func(context.Context, Message) error { return errors.New("connection refused") })
	for attempt := 1; attempt <= 2; attempt++ {
		if _, err := o.Drain(ctx, down); err == nil {
			t.Fatalf("attempt %d: no error from a failing transport", attempt)
		}
		if n := count(t, d, `SELECT attempts FROM mail_outbox`); n != int64(attempt) {
			t.Fatalf("attempts = %d, want %d", n, attempt)
		}
	}
	if _, err := o.Drain(ctx, down); err != nil {
		t.Fatalf("last attempt: %v, want the mail given up", err)
	}
	if n, _ := o.Pending(ctx); n != 0 {
		t.Errorf("%d mails left after MaxAttempts", n)
	}
}

type transportFunc func(context.Context, Message) error

func (f transportFunc) Deliver(ctx context.Context, m Message) error { return f(ctx, m) }

func TestBackoffGrowsToOneHour(t *testing.T) {
	for _, tt := range []struct {
		n        int
		min, max time.Duration
	}{
		{1, 500 * time.Millisecond, time.Second},
		{2, time.Second, 2 * time.Second},
		{5, 8 * time.Second, 16 * time.Second},
		{13, 30 * time.Minute, time.Hour},
		{50, 30 * time.Minute, time.Hour},
	} {
		for range 20 {
			if d := Backoff(tt.n); d < tt.min || d > tt.max {
				t.Errorf("Backoff(%d) = %v, want in [%v, %v]", tt.n, d, tt.min, tt.max)
			}
		}
	}
}
