package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSitePages(t *testing.T) {
	a := newTestApp(t, nil)
	tests := []struct {
		name   string
		path   string
		status int
		want   []string
	}{
		{"home shows the four axes and their questions", "/", 200, []string{
			"Concertation nationale sur l&#39;inclusion numérique",
			"Axe 1 : Gouvernance, finances et modèles économiques",
			"Axe 2 : Parcours usagers et outillage des professionnels",
			"Axe 3 : Formation et structuration de la filière professionnelle",
			"Axe 4 : Données et évaluation de la politique publique",
			"Comment hybrider les sources de financement ?",
			"Propositions des Hubs", "Contributions libres",
			`href="/accessibilite">Accessibilité : `,
			"Ouverte", `id="axes"`,
		}},
		{"axis page", "/axes/formation-structuration-filiere", 200, []string{
			"Formation et structuration de la filière professionnelle",
			"Comment rendre les métiers de la médiation numérique attractifs",
		}},
		{"unknown axis", "/axes/inconnu", 404, []string{"Page non trouvée"}},
		{"hub list", "/hubs", 200, []string{"RhinOcc", "Hub Bretagne", "Territoire non renseigné"}},
		{"hub with its territories", "/hubs/rhinocc", 200, []string{"RhinOcc", "Région Occitanie", "La Mêlée"}},
		{"hub without territory", "/hubs/hinaura", 200, []string{"pas encore renseigné"}},
		{"unknown hub", "/hubs/nulle-part", 404, []string{"Page non trouvée", "Retourner à l"}},
		{"unknown page", "/nulle/part", 404, []string{"Page non trouvée"}},
		{"accessibility statement", "/accessibilite", 200, []string{"Déclaration d&#39;accessibilité", "non conforme"}},
		{"liveness", "/healthz", 200, []string{"ok"}},
		{"readiness", "/readyz", 200, []string{"ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := a.get(tt.path)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
		})
	}
}

// TestAxesGoToTheHomePage checks that /axes, typed by a visitor, leads to
// the four axes of the home page.
func TestAxesGoToTheHomePage(t *testing.T) {
	a := newTestApp(t, nil)
	resp, _ := a.get("/axes")
	if resp.StatusCode != 301 || resp.Header.Get("Location") != "/#axes" {
		t.Errorf("/axes: %d to %q, want 301 to /#axes", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestSecurityHeaders(t *testing.T) {
	a := newTestApp(t, nil)
	resp, _ := a.get("/")
	for h, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "strict-origin-when-cross-origin",
	} {
		if got := resp.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", h, got, want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows unsafe-inline: %q", csp)
	}
}

func TestClosedConsultationBanner(t *testing.T) {
	later := func() time.Time { return time.Date(2027, 6, 15, 12, 0, 0, 0, time.UTC) }
	a := newTestApp(t, later)
	_, body := a.get("/")
	if !strings.Contains(body, "Consultation close") {
		t.Error("no closed banner after the closing date")
	}
	before := func() time.Time { return time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC) }
	b := newTestAppOn(t, a.deps.DB, before)
	_, body = b.get("/")
	if !strings.Contains(body, "La consultation ouvrira le 23 novembre 2026") {
		t.Error("no upcoming banner before the opening date")
	}
}

func TestErrorPagesHideInternals(t *testing.T) {
	a := newTestApp(t, nil)
	app, err := build(a.deps, []route{
		{"GET", "/boom", func(c *fiberCtx) error { panic("secret internal detail") }},
		{"GET", "/fail", func(c *fiberCtx) error { return errFake }},
	})
	if err != nil {
		t.Fatal(err)
	}
	a.app = app
	for _, path := range []string{"/boom", "/fail"} {
		resp, body := a.get(path)
		if resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("%s: status %d, want 500", path, resp.StatusCode)
		}
		if !strings.Contains(body, "Un problème est arrivé de notre côté") {
			t.Errorf("%s: not the French error page", path)
		}
		if strings.Contains(body, "secret") || strings.Contains(body, "goroutine") || strings.Contains(body, "pq:") {
			t.Errorf("%s: internals leaked: %s", path, body)
		}
	}
}

func TestReadinessWhenDatabaseIsDown(t *testing.T) {
	a := newTestApp(t, nil)
	if err := a.deps.DB.Close(); err != nil {
		t.Fatal(err)
	}
	resp := a.do(httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with a closed database: %d, want 503", resp.StatusCode)
	}
	_ = context.Background()
}

func TestEveryTemplateIsParsed(t *testing.T) {
	a := newTestApp(t, nil)
	r := a.app // the renderer is built by New; a broken template fails New
	if r == nil {
		t.Fatal("no app")
	}
	want := []string{tplHome, tplAxis, tplHubList, tplHubShow, tplAccessibility, tplNotFound, tplError}
	s := &Server{}
	var err error
	s.render, err = NewRenderer(viewsFS(), templateFuncs())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range want {
		if _, ok := s.render.pages[name]; !ok {
			t.Errorf("page %s not parsed", name)
		}
	}
}

// TestNotFoundSaysWhy checks that a 404 says in the page itself what was
// not found (not only in the tab's title), and the generic text otherwise.
func TestNotFoundSaysWhy(t *testing.T) {
	a := newTestApp(t, nil)
	for path, want := range map[string]string{
		"/contributions/987654": "Cette contribution n&#39;existe pas.",
		"/auteurs/987654":       "Cet auteur n&#39;existe pas.",
		"/nulle/part":           "Nous ne trouvons pas cette page.",
	} {
		resp, body := a.get(path)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d", path, resp.StatusCode)
			continue
		}
		start, end := strings.Index(body, "<main"), strings.Index(body, "</main>")
		if start < 0 || end < start {
			t.Errorf("%s: no main element", path)
			continue
		}
		if main := body[start:end]; !strings.Contains(main, want) {
			t.Errorf("%s: the page does not say %q", path, want)
		}
	}
}
