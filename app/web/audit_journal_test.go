package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/config"
	"github.com/cnr-numerique/concertation/app/moderation"
)

func TestAuditJournal(t *testing.T) {
	f := newModFix(t)
	admin := f.user("Alice Admin", "admin")
	mod := f.user("Marc <b>Modérateur</b>", "moderator")
	c := f.contribution(f.user("Auteur"), "T")
	audit := moderation.NewAudit(f.deps.DB)
	ctx := context.Background()
	if err := audit.Record(ctx, &admin, moderation.AuditRoleGranted, fmt.Sprintf("user:%d", mod), map[string]any{"role": "moderator"}); err != nil {
		t.Fatal(err)
	}
	if err := audit.Record(ctx, nil, moderation.AuditConsultationShut, "consultation:1", map[string]any{"note": "<script>x</script>"}); err != nil {
		t.Fatal(err)
	}
	f.as(mod)
	if resp, _ := f.post(fmt.Sprintf("/moderation/contributions/%d/masquer", c), url.Values{"motif": {"spam"}}); resp.StatusCode != 303 {
		t.Fatalf("hide: %d", resp.StatusCode)
	}

	f.as(admin)
	resp, body := f.get("/admin/journal")
	expect(t, "audit page", resp, body, 200, "Journal d&#39;audit", "3 au total",
		"Masquage par la modération", fmt.Sprintf("contribution:%d", c), "Marc &lt;b&gt;Modérateur&lt;/b&gt;",
		"Rôle attribué", "Alice Admin", "système", "Consultation close", "&lt;script&gt;")
	if strings.Contains(body, "<script>x") || strings.Contains(body, "<b>Modérateur") {
		t.Error("stored text rendered as HTML")
	}
	resp, body = f.get("/admin/journal?action=" + moderation.AuditHide)
	expect(t, "filtered", resp, body, 200, "1 au total", "Masquage par la modération")
	if strings.Contains(body, "Alice Admin (n°") {
		t.Error("filter by action shows other actions")
	}
	for _, q := range []string{"action=%27%20OR%201%3D1--", "action=" + strings.Repeat("x", 500), "page=-3", "page=abc", "action=%ff"} {
		resp, body := f.get("/admin/journal?" + q)
		expect(t, q, resp, body, 200)
	}
	_, body = f.get("/admin/journal?action=%27%20OR%201%3D1--")
	if !strings.Contains(body, "0 au total") {
		t.Error("an injected filter matched rows")
	}
}

// HSTS is sent when BASE_URL is https, and only then.
func TestHSTSOnlyOverHTTPS(t *testing.T) {
	a := newTestApp(t, nil)
	resp, _ := a.get("/")
	if h := resp.Header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("HSTS over http: %q", h)
	}
	openData := t.TempDir()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"BASE_URL": "https://concertation.example.gouv.fr", "SESSION_SECRET": strings.Repeat("s", 32), "METRICS_TOKEN": "off",
			"OPENDATA_DIR": openData}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	deps := a.deps
	deps.Config = cfg
	app, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	secure := &testApp{t: t, app: app, deps: deps, jar: map[string]string{}}
	resp, _ = secure.get("/")
	if h := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(h, "max-age=") {
		t.Errorf("no HSTS over https: %q", h)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "frame-ancestors 'none'"} {
		if !strings.Contains(resp.Header.Get(h), want) {
			t.Errorf("%s = %q", h, resp.Header.Get(h))
		}
	}
}
