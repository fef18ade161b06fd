// Package mail sends the platform's e-mails. Callers write each mail to a
// durable outbox table in PostgreSQL (Outbox.Send, in the transaction of the
// change that causes it); a worker delivers the outbox through a Transport:
// an SMTP server when SMTP_URL is set, otherwise the log and a local mailbox
// that the development server shows at /dev/mails.
package mail

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Message is a plain-text e-mail.
type Message struct {
	To      string
	Subject string
	Body    string
	At      time.Time
}

// Mailer sends messages. Send must not block on the network: the Outbox
// only writes a row, so an answer takes the same time whether a mail is sent
// or not. When ctx carries a transaction (db.InTx), the Outbox writes the mail
// in it: the mail leaves only if the transaction commits.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// Transport delivers one message now (an SMTP server, the local mailbox).
type Transport interface {
	Deliver(ctx context.Context, m Message) error
}

// Mailbox is the development mailer and transport: each message is logged
// and kept in memory (the last 200), newest first.
type Mailbox struct {
	log  *slog.Logger
	mu   sync.Mutex
	msgs []Message
}

const mailboxSize = 200

// NewMailbox returns an empty development mailbox logging to log.
func NewMailbox(log *slog.Logger) *Mailbox {
	if log == nil {
		log = slog.Default()
	}
	return &Mailbox{log: log}
}

// Send keeps m and logs it.
func (b *Mailbox) Send(_ context.Context, m Message) error {
	if m.At.IsZero() {
		m.At = time.Now()
	}
	b.log.Info("mail (local mailbox, not sent)", "to", m.To, "subject", m.Subject, "body", m.Body)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs = append([]Message{m}, b.msgs...)
	if len(b.msgs) > mailboxSize {
		b.msgs = b.msgs[:mailboxSize]
	}
	return nil
}

// Deliver is Send: the outbox worker of a local run delivers to the mailbox.
func (b *Mailbox) Deliver(ctx context.Context, m Message) error { return b.Send(ctx, m) }

// Messages returns the kept messages, newest first.
func (b *Mailbox) Messages() []Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Message(nil), b.msgs...)
}

// Forget drops the messages sent to an address (account deletion).
func (b *Mailbox) Forget(to string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	kept := b.msgs[:0]
	for _, m := range b.msgs {
		if !strings.EqualFold(m.To, to) {
			kept = append(kept, m)
		}
	}
	b.msgs = kept
}
