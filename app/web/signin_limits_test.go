package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/ratelimit"
)

// signInFrom posts the sign-in form from the client address addr.
func (a *testApp) signInFrom(addr, email, password string) int {
	a.t.Helper()
	a.jar = map[string]string{}
	form := url.Values{"email": {email}, "password": {password}, csrfField: {a.csrf()}}
	req := httptest.NewRequest(http.MethodPost, "/connexion", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", addr)
	resp := a.do(req)
	readBody(a.t, resp)
	return resp.StatusCode
}

// TestSignInLimitsCannotLockPeopleOut: the limits count failed passwords,
// per account and address together; the per-account limit never stops an
// address that has not failed, so neither a stranger's guesses nor a crowd
// of addresses locks the owner out; one address trying many accounts is
// stopped; and an unknown address is counted like a known one.
func TestSignInLimitsCannotLockPeopleOut(t *testing.T) {
	a := newTestApp(t, nil)
	a.deps.Config.ProxyHeader = "X-Forwarded-For"
	rules := ratelimit.Rules{
		ratelimit.RuleSignInPair:    {Max: 3, Window: 15 * time.Minute},
		ratelimit.RuleSignInAccount: {Max: 5, Window: 15 * time.Minute},
		ratelimit.RuleSignInIP:      {Max: 8, Window: 15 * time.Minute},
	}
	a.withAccounts(rules)
	u := a.newUser("cible@exemple.fr", "Cible")
	if err := a.deps.Accounts.SetPassword(t.Context(), u.ID, "le bon mot de passe", time.Now()); err != nil {
		t.Fatal(err)
	}
	const right, wrong = "le bon mot de passe", "pas le bon"

	// A stranger's address fails three times: it is stopped, for this account.
	for i := range 3 {
		if s := a.signInFrom("198.51.100.1", "cible@exemple.fr", wrong); s != http.StatusUnauthorized {
			t.Fatalf("stranger's attempt %d: %d", i+1, s)
		}
	}
	if s := a.signInFrom("198.51.100.1", "cible@exemple.fr", right); s != http.StatusTooManyRequests {
		t.Errorf("the stranger's address after 3 failures: %d, want 429 (even with the right password)", s)
	}
	// The owner, from their own address, is not.
	if s := a.signInFrom("203.0.113.7", "cible@exemple.fr", right); s != http.StatusSeeOther {
		t.Errorf("the owner after a stranger's failures: %d, want 303", s)
	}
	// More addresses fail: the account is over its limit (5 failures).
	for i := range 3 {
		a.signInFrom("198.51.100."+string(rune('2'+i)), "cible@exemple.fr", wrong)
	}
	if s := a.signInFrom("198.51.100.2", "cible@exemple.fr", right); s != http.StatusTooManyRequests {
		t.Errorf("an address that failed, account over its limit: %d, want 429", s)
	}
	if s := a.signInFrom("203.0.113.7", "cible@exemple.fr", right); s != http.StatusSeeOther {
		t.Errorf("the owner's address, which has not failed, account over its limit: %d, want 303", s)
	}
	if s := a.signInFrom("203.0.113.8", "cible@exemple.fr", wrong); s != http.StatusUnauthorized {
		t.Errorf("a fresh address, account over its limit: %d, want one try (401)", s)
	}
	if s := a.signInFrom("203.0.113.8", "cible@exemple.fr", right); s != http.StatusTooManyRequests {
		t.Errorf("that address once it failed: %d, want 429", s)
	}

	// One address trying many accounts is stopped at 8 failures, known
	// accounts or not, and the answer does not tell which exist.
	for i := range 8 {
		email := "personne" + string(rune('a'+i)) + "@exemple.fr"
		if s := a.signInFrom("192.0.2.50", email, wrong); s != http.StatusUnauthorized {
			t.Fatalf("attempt %d on %s: %d", i+1, email, s)
		}
	}
	for _, email := range []string{"cible@exemple.fr", "inconnue@exemple.fr"} {
		if s := a.signInFrom("192.0.2.50", email, right); s != http.StatusTooManyRequests {
			t.Errorf("%s from the address that tried 8 accounts: %d, want 429", email, s)
		}
	}
	// Successes count nothing.
	for range 10 {
		if s := a.signInFrom("203.0.113.9", "cible@exemple.fr", right); s != http.StatusSeeOther {
			t.Fatalf("repeated right sign-ins: %d", s)
		}
	}
}
