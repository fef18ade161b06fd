package openid

import (
	"net/url"
	"testing"

	"github.com/cnr-numerique/concertation/app/config"
)

func TestRegistryCallbacksAndNames(t *testing.T) {
	base, _ := url.Parse("https://concertation.example.gouv.fr")
	local := Config{OIDCProvider: config.OIDCProvider{Name: "local-test", Issuer: "http://localhost:9998/", ClientID: "web"}}
	reg, err := NewRegistry([]Config{local}, base)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := reg.Get("local-test"); !ok || p.callbackURL != "https://concertation.example.gouv.fr/connexion/oidc/local-test/retour" {
		t.Errorf("callback of local-test: %v", p)
	}
	if _, ok := reg.Get("other"); ok {
		t.Error("an unknown provider is found")
	}
	if _, err := NewRegistry([]Config{local, local}, base); err == nil {
		t.Error("a provider listed twice is accepted")
	}
}
