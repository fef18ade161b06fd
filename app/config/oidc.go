package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// OIDCProvider is one OpenID Connect provider offered at sign-in, read from
// OIDC_PROVIDERS and OIDC_<NAME>_….
type OIDCProvider struct {
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
}

// oidcPresets are the defaults of the providers the platform knows; every
// field can be overridden by the environment. FranceConnect's scopes ask only
// for what the platform uses: the address and the first name.
var oidcPresets = map[string]OIDCProvider{
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

var oidcNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)

// loadOIDC reads OIDC_PROVIDERS (comma-separated names) and, for each NAME,
// OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _SCOPES (space-separated),
// _ACR (space-separated accepted values), _LABEL and _TRUST_EMAIL (true/false).
// franceconnect and proconnect have presets.
func loadOIDC(getenv func(string) string) ([]OIDCProvider, error) {
	var out []OIDCProvider
	seen := map[string]bool{}
	for _, name := range strings.Split(getenv("OIDC_PROVIDERS"), ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		if !oidcNameRE.MatchString(name) {
			return nil, &Error{"OIDC_PROVIDERS", fmt.Sprintf("nom %q invalide (lettres minuscules, chiffres, tirets)", name)}
		}
		if seen[name] {
			return nil, &Error{"OIDC_PROVIDERS", fmt.Sprintf("%q est cité deux fois", name)}
		}
		seen[name] = true
		prefix := "OIDC_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_"
		env := func(k string) string { return strings.TrimSpace(getenv(prefix + k)) }
		p := oidcPresets[name]
		p.Name = name
		if p.Label == "" {
			p.Label = strings.ToUpper(name[:1]) + name[1:]
		}
		if v := env("LABEL"); v != "" {
			p.Label = v
		}
		if v := env("ISSUER"); v != "" {
			p.Issuer = v
		}
		p.ClientID, p.ClientSecret = env("CLIENT_ID"), env("CLIENT_SECRET")
		if v := env("SCOPES"); v != "" {
			p.Scopes = strings.Fields(v)
		}
		if len(p.Scopes) == 0 {
			p.Scopes = []string{"openid", "email", "profile"}
		}
		if v := env("ACR"); v != "" {
			p.ACR = strings.Fields(v)
		}
		switch v := env("TRUST_EMAIL"); v {
		case "":
		case "true", "1", "oui":
			p.TrustEmail = true
		case "false", "0", "non":
			p.TrustEmail = false
		default:
			return nil, &Error{prefix + "TRUST_EMAIL", "attendu true ou false"}
		}
		if u, err := url.Parse(p.Issuer); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &Error{prefix + "ISSUER", "adresse http(s) du fournisseur attendue"}
		}
		if p.ClientID == "" {
			return nil, &Error{prefix + "CLIENT_ID", "obligatoire"}
		}
		out = append(out, p)
	}
	return out, nil
}
