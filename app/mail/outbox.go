package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
)

// Outbox is the durable mailer: Send writes the mail to the mail_outbox table
// (in the transaction carried by ctx, if any), and Run delivers the table
// through a Transport. The mail_outbox table belongs to this package.
type Outbox struct {
	db  *db.DB
	log *slog.Logger
	// Idle is the pause of Run when nothing is due or a delivery failed
	// (1 s when 0).
	Idle time.Duration
	// Backoff is the wait after the n-th failed attempt (from 1); Backoff
	// (1 s doubling to 1 h, with jitter) when nil.
	Backoff func(n int) time.Duration
	// MaxAttempts is the number of attempts after which a mail is given up
	// and logged as an error (20 when 0: about nine hours with Backoff).
	MaxAttempts int

	wake    chan struct{}
	failing atomic.Bool // the last delivery failed
}

// NewOutbox returns the outbox of d.
func NewOutbox(d *db.DB, log *slog.Logger) *Outbox {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Outbox{db: d, log: log, wake: make(chan struct{}, 1)}
}

// Backoff is the default wait after n failed attempts: 1 s, 2 s, 4 s … up
// to one hour, with jitter so that instances do not retry in step.
func Backoff(n int) time.Duration {
	d := min(time.Second<<min(n-1, 12), time.Hour)
	return d/2 + rand.N(d/2+1)
}

const maxHeader = 998 // RFC 5322 line limit, for the subject and the address

// Send writes m to the outbox, in the transaction carried by ctx when there
// is one; the worker delivers it once that commits.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if m.To == "" || len(m.To) > maxHeader || len(m.Subject) > maxHeader {
		return fmt.Errorf("mail outbox: bad recipient or subject")
	}
	err := o.db.Conn(ctx).Exec(`INSERT INTO mail_outbox (recipient, subject, body) VALUES (?, ?, ?)`,
		m.To, m.Subject, m.Body).Error
	if err != nil {
		return fmt.Errorf("mail outbox: %w", err)
	}
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return nil
}

// Forget drops the mails not yet delivered to an address (account deletion).
func (o *Outbox) Forget(ctx context.Context, to string) error {
	err := o.db.Conn(ctx).Exec(`DELETE FROM mail_outbox WHERE lower(recipient) = lower(?)`, to).Error
	if err != nil {
		return fmt.Errorf("mail outbox: forget: %w", err)
	}
	return nil
}

// Pending returns the number of mails not yet delivered.
func (o *Outbox) Pending(ctx context.Context) (int64, error) {
	var n int64
	err := o.db.Conn(ctx).Raw(`SELECT count(*) FROM mail_outbox`).Scan(&n).Error
	return n, err
}

// Run delivers the outbox through t until ctx ends: at once after a Send of
// this process, otherwise every Idle. Every instance may run one; a mail is
// delivered by one of them only.
func (o *Outbox) Run(ctx context.Context, t Transport) {
	idle := o.Idle
	if idle == 0 {
		idle = time.Second
	}
	o.log.Info("mail outbox worker started")
	for {
		if _, err := o.Drain(ctx, t); err != nil && ctx.Err() == nil {
			o.log.Warn("mail: delivery failed, will retry", "err", err)
		}
		select {
		case <-ctx.Done():
			o.log.Info("mail outbox worker stopped")
			return
		case <-o.wake:
		case <-time.After(idle):
		}
	}
}

// Drain delivers the due mails one by one, each in its own transaction that
// holds the row (FOR UPDATE SKIP LOCKED) until the transport has accepted it
// and the row is deleted. It stops at the first failed delivery, which is
// postponed (Backoff), and returns the number of mails done with (delivered,
// or given up). The first
// success after a failure brings every postponed mail forward: the server is
// back.
func (o *Outbox) Drain(ctx context.Context, t Transport) (int, error) {
	sent := 0
	for {
		found, err := o.deliverOne(ctx, t)
		if err != nil {
			o.failing.Store(true)
			return sent, err
		}
		if !found {
			return sent, nil
		}
		sent++
		if o.failing.Swap(false) {
			if err := o.db.Conn(ctx).Exec(`UPDATE mail_outbox SET next_attempt_at = now() WHERE next_attempt_at > now()`).Error; err != nil {
				return sent, fmt.Errorf("mail outbox: retry postponed mails: %w", err)
			}
		}
	}
}

type queued struct {
	ID        int64
	Recipient string
	Subject   string
	Body      string
	CreatedAt time.Time
	Attempts  int
}

// deliverOne delivers the oldest due mail, if any. A mail refused for good
// (ErrRejected) or out of attempts is deleted and logged as an error.
func (o *Outbox) deliverOne(ctx context.Context, t Transport) (found bool, err error) {
	var failed error
	err = o.db.InTx(ctx, func(ctx context.Context) error {
		conn := o.db.Conn(ctx)
		var q queued
		res := conn.Raw(`SELECT id, recipient, subject, body, created_at, attempts FROM mail_outbox
WHERE next_attempt_at <= now() ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`).Scan(&q)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		found = true
		dctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		derr := t.Deliver(dctx, Message{To: q.Recipient, Subject: q.Subject, Body: q.Body, At: q.CreatedAt})
		cancel()
		attempt := q.Attempts + 1
		switch {
		case derr == nil:
		case errors.Is(derr, ErrRejected) || attempt >= o.maxAttempts():
			o.log.Error("mail given up", "id", q.ID, "subject", q.Subject, "attempts", attempt, "err", derr)
		default:
			failed = fmt.Errorf("mail %d (attempt %d): %w", q.ID, attempt, derr)
			return conn.Exec(`UPDATE mail_outbox SET attempts = ?, next_attempt_at = now() + make_interval(secs => ?), last_error = ? WHERE id = ?`,
				attempt, o.backoff(attempt).Seconds(), truncate(derr.Error(), 1000), q.ID).Error
		}
		return conn.Exec(`DELETE FROM mail_outbox WHERE id = ?`, q.ID).Error
	})
	if err != nil {
		return found, fmt.Errorf("mail outbox: %w", err)
	}
	return found, failed
}

func (o *Outbox) backoff(n int) time.Duration {
	if o.Backoff != nil {
		return o.Backoff(n)
	}
	return Backoff(n)
}

func (o *Outbox) maxAttempts() int {
	if o.MaxAttempts > 0 {
		return o.MaxAttempts
	}
	return 20
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
