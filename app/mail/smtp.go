package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// SMTP sends mail through an SMTP server, from a queue drained by one
// goroutine, so that requests never wait for the server.
type SMTP struct {
	addr     string
	host     string
	implicit bool // smtps://: TLS from the first byte
	auth     smtp.Auth
	from     string
	log      *slog.Logger
	queue    chan Message
}

// NewSMTP parses rawURL (smtp://user:password@host:587 or smtps://…:465;
// the sender is the query parameter from=, by default
// "ne-pas-repondre@<host>") and starts the sending goroutine, which stops
// when ctx ends.
func NewSMTP(ctx context.Context, rawURL string, log *slog.Logger) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, errors.New("SMTP_URL: expected smtp://user:password@host:port")
	}
	port := u.Port()
	if port == "" {
		port = "587"
		if u.Scheme == "smtps" {
			port = "465"
		}
	}
	s := &SMTP{
		addr: net.JoinHostPort(u.Hostname(), port), host: u.Hostname(), implicit: u.Scheme == "smtps",
		from: u.Query().Get("from"), log: log, queue: make(chan Message, 1000),
	}
	if s.from == "" {
		s.from = "ne-pas-repondre@" + u.Hostname()
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		s.auth = smtp.PlainAuth("", u.User.Username(), pw, u.Hostname())
	}
	go s.run(ctx)
	return s, nil
}

// Send queues m; it fails only when the queue is full.
func (s *SMTP) Send(_ context.Context, m Message) error {
	select {
	case s.queue <- m:
		return nil
	default:
		return errors.New("mail queue full")
	}
}

func (s *SMTP) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-s.queue:
			var err error
			for attempt := 0; attempt < 3; attempt++ {
				if err = s.deliver(m); err == nil {
					break
				}
				time.Sleep(time.Duration(attempt+1) * 2 * time.Second)
			}
			if err != nil {
				s.log.Error("mail not sent", "subject", m.Subject, "err", err)
			}
		}
	}
}

func (s *SMTP) deliver(m Message) error {
	var conn net.Conn
	var err error
	dialer := &net.Dialer{Timeout: 15 * time.Second}
	if s.implicit {
		conn, err = tls.DialWithDialer(dialer, "tcp", s.addr, &tls.Config{ServerName: s.host})
	} else {
		conn, err = dialer.Dial("tcp", s.addr)
	}
	if err != nil {
		return err
	}
	_ = conn.SetDeadline(time.Now().Add(time.Minute))
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return err
	}
	defer c.Close()
	if !s.implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(&tls.Config{ServerName: s.host}); err != nil {
				return err
			}
		}
	}
	if s.auth != nil {
		if err := c.Auth(s.auth); err != nil {
			return err
		}
	}
	if err := c.Mail(s.from); err != nil {
		return err
	}
	if err := c.Rcpt(m.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(format(s.from, m)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// format builds the RFC 5322 message; header values never carry a newline.
func format(from string, m Message) []byte {
	clean := func(v string) string { return strings.NewReplacer("\r", "", "\n", "").Replace(v) }
	at := m.At
	if at.IsZero() {
		at = time.Now()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n", clean(from), clean(m.To),
		mime.QEncoding.Encode("utf-8", clean(m.Subject)), at.Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n"))
	return []byte(b.String())
}
