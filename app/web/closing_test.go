package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/contribution"
)

// TestClosingGuardOnEveryWrite closes the consultation (by its date, then by
// an administrator's early closing) and tries every write route: each is
// refused with the French message and nothing changes, while reading goes on.
func TestClosingGuardOnEveryWrite(t *testing.T) {
	open := newTestApp(t, nil)
	ctx := context.Background()
	author := open.newUser("autrice@exemple.fr", "Autrice")
	reader := open.newUser("lecteur@exemple.fr", "Lecteur")
	if err := open.deps.Accounts.AddHubMember(ctx, open.hubID("rhinocc"), author.ID); err != nil {
		t.Fatal(err)
	}
	open.signIn(author.ID)
	prop := open.propose(url.Values{"entree": {"hubs"}, "hub": {"rhinocc"}, "axe": {"gouvernance-finances-modeles-economiques"},
		"titre": {"Proposition"}, "texte": {"Texte"}})
	id := strings.TrimPrefix(prop, "/contributions/")

	writes := []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/contributions/nouvelle", nil},
		{"POST", "/contributions/nouvelle", url.Values{"entree": {"libres"}, "axe": {"gouvernance-finances-modeles-economiques"}, "titre": {"T"}, "texte": {"T"}}},
		{"POST", "/contributions/nouvelle", url.Values{"entree": {"libres"}, "reagit_a": {id}, "reaction": {"conteste"}, "axe": {"gouvernance-finances-modeles-economiques"}, "titre": {"T"}, "texte": {"T"}}},
		{"GET", prop + "/modifier", nil},
		{"POST", prop + "/modifier", url.Values{"axe": {"gouvernance-finances-modeles-economiques"}, "titre": {"Changé"}, "texte": {"Changé"}}},
		{"GET", prop + "/retirer", nil},
		{"POST", prop + "/retirer", nil},
		{"POST", prop + "/soutenir", nil},
		{"POST", prop + "/retirer-soutien", nil},
		{"POST", prop + "/arguments", url.Values{"position": {"pour"}, "texte": {"Argument"}}},
		// the médiateur's writes (closed before the role is even checked)
		{"POST", prop + "/soutien-accompagne", url.Values{"personne": {"1"}}},
		{"GET", "/mediation/contribution", nil},
		{"POST", "/mediation/contribution", url.Values{"accord": {"oui"}, "titre": {"T"}, "texte": {"T"}}},
		{"GET", "/mediation/personnes/nouvelle", nil},
		{"POST", "/mediation/personnes/nouvelle", url.Values{"accord": {"oui"}}},
		{"POST", "/mediation" + prop + "/code", nil},
	}
	// Every write route of the contributions area is in the list above.
	tried := map[string]bool{}
	for _, w := range writes {
		tried[w.method+" "+strings.Replace(w.path, prop, "/contributions/:id", 1)] = true
	}
	for _, rt := range (&Server{}).routes() {
		// Reporting (moderation) is not a contribution write: it stays possible after the closing.
		if rt.method == http.MethodPost && !strings.HasSuffix(rt.path, "/signaler") && (strings.HasPrefix(rt.path, "/contributions") || strings.HasPrefix(rt.path, "/auteurs")) && !tried[rt.method+" "+rt.path] {
			t.Errorf("write route %s %s is not tried", rt.method, rt.path)
		}
	}

	count := func() string {
		var s string
		open.deps.DB.Conn(ctx).Raw(`SELECT (SELECT count(*) FROM contributions) || '/' || (SELECT count(*) FROM supports) || '/' ||
			(SELECT count(*) FROM arguments) || '/' || (SELECT string_agg(title || status, ',') FROM contributions)`).Scan(&s)
		return s
	}
	before := count()
	after := func() time.Time { return time.Date(2027, 6, 15, 12, 0, 0, 0, time.UTC) }
	check := func(name string, a *testApp) {
		for _, userID := range []int64{author.ID, reader.ID} {
			a.signIn(userID)
			for _, w := range writes {
				var resp *http.Response
				var body string
				if w.method == "GET" {
					resp, body = a.get(w.path)
				} else {
					form := url.Values{}
					for k, v := range w.form {
						form[k] = v
					}
					resp, body = a.post(w.path, form)
				}
				if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "La consultation est close") {
					t.Errorf("%s: %s %s as %d: %d", name, w.method, w.path, userID, resp.StatusCode)
				}
			}
			resp, body := a.get(prop)
			if resp.StatusCode != 200 || !strings.Contains(body, "Consultation close") || strings.Contains(body, ">Soutenir<") ||
				strings.Contains(body, "/modifier") || strings.Contains(body, "Donner un argument") {
				t.Errorf("%s: the page still offers writing (status %d)", name, resp.StatusCode)
			}
			if resp, _ := a.get("/contributions?tri=soutiens"); resp.StatusCode != 200 {
				t.Errorf("%s: reading stopped: %d", name, resp.StatusCode)
			}
		}
		if got := count(); got != before {
			t.Errorf("%s: writes went through: %s → %s", name, before, got)
		}
	}
	check("after the closing date", newTestAppOn(t, open.deps.DB, after))

	// Closed early by an administrator, within its dates.
	cons, err := contribution.NewStore(open.deps.DB).Consultation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := open.deps.Consultations.SetStatus(ctx, cons.ID, "closed"); err != nil {
		t.Fatal(err)
	}
	check("closed early", newTestAppOn(t, open.deps.DB, nil))
}
