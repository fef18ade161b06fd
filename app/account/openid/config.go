// Package openid signs people in through OpenID Connect providers
// (FranceConnect, ProConnect, any other) as goth providers built on
// github.com/coreos/go-oidc/v3: unlike goth's stock openidConnect provider,
// it checks the ID token's signature, issuer, audience and expiry, a nonce
// per sign-in, the acr, reads a userinfo answered as JSON or as a signed JWT,
// checks that its sub is the ID token's, and keeps the ID token to sign out
// at the provider.
package openid

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// Config is one provider, read from the environment.
type Config struct {
	Name         string // lower-case identifier, used in URLs: "franceconnect"
	Label        string // shown to people: "FranceConnect"
	Kind         string // "franceconnect", "proconnect" or "" (generic button)
	Issuer       string
	ClientID     string
	ClientSecret string
	Scopes       []string
	ACR          []string // accepted acr values; the first is requested (acr_values)
	// TrustEmail says the provider's addresses are verified even when its
	// answers carry no email_verified claim (FranceConnect, ProConnect: the
	// address comes from the identity provider the person chose).
	TrustEmail bool
	HTTPClient *http.Client // nil: a client with a 15 s timeout (never http.DefaultClient, which has none)
}

// presets are the defaults of the providers the platform knows; every field
// can be overridden by the environment. FranceConnect's scopes ask only for
// what the platform uses: the address and the first name.
var presets = map[string]Config{
	"franceconnect": {
		Label: "FranceConnect", Kind: "franceconnect",
		Issuer:     "https://oidc.franceconnect.gouv.fr/api/v2",
		Scopes:     []string{"openid", "given_name", "email"},
		ACR:        []string{"eidas1"},
		TrustEmail: true,
	},
	"proconnect": {
		Label: "ProConnect", Kind: "proconnect",
		Issuer:     "https://auth.agentconnect.gouv.fr/api/v2",
		Scopes:     []string{"openid", "email", "given_name"},
		ACR:        []string{"eidas1"},
		TrustEmail: true,
	},
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)

// LoadConfigs reads OIDC_PROVIDERS (comma-separated names) and, for each NAME,
// OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _SCOPES (space-separated),
// _ACR (space-separated accepted values), _LABEL and _TRUST_EMAIL (true/false).
// franceconnect and proconnect have presets. getenv is os.Getenv.
func LoadConfigs(getenv func(string) string) ([]Config, error) {
	var out []Config
	for _, name := range strings.Split(getenv("OIDC_PROVIDERS"), ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		if !nameRE.MatchString(name) {
			return nil, fmt.Errorf("OIDC_PROVIDERS: nom %q invalide (lettres minuscules, chiffres, tirets)", name)
		}
		env := func(k string) string {
			return strings.TrimSpace(getenv("OIDC_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_" + k))
		}
		c := presets[name]
		c.Name = name
		if c.Label == "" {
			c.Label = strings.ToUpper(name[:1]) + name[1:]
		}
		if v := env("LABEL"); v != "" {
			c.Label = v
		}
		if v := env("ISSUER"); v != "" {
			c.Issuer = v
		}
		c.ClientID, c.ClientSecret = env("CLIENT_ID"), env("CLIENT_SECRET")
		if v := env("SCOPES"); v != "" {
			c.Scopes = strings.Fields(v)
		}
		if len(c.Scopes) == 0 {
			c.Scopes = []string{"openid", "email", "profile"}
		}
		if v := env("ACR"); v != "" {
			c.ACR = strings.Fields(v)
		}
		switch env("TRUST_EMAIL") {
		case "true", "1", "oui":
			c.TrustEmail = true
		case "false", "0", "non":
			c.TrustEmail = false
		}
		prefix := "OIDC_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_"
		if c.Issuer == "" || !strings.HasPrefix(c.Issuer, "http") {
			return nil, fmt.Errorf("%sISSUER : adresse http(s) du fournisseur attendue", prefix)
		}
		if c.ClientID == "" {
			return nil, fmt.Errorf("%sCLIENT_ID : obligatoire", prefix)
		}
		out = append(out, c)
	}
	return out, nil
}
