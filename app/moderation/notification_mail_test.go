package moderation

import (
	"context"
	"errors"
	"github.com/cnr-numerique/concertation/app/contribution"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/mail"
)

type failingMailer struct{}

func (failingMailer) Send(context.Context, mail.Message) error {
	return errors.New("outbox unavailable")
}

// TestDecisionMailIsQueuedInTheDecisionTransaction: the notification mail of
// a decision is written to the mail outbox by the decision's transaction; a
// failure to queue it undoes the decision, so a decision is never without
// its mail nor a mail without its decision.
func TestDecisionMailIsQueuedInTheDecisionTransaction(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := NewStore(f.d, 2, contribution.NewStore(f.d))
	s.Mailer = mail.NewOutbox(f.d, nil)
	mod := f.user("moderator")
	person := f.user()
	until := time.Now().Add(24 * time.Hour)

	if err := s.Block(ctx, mod, person, BlockInput{Until: until, Reason: "propos injurieux"}); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM mail_outbox m JOIN users u ON u.email = m.recipient
		WHERE u.id = ? AND m.subject = 'Suspension de votre compte' AND m.body LIKE '%propos injurieux%'`, person); n != 1 {
		t.Errorf("%d suspension mails queued, want 1", n)
	}

	s.Mailer = failingMailer{}
	if err := s.Unblock(ctx, mod, person); err == nil {
		t.Fatal("the decision succeeded without its mail")
	}
	if n := f.count(`SELECT count(*) FROM users WHERE id = ? AND blocked_until IS NOT NULL`, person); n != 1 {
		t.Error("the unblock was committed although its mail could not be queued")
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE user_id = ?`, person); n != 1 {
		t.Errorf("%d notifications, want only the committed one", n)
	}
}
