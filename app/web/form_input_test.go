package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/synthesis"
	"github.com/gofiber/fiber/v2"
)

// formFields are the fields of every form of the platform, with a value
// that passes validation: a request built from them reaches deep into each
// handler.
var formFields = [][2]string{
	{"email", "formulaire@exemple.fr"}, {"password", "cheval correct agrafe"}, {"display_name", "Nom affiché"},
	{"category", "citoyen"}, {"departement", "29"}, {"terms", "oui"}, {"entree", "libres"},
	{"axe", "gouvernance-finances-modeles-economiques"}, {"titre", "Un titre"}, {"texte", "Un texte."},
	{"position", "pour"}, {"raison", "spam"}, {"motif", "spam"}, {"duree", "7"}, {"role", "moderator"},
	{"action", "grant"}, {"status", "open"}, {"etiquette", "à retenir"}, {"note", "Une note"}, {"nom", "Sélection"},
	{"filtres", "tri=soutiens"}, {"retenue", "1"}, {"reaction", "nuance"}, {"hub", "rhinocc"}, {"retour", "/hubs"},
	{"jeton", "jeton"}, {"precision", "Précision"}, {"explication", "Explication"}, {"depuis", ""},
	{"reponse_a", ""}, {"reagit_a", ""}, {"territoire", ""}, {"contributions", "anonymiser"}, {"q", "médiation"},
}

// withFields returns first, then the formFields whose names it lacks: the
// handlers read the first value of a field.
func withFields(first [][2]string) [][2]string {
	out := append([][2]string(nil), first...)
	for _, kv := range formFields {
		dup := false
		for _, f := range first {
			dup = dup || f[0] == kv[0]
		}
		if !dup {
			out = append(out, kv)
		}
	}
	return out
}

// spoilt returns formFields with bad appended to every value.
func spoilt(bad string) [][2]string {
	out := make([][2]string, len(formFields))
	for i, kv := range formFields {
		out[i] = [2]string{kv[0], kv[1] + bad}
	}
	return out
}

// formFix is the platform with an administrator who holds every role and
// is a member of a Hub, and the targets of every form's address: the
// request of any POST route reaches its handler.
type formFix struct {
	*modFix
	admin, target, contribution, argument, set int64
	territory                                  string
	base                                       string // the platform on a real port, when served
	token                                      string // the CSRF token of the jar's session, once read
}

func newFormFix(t testing.TB) *formFix {
	return newFormFixOn(t, newModFix(t))
}

// newFormFixOn is newFormFix on the fixture m, which may share its
// database with others (fuzzing workers): its accounts have addresses of
// their own.
func newFormFixOn(t testing.TB, m *modFix) *formFix {
	f := &formFix{modFix: m}
	f.deps.Limiter = permissiveLimiter(t, f.deps)
	f.rebuild()
	f.ensureAdmin()
	f.target = f.user("Cible")
	f.contribution = f.modFix.contribution(f.target, "Contribution cible")
	f.argument = f.modFix.argument(f.contribution, f.target, "Argument cible")
	set, err := synthesis.NewStore(f.deps.DB, f.deps.Config.BaseURL).SaveFilterSet(context.Background(), f.admin, "Sélection cible", "")
	if err != nil {
		t.Fatal(err)
	}
	f.set = set
	f.territory = strconv.FormatInt(f.scalar(`SELECT id FROM territories ORDER BY id LIMIT 1`), 10)
	f.signInAdmin()
	return f
}

// ensureAdmin creates the administrator, again if a form deleted it.
func (f *formFix) ensureAdmin() {
	f.t.Helper()
	if f.admin != 0 && f.scalar(`SELECT count(*) FROM users WHERE id = ?`, f.admin) == 1 {
		return
	}
	f.admin = f.user("Administratrice", "admin", "rapporteur", "moderator")
	if err := f.deps.Accounts.AddHubMember(context.Background(), f.hubID("rhinocc"), f.admin); err != nil {
		f.t.Fatal(err)
	}
}

// signInAdmin makes the jar's browser signed in as the administrator.
func (f *formFix) signInAdmin() {
	f.t.Helper()
	f.as(f.admin)
	f.token = ""
}

// postRoutes are the POST routes of routes(), with their parameters filled.
func (f *formFix) postRoutes() []string { return f.routesOf(fiber.MethodPost) }

// formRequest builds a POST of fields (name, value pairs, in order) to
// path, url-encoded or multipart, with this browser's CSRF token.
func (f *formFix) formRequest(path string, fields [][2]string, multi bool, fileName string) *http.Request {
	f.t.Helper()
	if f.token == "" {
		f.token = f.csrf()
	}
	fields = append([][2]string{{csrfField, f.token}}, fields...)
	if !multi {
		form := url.Values{}
		for _, kv := range fields {
			form.Add(kv[0], kv[1])
		}
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, kv := range fields {
		if err := w.WriteField(kv[0], kv[1]); err != nil {
			f.t.Fatal(err)
		}
	}
	if fileName != "" {
		fw, err := w.CreateFormFile("piece", fileName)
		if err != nil {
			f.t.Fatal(err)
		}
		_, _ = fw.Write([]byte("contenu"))
	}
	_ = w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return req
}

// serve serves the platform on a loopback port: bodies that fasthttp
// cannot read get their answer from its error handler, which app.Test
// reports as an error instead.
func (f *formFix) serve() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.t.Fatal(err)
	}
	app := f.app
	go func() { _ = app.Listener(ln) }()
	f.t.Cleanup(func() { _ = app.Shutdown() })
	f.base = "http://" + ln.Addr().String()
}

// send sends req to the served platform with the jar's cookies and returns
// the status and the body.
func (f *formFix) send(req *http.Request) (int, string) {
	f.t.Helper()
	u, _ := url.Parse(f.base + req.URL.RequestURI())
	req.URL, req.RequestURI, req.Host = u, "", u.Host
	for k, v := range f.jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		f.t.Fatalf("POST %s: %v", req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestEveryFormRefusesBadCharacters: NUL or invalid UTF-8 in any field of
// any form, url-encoded or multipart, in a value, a name or a file name,
// gets the French 400, never a 500; so does a multipart body that cannot be
// read.
func TestEveryFormRefusesBadCharacters(t *testing.T) {
	f := newFormFix(t)
	f.serve()
	for _, path := range f.postRoutes() {
		f.signInAdmin() // /deconnexion may have signed out
		for _, multi := range []bool{false, true} {
			for _, bad := range []struct {
				name           string
				fields         [][2]string
				fileName       string
				multipartsOnly bool
			}{
				{"NUL in every value", spoilt("\x00"), "", false},
				{"invalid UTF-8 in every value", spoilt("\xc3("), "", false},
				{"NUL in a name", [][2]string{{"tex\x00te", "Texte"}}, "", false},
				{"invalid UTF-8 in a name", [][2]string{{"titre\xff", "Titre"}}, "", false},
				{"invalid UTF-8 in a file name", nil, "pi\xffce.txt", true},
			} {
				if bad.multipartsOnly && !multi {
					continue
				}
				fields := withFields(bad.fields)
				status, body := f.send(f.formRequest(path, fields, multi, bad.fileName))
				if status != http.StatusBadRequest || !strings.Contains(body, `lang="fr"`) {
					t.Errorf("POST %s (multipart %v), %s: %d, want a French 400\n%s", path, multi, bad.name, status, excerpt(body))
				}
			}
		}
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nsans fin"))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		if status, body := f.send(req); status != http.StatusBadRequest || !strings.Contains(body, `lang="fr"`) {
			t.Errorf("POST %s with an unreadable multipart body: %d, want a French 400\n%s", path, status, excerpt(body))
		}
	}
}
