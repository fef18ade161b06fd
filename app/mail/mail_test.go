package mail

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
)

func TestMailboxKeepsAndForgets(t *testing.T) {
	b := NewMailbox(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	for i := range mailboxSize + 5 {
		to := "a@exemple.fr"
		if i%2 == 0 {
			to = "B@exemple.fr"
		}
		_ = b.Send(ctx, Message{To: to, Subject: "n"})
	}
	if n := len(b.Messages()); n != mailboxSize {
		t.Fatalf("%d messages kept, want %d", n, mailboxSize)
	}
	b.Forget("b@exemple.fr")
	for _, m := range b.Messages() {
		if strings.EqualFold(m.To, "b@exemple.fr") {
			t.Fatal("a forgotten address is still in the mailbox")
		}
	}
}

func TestSMTPSendsPlainTextWithoutHeaderInjection(t *testing.T) {
	got := &received{}
	srv := startSMTP(t, "127.0.0.1:0", got)
	m, err := NewSMTP(srv.url())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Deliver(context.Background(), Message{To: "zoe@exemple.fr", Subject: "Bonjour\r\nBcc: pirate@exemple.fr", Body: "Ligne 1\nLigne 2 — é"}); err != nil {
		t.Fatal(err)
	}
	msgs := got.all()
	if len(msgs) != 1 || msgs[0].From != "concertation@exemple.fr" || msgs[0].To != "zoe@exemple.fr" {
		t.Fatalf("received %+v", msgs)
	}
	data := msgs[0].Data
	for _, w := range []string{"From: concertation@exemple.fr\r\n", "To: zoe@exemple.fr\r\n", "Content-Type: text/plain; charset=utf-8", "Ligne 1\r\nLigne 2 — é"} {
		if !strings.Contains(data, w) {
			t.Errorf("message lacks %q:\n%s", w, data)
		}
	}
	if strings.Contains(data, "\r\nBcc:") {
		t.Errorf("header injection:\n%s", data)
	}
	if _, err := NewSMTP("http://x"); err == nil {
		t.Error("a non-SMTP URL is accepted")
	}
	bad, _ := NewSMTP("smtp://facteur:faux@" + srv.addr)
	if err := bad.Deliver(context.Background(), Message{To: "zoe@exemple.fr", Subject: "x"}); err == nil {
		t.Error("delivered with wrong credentials")
	}
}
