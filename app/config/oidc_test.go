package config

import (
	"errors"
	"slices"
	"testing"
)

func TestLoadOIDCProviders(t *testing.T) {
	c, err := Load(env(map[string]string{
		"OIDC_PROVIDERS":                "FranceConnect, proconnect ,local-test",
		"OIDC_FRANCECONNECT_CLIENT_ID":  "fc-id",
		"OIDC_FRANCECONNECT_ISSUER":     "https://fcp-low.sbx.dev-franceconnect.fr/api/v2",
		"OIDC_PROCONNECT_CLIENT_ID":     "pc-id",
		"OIDC_PROCONNECT_ACR":           "eidas1 eidas2",
		"OIDC_LOCAL_TEST_ISSUER":        "http://localhost:9998/",
		"OIDC_LOCAL_TEST_CLIENT_ID":     "web",
		"OIDC_LOCAL_TEST_CLIENT_SECRET": "secret",
		"OIDC_LOCAL_TEST_SCOPES":        "openid email",
		"OIDC_LOCAL_TEST_TRUST_EMAIL":   "non",
		"OIDC_LOCAL_TEST_LABEL":         "Fournisseur de test",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.OIDCProviders) != 3 {
		t.Fatalf("%d providers", len(c.OIDCProviders))
	}
	fc, pc, local := c.OIDCProviders[0], c.OIDCProviders[1], c.OIDCProviders[2]
	if fc.Name != "franceconnect" || fc.Kind != "franceconnect" || !fc.TrustEmail || !slices.Equal(fc.ACR, []string{"eidas1"}) ||
		fc.Issuer != "https://fcp-low.sbx.dev-franceconnect.fr/api/v2" || slices.Contains(fc.Scopes, "family_name") || slices.Contains(fc.Scopes, "birthdate") {
		t.Errorf("franceconnect preset: %+v", fc)
	}
	if pc.Issuer == "" || !slices.Equal(pc.ACR, []string{"eidas1", "eidas2"}) || pc.Label != "ProConnect" {
		t.Errorf("proconnect preset: %+v", pc)
	}
	if local.Name != "local-test" || local.Label != "Fournisseur de test" || local.TrustEmail || local.ClientSecret != "secret" ||
		!slices.Equal(local.Scopes, []string{"openid", "email"}) || len(local.ACR) != 0 {
		t.Errorf("generic provider: %+v", local)
	}

	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"missing client id", map[string]string{"OIDC_PROVIDERS": "franceconnect"}, "OIDC_FRANCECONNECT_CLIENT_ID"},
		{"missing issuer", map[string]string{"OIDC_PROVIDERS": "x", "OIDC_X_CLIENT_ID": "a"}, "OIDC_X_ISSUER"},
		{"issuer not http", map[string]string{"OIDC_PROVIDERS": "x", "OIDC_X_CLIENT_ID": "a", "OIDC_X_ISSUER": "httpx://a"}, "OIDC_X_ISSUER"},
		{"bad name", map[string]string{"OIDC_PROVIDERS": "../evil"}, "OIDC_PROVIDERS"},
		{"listed twice", map[string]string{"OIDC_PROVIDERS": "x,X", "OIDC_X_CLIENT_ID": "a", "OIDC_X_ISSUER": "https://a"}, "OIDC_PROVIDERS"},
		{"trust email", map[string]string{"OIDC_PROVIDERS": "x", "OIDC_X_CLIENT_ID": "a", "OIDC_X_ISSUER": "https://a", "OIDC_X_TRUST_EMAIL": "peut-être"}, "OIDC_X_TRUST_EMAIL"},
	} {
		_, err := Load(env(tt.env))
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != tt.want {
			t.Errorf("%s: error %v, want one naming %s", tt.name, err, tt.want)
		}
	}
	if c, err := Load(env(nil)); err != nil || len(c.OIDCProviders) != 0 {
		t.Errorf("no providers: %v %v", c.OIDCProviders, err)
	}
}

func TestLoadRateLimits(t *testing.T) {
	c, err := Load(env(map[string]string{"RATE_LIMITS": " signin:ip=5/1m , support:account=100/1h"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.RateLimits["signin:ip"] != (RateLimit{5, 60e9}) || c.RateLimits["support:account"].Max != 100 || len(c.RateLimits) != 2 {
		t.Errorf("rate limits %v", c.RateLimits)
	}
	for _, bad := range []string{"signin:ip=0/1m", "signin:ip=5", "signin:ip=5/forever", "=5/1m", "signin:ip=5/10ms"} {
		_, err := Load(env(map[string]string{"RATE_LIMITS": bad}))
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != "RATE_LIMITS" {
			t.Errorf("RATE_LIMITS=%q: error %v", bad, err)
		}
	}
}
