// Package openid signs people in through OpenID Connect providers
// (FranceConnect, ProConnect, any other) as goth providers built on
// github.com/coreos/go-oidc/v3: unlike goth's stock openidConnect provider,
// it checks the ID token's signature, issuer, audience and expiry, a nonce
// per sign-in, the acr, reads a userinfo answered as JSON or as a signed JWT,
// checks that its sub is the ID token's, and keeps the ID token to sign out
// at the provider.
package openid

import (
	"net/http"

	"github.com/cnr-numerique/concertation/app/config"
)

// Config is one provider: what app/config read from the environment
// (OIDC_PROVIDERS, OIDC_<NAME>_…), and the HTTP client to reach it.
type Config struct {
	config.OIDCProvider
	HTTPClient *http.Client // nil: a client with a 15 s timeout (never http.DefaultClient, which has none)
}
