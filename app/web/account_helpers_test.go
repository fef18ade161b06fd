package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/mail"
	"github.com/cnr-numerique/concertation/app/ratelimit"
)

// withAccounts gives a test app its own local mailbox (and rate limits, when
// rules is not nil), rebuilding the Fiber application.
func (a *testApp) withAccounts(rules ratelimit.Rules) *testApp {
	a.t.Helper()
	if testing.Verbose() {
		a.deps.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	a.deps.Mailbox = mail.NewMailbox(slog.New(slog.NewTextHandler(io.Discard, nil)))
	a.deps.Mailer = a.deps.Mailbox
	a.deps.Limiter = ratelimit.New(a.deps.DB, rules, a.deps.Now)
	a.rebuild()
	return a
}

func (a *testApp) rebuild() {
	a.t.Helper()
	app, err := New(a.deps)
	if err != nil {
		a.t.Fatal(err)
	}
	a.app = app
}

var mailLink = regexp.MustCompile(`https?://[^/\s]+(/[^\s]*jeton=[^\s]+)`)

// lastMailLink returns the path of the token link of the newest mail to.
func (a *testApp) lastMailLink(to string) string {
	a.t.Helper()
	for _, m := range a.deps.Mailbox.Messages() {
		if strings.EqualFold(m.To, to) {
			if l := mailLink.FindStringSubmatch(m.Body); l != nil {
				return l[1]
			}
			a.t.Fatalf("mail %q has no link: %s", m.Subject, m.Body)
		}
	}
	a.t.Fatalf("no mail to %s", to)
	return ""
}

func (a *testApp) mailsTo(to string) int {
	n := 0
	for _, m := range a.deps.Mailbox.Messages() {
		if strings.EqualFold(m.To, to) {
			n++
		}
	}
	return n
}

// sessionToken is the session cookie of the jar's browser.
func (a *testApp) sessionToken() string {
	return a.jar[(&Server{Deps: a.deps}).sessionCookieName()]
}

// count runs a count(*) query.
func (a *testApp) count(sql string, args ...any) int64 {
	a.t.Helper()
	var n int64
	if err := a.deps.DB.Conn(context.Background()).Raw(sql, args...).Scan(&n).Error; err != nil {
		a.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func signUpForm(email, password string) url.Values {
	return url.Values{"email": {email}, "password": {password}, "display_name": {"Zoé Testeuse"},
		"category": {"citoyen"}, "departement": {"29"}, "terms": {"oui"}}
}

func wantStatus(t *testing.T, resp *http.Response, body string, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", resp.Request.Method, resp.Request.URL, resp.StatusCode, status, body)
	}
}

func wantRedirect(t *testing.T, resp *http.Response, prefix string) string {
	t.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d, want a redirection to %s", resp.StatusCode, prefix)
	}
	if !strings.HasPrefix(loc, prefix) {
		t.Fatalf("redirected to %q, want %q…", loc, prefix)
	}
	return loc
}
