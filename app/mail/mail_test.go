package mail

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"
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

// fakeSMTP accepts one message and sends its DATA on the channel.
func fakeSMTP(t *testing.T) (addr string, got chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got = make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r, w := bufio.NewReader(c), bufio.NewWriter(c)
		say := func(s string) { w.WriteString(s + "\r\n"); w.Flush() }
		say("220 fake")
		var data strings.Builder
		inData := false
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if inData {
				if line == ".\r\n" {
					inData = false
					got <- data.String()
					say("250 ok")
					continue
				}
				data.WriteString(line)
				continue
			}
			switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				say("250 fake")
			case cmd == "DATA":
				inData = true
				say("354 go")
			case cmd == "QUIT":
				say("221 bye")
				return
			default:
				say("250 ok")
			}
		}
	}()
	return ln.Addr().String(), got
}

func TestSMTPSendsPlainTextWithoutHeaderInjection(t *testing.T) {
	addr, got := fakeSMTP(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m, err := NewSMTP(ctx, "smtp://"+addr+"?from=concertation@exemple.fr", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(ctx, Message{To: "zoe@exemple.fr", Subject: "Bonjour\r\nBcc: pirate@exemple.fr", Body: "Ligne 1\nLigne 2 — é"}); err != nil {
		t.Fatal(err)
	}
	select {
	case data := <-got:
		for _, w := range []string{"From: concertation@exemple.fr\r\n", "To: zoe@exemple.fr\r\n", "Content-Type: text/plain; charset=utf-8", "Ligne 1\r\nLigne 2 — é"} {
			if !strings.Contains(data, w) {
				t.Errorf("message lacks %q:\n%s", w, data)
			}
		}
		if strings.Contains(data, "\r\nBcc:") {
			t.Errorf("header injection:\n%s", data)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no mail delivered")
	}
	if _, err := NewSMTP(ctx, "http://x", nil); err == nil {
		t.Error("a non-SMTP URL is accepted")
	}
}
