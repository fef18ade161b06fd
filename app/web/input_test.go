package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Parameters that PostgreSQL would refuse (NUL, invalid UTF-8) get a French
// 400 on every route, public or restricted, never a 500.
func TestBadCharactersGetA400(t *testing.T) {
	a := newTestApp(t, nil)
	admin := a.newUser("admin@example.org", "Admin")
	if err := a.deps.Accounts.GrantRole(t.Context(), admin.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	a.signIn(admin.ID)
	// A URL parameter that is not text is ignored, like any unknown filter.
	for _, path := range []string{
		"/statistiques?q=a%00", "/contributions?q=%ff%fe", "/contributions?categorie=a%00b",
		"/synthese?etiquette=%ff%fe", "/synthese?q=a%00b", "/admin/journal?action=%00",
		"/admin/utilisateurs?q=a%00", "/contributions/similaires?titre=%ff",
	} {
		resp, body := a.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d, want 200 with the parameter ignored", path, resp.StatusCode)
		}
		if strings.Contains(body, "\x00") || strings.Contains(body, "\ufffd") {
			t.Errorf("GET %s: the bad value reached the page", path)
		}
	}
	if resp, body := a.get("/auteurs/1%00"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "caractères invalides") {
		t.Errorf("a path with a NUL: %d, want 400 with the French message", resp.StatusCode)
	}
	form := url.Values{"email": {"a\x00@example.org"}, "mot_de_passe": {"x"}, csrfField: {a.csrf()}}
	req := httptest.NewRequest(http.MethodPost, "/connexion", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp := a.do(req); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("POST /connexion with a NUL: %d, want 400", resp.StatusCode)
	}
	form = url.Values{"titre": {"Titre \xff"}, "texte": {"Texte"}, csrfField: {a.csrf()}}
	req = httptest.NewRequest(http.MethodPost, "/contributions/nouvelle", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp := a.do(req); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("POST /contributions/nouvelle with invalid UTF-8: %d, want 400", resp.StatusCode)
	}
	// Ordinary accents pass.
	if resp, _ := a.get("/contributions?q=m%C3%A9diateurs"); resp.StatusCode != http.StatusOK {
		t.Errorf("accented search: %d", resp.StatusCode)
	}
}
