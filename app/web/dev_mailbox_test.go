package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/mail"
)

// TestLocalRunMailsGoThroughTheOutboxToTheDevMailbox wires mail as `make
// run` does without SMTP_URL: the sign-up writes its confirmation mail to the
// PostgreSQL outbox before answering, and the outbox worker delivers it to
// the local mailbox shown at /dev/mails.
func TestLocalRunMailsGoThroughTheOutboxToTheDevMailbox(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	outbox := mail.NewOutbox(a.deps.DB, nil)
	a.deps.Mailer = outbox
	a.rebuild()

	resp, body := a.post("/inscription", signUpForm("nouvelle@exemple.fr", "un mot de passe solide"))
	wantStatus(t, resp, body, 200)
	if n := a.count(`SELECT count(*) FROM mail_outbox WHERE recipient = 'nouvelle@exemple.fr' AND subject = 'Confirmez votre adresse e-mail'`); n != 1 {
		t.Fatalf("%d confirmation mails in the outbox, want 1", n)
	}
	if a.mailsTo("nouvelle@exemple.fr") != 0 {
		t.Fatal("the mail reached the mailbox without the worker")
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); outbox.Run(ctx, a.deps.Mailbox) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(30 * time.Second)
	for a.mailsTo("nouvelle@exemple.fr") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the worker did not deliver the mail to the local mailbox")
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, body = a.get("/dev/mails")
	mustContain(t, body, "Confirmez votre adresse e-mail", "nouvelle@exemple.fr", "/inscription/confirmer?jeton=")
	if n := a.count(`SELECT count(*) FROM mail_outbox`); n != 0 {
		t.Errorf("%d mails left in the outbox after delivery", n)
	}
	link := a.lastMailLink("nouvelle@exemple.fr")
	if resp, _ := a.get(link); resp.StatusCode != 200 || !strings.Contains(link, "jeton=") {
		t.Errorf("confirmation link %q: %d", link, resp.StatusCode)
	}
}
