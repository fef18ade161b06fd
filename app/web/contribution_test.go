package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/hub"
)

var locationID = regexp.MustCompile(`^/contributions/(\d+)$`)

// propose posts the new-contribution form and returns the new page's path.
func (a *testApp) propose(form url.Values) string {
	a.t.Helper()
	resp, body := a.post("/contributions/nouvelle", form)
	if resp.StatusCode != http.StatusSeeOther || !locationID.MatchString(resp.Header.Get("Location")) {
		a.t.Fatalf("propose: status %d, location %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	return resp.Header.Get("Location")
}

func (a *testApp) hubID(slug string) int64 {
	a.t.Helper()
	h, err := a.deps.Hubs.BySlug(context.Background(), slug)
	if err != nil {
		a.t.Fatal(err)
	}
	return h.ID
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("body lacks %q", w)
		}
	}
}

func TestContributionJourney(t *testing.T) {
	a := newTestApp(t, nil)
	member := a.newUser("membre@exemple.fr", "Marie Membre")
	if err := a.deps.Accounts.AddHubMember(context.Background(), a.hubID("rhinocc"), member.ID); err != nil {
		t.Fatal(err)
	}
	a.signIn(member.ID)
	resp, body := a.get("/contributions/nouvelle")
	if resp.StatusCode != 200 {
		t.Fatalf("form: %d", resp.StatusCode)
	}
	mustContain(t, body, "Proposition de Hub", `value="rhinocc"`, `value="departement:29" selected`)
	if strings.Contains(body, `value="hub-bretagne"`) {
		t.Error("the form offers a Hub the viewer is not a member of")
	}
	prop := a.propose(url.Values{"entree": {"hubs"}, "hub": {"rhinocc"}, "axe": {"gouvernance-finances-modeles-economiques"},
		"territoire": {"region:76"}, "titre": {"Un fonds régional pour la médiation"}, "texte": {"Premier paragraphe.\n\nVoir https://exemple.fr/doc."}})
	_, body = a.get(prop)
	mustContain(t, body, "Un fonds régional pour la médiation", "Proposée par le Hub", "RhinOcc", "Région Occitanie",
		`<a href="https://exemple.fr/doc" rel="nofollow ugc noopener">https://exemple.fr/doc</a>.`, "<p>Premier paragraphe.</p>")
	if strings.Contains(body, `href="/auteurs/`) {
		t.Errorf("the member's name is shown on a Hub proposal: %s", body)
	}

	// A free contribution by another account reacts to the Hub proposal.
	b := newTestAppOn(t, a.deps.DB, nil)
	citizen := b.newUser("citoyen@exemple.fr", "Paul <b>Citoyen</b>")
	b.signIn(citizen.ID)
	id := strings.TrimPrefix(prop, "/contributions/")
	_, body = b.get("/contributions/nouvelle?reagit_a=" + id)
	mustContain(t, body, "Vous réagissez à la proposition", "Complète")
	free := b.propose(url.Values{"entree": {"libres"}, "reagit_a": {id}, "reaction": {"nuance"}, "axe": {"gouvernance-finances-modeles-economiques"},
		"titre": {"<script>alert(1)</script> Nuance"}, "texte": {"<img src=x onerror=alert(1)>"}})
	_, body = b.get(free)
	mustContain(t, body, "&lt;script&gt;alert(1)&lt;/script&gt; Nuance", "&lt;img src=x onerror=alert(1)&gt;", "Réaction : Nuance",
		"Un fonds régional pour la médiation", "Paul &lt;b&gt;Citoyen&lt;/b&gt;", "Finistère (29)")
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
		t.Error("stored markup rendered as HTML")
	}
	_, body = b.get(prop)
	mustContain(t, body, "<strong>1</strong> Nuance", "<strong>0</strong> Soutient", "&lt;script&gt;alert(1)&lt;/script&gt; Nuance")

	// Support without JavaScript: redirect back; the author cannot.
	resp, _ = b.post(prop+"/soutenir", url.Values{"retour": {"/contributions?tri=soutiens"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/contributions?tri=soutiens" {
		t.Errorf("support: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = b.post(prop+"/soutenir", url.Values{"retour": {"https://ailleurs.example/"}})
	if resp.Header.Get("Location") != prop {
		t.Errorf("open redirect: %q", resp.Header.Get("Location"))
	}
	_, body = b.get(prop)
	mustContain(t, body, "<strong>1</strong> soutien", "Retirer mon soutien")
	resp, body = a.post(prop+"/soutenir", nil)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "propre contribution") {
		t.Errorf("own support: %d", resp.StatusCode)
	}
	// With htmx: the new button alone.
	req := httptest.NewRequest(http.MethodPost, prop+"/retirer-soutien", strings.NewReader(url.Values{"_csrf": {b.csrf()}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	resp = b.do(req)
	body = readBody(t, resp)
	if resp.StatusCode != 200 || strings.Contains(body, "<html") || !strings.Contains(body, "<strong>0</strong> soutien") || !strings.Contains(body, ">Soutenir<") {
		t.Errorf("htmx unsupport: %d %s", resp.StatusCode, body)
	}

	// Arguments, with one level of replies.
	resp, _ = b.post(free+"/arguments", url.Values{"position": {"contre"}, "texte": {"Je ne suis pas d'accord <i>du tout</i>"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("argument: %d", resp.StatusCode)
	}
	_, body = b.get(free)
	mustContain(t, body, "Je ne suis pas d&#39;accord &lt;i&gt;du tout&lt;/i&gt;", "Contre", "Arguments (1)")
	m := regexp.MustCompile(`name="reponse_a" value="(\d+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no reply form")
	}
	resp, _ = a.post(free+"/arguments", url.Values{"position": {"pour"}, "texte": {"Réponse"}, "reponse_a": {m[1]}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d", resp.StatusCode)
	}
	resp, body = a.post(free+"/arguments", url.Values{"position": {"peut-etre"}, "texte": {"x"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choisissez une position") {
		t.Errorf("bad stance: %d", resp.StatusCode)
	}

	// Edit, then withdraw.
	resp, _ = a.get(free + "/modifier")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("edit by someone else: %d", resp.StatusCode)
	}
	_, body = b.get(free + "/modifier")
	mustContain(t, body, "Modifier la contribution", `value="departement:29" selected`)
	resp, _ = b.post(free+"/modifier", url.Values{"axe": {"formation-structuration-filiere"}, "territoire": {"departement:29"},
		"titre": {"Titre corrigé"}, "texte": {"Texte corrigé"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d", resp.StatusCode)
	}
	_, body = b.get(free)
	mustContain(t, body, "Titre corrigé", "modifiée le", "Axe 3")
	resp, _ = b.post(free+"/retirer", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", resp.StatusCode)
	}
	_, body = b.get(free)
	mustContain(t, body, "retirée par son auteur")
	if strings.Contains(body, "Texte corrigé") {
		t.Error("withdrawn text still shown")
	}
	_, body = b.get(prop)
	mustContain(t, body, "<strong>0</strong> Nuance")

	// Anonymous visitors read the same page, kept a moment, refreshed by changes.
	anon := &testApp{t: t, app: a.app, deps: a.deps, jar: map[string]string{}}
	_, body = anon.get(prop)
	mustContain(t, body, "Un fonds régional pour la médiation – ", "Connectez-vous</a> pour donner un argument", "<strong>0</strong> Nuance")
	resp, _ = a.post(prop+"/arguments", url.Values{"position": {"neutre"}, "texte": {"Argument tout frais"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("argument: %d", resp.StatusCode)
	}
	_, body = anon.get(prop)
	mustContain(t, body, "Argument tout frais")

	// An author's public page lists free contributions only: the member, who
	// wrote only a Hub proposal, has none (so no page that would show their name).
	resp, body = anon.get(fmt.Sprintf("/auteurs/%d", member.ID))
	if resp.StatusCode != 404 || strings.Contains(body, "Marie Membre") {
		t.Errorf("author page of a Hub member without free contribution: %d", resp.StatusCode)
	}
	resp, _ = a.get("/auteurs/999999")
	if resp.StatusCode != 404 {
		t.Errorf("unknown author: %d", resp.StatusCode)
	}
}

func TestContributionBadInput(t *testing.T) {
	a := newTestApp(t, nil)
	u := a.newUser("u@exemple.fr", "Ulysse")
	a.signIn(u.ID)
	ok := url.Values{"entree": {"libres"}, "axe": {"gouvernance-finances-modeles-economiques"}, "titre": {"Titre"}, "texte": {"Texte"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range ok {
			f[kk] = append([]string(nil), vv...)
		}
		f.Set(k, v)
		return f
	}
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"empty title", with("titre", " "), 422, "Donnez un titre"},
		{"long title", with("titre", strings.Repeat("a", 141)), 422, "140 caractères au plus"},
		{"empty body", with("texte", ""), 422, "Écrivez le texte"},
		{"long body", with("texte", strings.Repeat("é", 5001)), 422, "5 000 caractères au plus"},
		{"invalid UTF-8", with("titre", "abc\xff"), 400, "caractères invalides"}, // refused before the handler (input.go)
		{"unknown axis", with("axe", "nulle-part"), 422, "Choisissez un axe"},
		{"unknown entry", with("entree", "autre"), 422, "Choisissez une entrée"},
		{"bad territory", with("territoire", "commune:1"), 422, "territoire dans la liste"},
		{"hub proposal by a non-member", with("entree", "hubs"), 422, "Choisissez le Hub"},
		{"hub proposal for another Hub", func() url.Values { f := with("entree", "hubs"); f.Set("hub", "rhinocc"); return f }(), 422, "dont vous êtes membre"},
		{"reaction to nothing", with("reagit_a", "999999"), 422, "proposition de Hub publiée"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := a.post("/contributions/nouvelle", tt.form)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("status %d (want %d), body has %q: %v", resp.StatusCode, tt.status, tt.want, strings.Contains(body, tt.want))
			}
		})
	}
	var n int
	a.deps.DB.Conn(context.Background()).Raw(`SELECT count(*) FROM contributions`).Scan(&n)
	if n != 0 {
		t.Errorf("%d contributions stored from bad input", n)
	}
	for _, tt := range []struct {
		path   string
		status int
	}{
		{"/contributions/999999", 404}, {"/contributions/abc", 404}, {"/contributions/-1", 404},
		{"/contributions/99999999999999999999999", 404},
		{"/contributions?page=-4", 200}, {"/contributions?page=abc", 200}, {"/contributions?page=99999999999999999999", 200},
		{"/contributions?page=5000", 200}, {"/contributions?axe=x&axe=y&categorie=%ff&region=%&tri=<script>&reagit_a=-1&par=100000", 200},
		{"/contributions?departement=29&departement=75", 200},
		{"/contributions/similaires?titre=%ff%fe", 200},
		{"/contributions/999999/modifier", 404},
	} {
		resp, body := a.get(tt.path)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: %d, want %d", tt.path, resp.StatusCode, tt.status)
		}
		if strings.Contains(body, "<script>") && !strings.Contains(body, `<script src=`) {
			t.Errorf("%s: markup echoed", tt.path)
		}
	}
	resp, _ := a.post("/contributions/999999/soutenir", nil)
	if resp.StatusCode != 404 {
		t.Errorf("support unknown: %d", resp.StatusCode)
	}
	anon := newTestAppOn(t, a.deps.DB, nil)
	resp, _ = anon.post("/contributions/nouvelle", ok)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/connexion?retour=") {
		t.Errorf("anonymous create: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = anon.get("/contributions/nouvelle")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/connexion?retour=%2Fcontributions%2Fnouvelle" {
		t.Errorf("anonymous form: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestListFiltersAndPages(t *testing.T) {
	a := newTestApp(t, nil)
	u := a.newUser("u@exemple.fr", "Ulysse")
	a.signIn(u.ID)
	for i := range 25 {
		a.propose(url.Values{"entree": {"libres"}, "axe": {"gouvernance-finances-modeles-economiques"},
			"titre": {fmt.Sprintf("Contribution numéro %02d", i)}, "texte": {"Texte"}})
	}
	a.propose(url.Values{"entree": {"libres"}, "axe": {"formation-structuration-filiere"}, "territoire": {"region:53"},
		"titre": {"En Bretagne"}, "texte": {"Texte"}})
	_, body := a.get("/contributions")
	mustContain(t, body, "<strong>26</strong> contributions", "page 1 sur 2", "En Bretagne", "Citoyen·ne (26)", "Bretagne (26)", "Finistère (29) (25)",
		`href="/contributions?page=2"`, "Axe 3 : Formation et structuration de la filière professionnelle (1)")
	_, body = a.get("/contributions?region=53&departement=29&tri=soutiens")
	mustContain(t, body, "<strong>25</strong> contributions", `value="29" selected`, `value="soutiens" selected`,
		"http://127.0.0.1:8080/contributions?departement=29&amp;region=53&amp;tri=soutiens")
	_, body = a.get("/contributions?page=2")
	mustContain(t, body, "Contribution numéro 00", "page 2 sur 2")
	_, body = a.get("/axes/formation-structuration-filiere")
	mustContain(t, body, "<strong>1</strong> contribution", "En Bretagne")
	_, body = a.get("/contributions?tri=hasard")
	m := regexp.MustCompile(`name="graine" value="(\d+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no seed for the random order")
	}
	_, again := a.get("/contributions?tri=hasard")
	order := regexp.MustCompile(`href="/contributions/(\d+)"`)
	if fmt.Sprint(order.FindAllStringSubmatch(body, -1)) != fmt.Sprint(order.FindAllStringSubmatch(again, -1)) {
		t.Error("the random order changed for the same visitor")
	}
	_, body = a.get("/hubs/rhinocc")
	mustContain(t, body, "<strong>0</strong> contribution<")

	// An anonymous visitor of the same server sees a new contribution once the
	// copy of the listing has read it: a list after the change starts that
	// read beside it, and uses the copy it has (without keeping the page,
	// TestAnonymousListNotKeptFromOlderCopy) until the read ends.
	anon := &testApp{t: t, app: a.app, deps: a.deps, jar: map[string]string{}}
	_, body = anon.get("/contributions?region=53")
	mustContain(t, body, "<strong>26</strong> contributions", "Connectez-vous</a> pour soutenir")
	a.propose(url.Values{"entree": {"libres"}, "axe": {"formation-structuration-filiere"}, "titre": {"Toute nouvelle"}, "texte": {"Texte"}})
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, body = anon.get("/contributions?region=53")
		if strings.Contains(body, "Toute nouvelle") || time.Now().After(deadline) {
			break
		}
	}
	mustContain(t, body, "<strong>27</strong> contributions", "Toute nouvelle")
}

func TestSimilarSuggestions(t *testing.T) {
	a := newTestApp(t, nil)
	u := a.newUser("u@exemple.fr", "Ulysse")
	a.signIn(u.ID)
	a.propose(url.Values{"entree": {"libres"}, "axe": {"gouvernance-finances-modeles-economiques"},
		"titre": {"Former les aidants numériques en mairie"}, "texte": {"Texte"}})
	req := httptest.NewRequest(http.MethodGet, "/contributions/similaires?titre="+url.QueryEscape("former les aidants numériques"), nil)
	req.Header.Set("HX-Request", "true")
	resp := a.do(req)
	body := readBody(t, resp)
	if resp.StatusCode != 200 || strings.Contains(body, "<html") {
		t.Fatalf("fragment: %d", resp.StatusCode)
	}
	mustContain(t, body, "Des contributions proches existent déjà", "Former les aidants numériques en mairie")
	// Without JavaScript: the "check" button shows them in the form, stores nothing.
	resp, body = a.post("/contributions/nouvelle", url.Values{"action": {"verifier"}, "entree": {"libres"},
		"titre": {"Former des aidants numériques"}, "texte": {"Mon brouillon"}})
	if resp.StatusCode != 200 {
		t.Fatalf("check: %d", resp.StatusCode)
	}
	mustContain(t, body, "Des contributions proches existent déjà", "Mon brouillon")
}

func TestEveryContributionTemplateIsParsed(t *testing.T) {
	r, err := NewRenderer(viewsFS(), templateFuncs())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{tplContributionList, tplContributionShow, tplContributionForm, tplContributionWithdraw, tplAuthorShow} {
		if _, ok := r.pages[name]; !ok {
			t.Errorf("page %s not parsed", name)
		}
	}
	_ = hub.KindRegion
}
