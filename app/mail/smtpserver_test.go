package mail

import (
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is what a test SMTP server accepted, kept across its restarts.
type received struct {
	mu     sync.Mutex
	msgs   []receivedMail
	reject map[string]bool // recipients refused with 550
}

type receivedMail struct {
	From, To string
	Data     string
}

func (r *received) all() []receivedMail {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receivedMail(nil), r.msgs...)
}

// testSMTP is a real SMTP server (github.com/emersion/go-smtp) on a loopback
// port, requiring AUTH PLAIN as "facteur"/"secret".
type testSMTP struct {
	t    *testing.T
	addr string
	got  *received
	srv  *smtp.Server
	ln   net.Listener
}

// startSMTP starts a server on addr ("127.0.0.1:0" for a free port) that
// records into got.
func startSMTP(t *testing.T, addr string, got *received) *testSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &smtpSession{got: got}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = testLogger{t}
	go func() { _ = srv.Serve(ln) }()
	s := &testSMTP{t: t, addr: ln.Addr().String(), got: got, srv: srv, ln: ln}
	t.Cleanup(s.stop)
	return s
}

// stop closes the listener and every connection: the server is down. The
// listener is closed here too, as Serve may not have registered it yet.
func (s *testSMTP) stop() {
	_ = s.ln.Close()
	_ = s.srv.Close()
}

// url is the SMTP_URL of the server.
func (s *testSMTP) url() string {
	return "smtp://facteur:secret@" + s.addr + "?from=concertation@exemple.fr"
}

type smtpSession struct {
	got      *received
	authed   bool
	from, to string
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "facteur" || pass != "secret" {
			return errors.New("bad credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.got.mu.Lock()
	defer s.got.mu.Unlock()
	if s.got.reject[strings.ToLower(to)] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.to = to
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.got.mu.Lock()
	defer s.got.mu.Unlock()
	s.got.msgs = append(s.got.msgs, receivedMail{From: s.from, To: s.to, Data: string(b)})
	return nil
}

func (s *smtpSession) Reset()        { s.from, s.to = "", "" }
func (s *smtpSession) Logout() error { return nil }

type testLogger struct{ t *testing.T }

func (l testLogger) Printf(format string, v ...any) { l.t.Logf("smtp server: "+format, v...) }
func (l testLogger) Println(v ...any)               { l.t.Log(append([]any{"smtp server:"}, v...)...) }
