package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/cnr-numerique/concertation/app/account"
)

// Account enumeration: sign-up, sign-in and password reset answer the same
// whether an address has an account or not.
func TestRegressionAccountEnumeration(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	u := a.newUser("connue@exemple.fr", "Connue")
	hash, _ := account.HashPassword("le bon mot de passe")
	if err := a.deps.DB.Conn(context.Background()).Exec(`UPDATE users SET password_hash = ? WHERE id = ?`, hash, u.ID).Error; err != nil {
		t.Fatal(err)
	}
	same := func(what string, known, unknown func() (*http.Response, string)) {
		t.Helper()
		a.jar = map[string]string{}
		r1, b1 := known()
		a.jar = map[string]string{}
		r2, b2 := unknown()
		n1, n2 := normalize(normalize(b1, "inconnue@exemple.fr"), "connue@exemple.fr"), normalize(normalize(b2, "inconnue@exemple.fr"), "connue@exemple.fr")
		if r1.StatusCode != r2.StatusCode || r1.Header.Get("Location") != r2.Header.Get("Location") || n1 != n2 {
			t.Errorf("%s: known address %d %q, unknown %d %q: the answers differ%s", what, r1.StatusCode, r1.Header.Get("Location"), r2.StatusCode, r2.Header.Get("Location"), firstDiff(n1, n2))
		}
	}
	same("sign-in", func() (*http.Response, string) {
		return a.post("/connexion", url.Values{"email": {"connue@exemple.fr"}, "password": {"pas le bon"}})
	}, func() (*http.Response, string) {
		return a.post("/connexion", url.Values{"email": {"inconnue@exemple.fr"}, "password": {"pas le bon"}})
	})
	same("password reset", func() (*http.Response, string) {
		return a.post("/mot-de-passe-oublie", url.Values{"email": {"connue@exemple.fr"}})
	}, func() (*http.Response, string) {
		return a.post("/mot-de-passe-oublie", url.Values{"email": {"inconnue@exemple.fr"}})
	})
	same("sign-up", func() (*http.Response, string) {
		return a.post("/inscription", signUpForm("connue@exemple.fr", "cheval correct agrafe"))
	}, func() (*http.Response, string) {
		return a.post("/inscription", signUpForm("inconnue@exemple.fr", "cheval correct agrafe"))
	})
}

// firstDiff shows where two pages start to differ.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	if i == len(a) && i == len(b) {
		return ""
	}
	end := func(s string) string { return s[i:min(len(s), i+120)] }
	start := max(0, i-80)
	return fmt.Sprintf("\n… %s[%s | %s]", a[start:i], end(a), end(b))
}
