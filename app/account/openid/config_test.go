package openid

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestLoadConfigs(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cfgs, err := LoadConfigs(env(map[string]string{
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
	if len(cfgs) != 3 {
		t.Fatalf("%d providers", len(cfgs))
	}
	fc, pc, local := cfgs[0], cfgs[1], cfgs[2]
	if fc.Name != "franceconnect" || fc.Kind != "franceconnect" || !fc.TrustEmail || !slices.Equal(fc.ACR, []string{"eidas1"}) ||
		fc.Issuer != "https://fcp-low.sbx.dev-franceconnect.fr/api/v2" || slices.Contains(fc.Scopes, "family_name") || slices.Contains(fc.Scopes, "birthdate") {
		t.Errorf("franceconnect preset: %+v", fc)
	}
	if pc.Issuer == "" || !slices.Equal(pc.ACR, []string{"eidas1", "eidas2"}) || pc.Label != "ProConnect" {
		t.Errorf("proconnect preset: %+v", pc)
	}
	if local.Label != "Fournisseur de test" || local.TrustEmail || !slices.Equal(local.Scopes, []string{"openid", "email"}) || len(local.ACR) != 0 {
		t.Errorf("generic provider: %+v", local)
	}
	base, _ := url.Parse("https://concertation.example.gouv.fr")
	reg, err := NewRegistry(cfgs, base)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := reg.Get("local-test"); !ok || p.callbackURL != "https://concertation.example.gouv.fr/connexion/oidc/local-test/retour" {
		t.Errorf("callback of local-test: %v", p)
	}

	for name, m := range map[string]map[string]string{
		"missing client id": {"OIDC_PROVIDERS": "franceconnect"},
		"missing issuer":    {"OIDC_PROVIDERS": "x", "OIDC_X_CLIENT_ID": "a"},
		"bad name":          {"OIDC_PROVIDERS": "../evil", "OIDC_../EVIL_CLIENT_ID": "a"},
	} {
		if _, err := LoadConfigs(env(m)); err == nil || !strings.Contains(err.Error(), "OIDC_") {
			t.Errorf("%s: error %v", name, err)
		}
	}
	if cfgs, err := LoadConfigs(env(nil)); err != nil || len(cfgs) != 0 {
		t.Errorf("no providers: %v %v", cfgs, err)
	}
}
