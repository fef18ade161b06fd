package web

import (
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
)

// median returns the median of xs (sorted in place).
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// medianError is the standard error of the median of xs, from their median
// absolute deviation (robust to the outliers a loaded machine produces).
func medianError(xs []float64) float64 {
	m := median(append([]float64(nil), xs...))
	dev := make([]float64, len(xs))
	for i, x := range xs {
		dev[i] = math.Abs(x - m)
	}
	sigma := 1.4826 * median(dev)
	return 1.2533 * sigma / math.Sqrt(float64(len(xs)))
}

// TestSignInTimingDoesNotTellAccounts measures wrong-password sign-ins on a
// known account and on an unknown address, in pairs run back to back in a
// random order (so that the machine's changing load hits both alike), and
// checks that the median of the paired differences is below the noise:
// within four standard errors of the median (at least 1 ms). The test
// first measures what it must be able to see, one argon2id check, and
// takes more pairs while the noise would hide half of it.
func TestSignInTimingDoesNotTellAccounts(t *testing.T) {
	if testing.Short() {
		t.Skip("measures timings")
	}
	a := newTestApp(t, nil)
	a.withAccounts(nil)
	a.deps.Limiter = permissiveLimiter(t, a.deps)
	a.rebuild()
	u := a.newUser("connue@exemple.fr", "Connue")
	if err := a.deps.Accounts.SetPassword(t.Context(), u.ID, "le bon mot de passe", time.Now()); err != nil {
		t.Fatal(err)
	}
	token := a.csrf()
	signIn := func(email string) time.Duration {
		form := url.Values{"email": {email}, "password": {"pas le bon mot de passe"}, csrfField: {token}}
		req := httptest.NewRequest(http.MethodPost, "/connexion", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		start := time.Now()
		resp := a.do(req)
		took := time.Since(start)
		if readBody(t, resp); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("sign-in of %s: %d", email, resp.StatusCode)
		}
		return took
	}
	hash, _ := account.HashPassword("un mot de passe")
	var argon []float64
	for range 9 {
		start := time.Now()
		account.CheckPassword(hash, "un autre")
		argon = append(argon, float64(time.Since(start))/1e6)
	}
	check := median(argon)
	for range 4 { // warm-up: first requests fill caches and pools
		signIn("connue@exemple.fr")
		signIn("inconnue@exemple.fr")
	}
	var diffs []float64
	tolerance := 0.0
	for n := 40; n <= 320; n *= 2 {
		for len(diffs) < n {
			var known, unknown time.Duration
			if rand.IntN(2) == 0 {
				known, unknown = signIn("connue@exemple.fr"), signIn("inconnue@exemple.fr")
			} else {
				unknown, known = signIn("inconnue@exemple.fr"), signIn("connue@exemple.fr")
			}
			diffs = append(diffs, float64(known-unknown)/1e6)
		}
		tolerance = max(4*medianError(diffs), 1)
		if tolerance < check/2 {
			break
		}
	}
	gap := median(append([]float64(nil), diffs...))
	t.Logf("%d pairs: median gap %.2f ms (known − unknown), tolerance %.2f ms; one argon2id check %.1f ms", len(diffs), gap, tolerance, check)
	if tolerance >= check/2 {
		t.Logf("the machine is too noisy to see half an argon2id check: the comparison below cannot fail")
	}
	if math.Abs(gap) > tolerance {
		t.Errorf("sign-in time tells whether an account exists: median gap %.2f ms over %d pairs, beyond the noise (%.2f ms)", gap, len(diffs), tolerance)
	}
}
