package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	errorTextRe = regexp.MustCompile(`<p id="([^"]+)-erreur" class="fr-error-text">`)
	anyErrorRe  = regexp.MustCompile(`class="fr-error-text"`)
	fieldRe     = regexp.MustCompile(`<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"[^>]*>`)
)

// linkedErrors checks that every error message under a field of body is
// announced on that field (RGAA 11.10): the field has aria-invalid="true"
// and aria-describedby naming the message, and no other field is marked
// invalid. It returns the ids of the fields in error.
func linkedErrors(t *testing.T, what, body string) []string {
	t.Helper()
	var ids []string
	for _, m := range errorTextRe.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	if n := len(anyErrorRe.FindAllString(body, -1)); n != len(ids) {
		t.Errorf("%s: %d error messages, %d of them with an id", what, n, len(ids))
	}
	for _, m := range fieldRe.FindAllStringSubmatch(body, -1) {
		tag, id := m[0], m[1]
		invalid := strings.Contains(tag, `aria-invalid="true"`)
		described := strings.Contains(tag, `aria-describedby="`+id+`-erreur"`)
		switch wants := slices.Contains(ids, id); {
		case wants && (!invalid || !described):
			t.Errorf("%s: field %s has an error message that it does not announce: %s", what, id, tag)
		case !wants && invalid:
			t.Errorf("%s: field %s marked invalid without a message: %s", what, id, tag)
		}
	}
	return ids
}

// TestFormErrorsAnnouncedOnTheirFields sends forms that their checks refuse
// and looks at every error message of the page that answers.
func TestFormErrorsAnnouncedOnTheirFields(t *testing.T) {
	a := newTestApp(t, nil)

	resp, body := a.post("/inscription", url.Values{"email": {"pas-une-adresse"}, "password": {"court"}})
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Fatalf("sign-up refused: %d", resp.StatusCode)
	}
	if ids := linkedErrors(t, "sign-up", body); len(ids) < 4 || !slices.Contains(ids, "email") || !slices.Contains(ids, "password") {
		t.Errorf("sign-up: fields in error %v", ids)
	}

	resp, body = a.post("/accessibilite/contact", url.Values{"email": {"camille"}, "message": {"  "}})
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Fatalf("contact refused: %d", resp.StatusCode)
	}
	if ids := linkedErrors(t, "accessibility contact", body); !slices.Contains(ids, "contact-email") || !slices.Contains(ids, "contact-message") {
		t.Errorf("accessibility contact: fields in error %v", ids)
	}

	u := a.newUser("camille@exemple.fr", "Camille")
	a.signIn(u.ID)
	resp, body = a.post("/contributions/nouvelle", url.Values{"entree": {"libres"}, "titre": {"a"}, "texte": {""}})
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Fatalf("contribution refused: %d", resp.StatusCode)
	}
	if ids := linkedErrors(t, "contribution form", body); !slices.Contains(ids, "axe") || !slices.Contains(ids, "texte") {
		t.Errorf("contribution form: fields in error %v", ids)
	}

	// A page without errors marks no field.
	if resp, body = a.get("/contributions/nouvelle"); resp.StatusCode != http.StatusOK || len(linkedErrors(t, "empty form", body)) != 0 {
		t.Errorf("empty contribution form: %d", resp.StatusCode)
	}
}

// TestAssistedFormErrorsAnnouncedOnTheirFields does the same for the form of
// a médiateur: a person without consent, nor category, nor text.
func TestAssistedFormErrorsAnnouncedOnTheirFields(t *testing.T) {
	f := newMedFix(t)
	f.as(f.mediator)
	form := assistedForm("")
	form.Del("accord")
	form.Del("categorie")
	form.Set("texte", "")
	resp, body := f.post("/mediation/contribution", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("refused: %d", resp.StatusCode)
	}
	if ids := linkedErrors(t, "assisted contribution", body); !slices.Contains(ids, "accord") || !slices.Contains(ids, "categorie") ||
		!slices.Contains(ids, "texte") {
		t.Errorf("fields in error %v", ids)
	}
}
