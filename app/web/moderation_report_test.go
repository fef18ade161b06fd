package web

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
)

func TestReportThroughPages(t *testing.T) {
	f := newModFix(t)
	author := f.user("Autrice Secrète")
	c := f.contribution(author, "Une proposition <script>alert(1)</script>")
	r1, r2, r3 := f.user("Rapporteur Un"), f.user("Rapporteur Deux"), f.user("Rapporteur Trois")
	path := fmt.Sprintf("/contributions/%d/signaler", c)

	f.as(r1)
	resp, body := f.get(path)
	expect(t, "form", resp, body, 200, "Signaler cette contribution", "propos injurieux ou haineux", "données personnelles",
		`name="explication"`, "Une proposition &lt;script&gt;")
	if strings.Contains(body, "<script>alert(1)") {
		t.Error("title rendered as HTML")
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}

	// Bad input: a French message beside the form, 4xx, nothing stored.
	bad := []url.Values{
		{},
		{"raison": {"inconnue"}},
		{"raison": {"autre"}, "explication": {"   "}},
		{"raison": {"spam"}, "explication": {strings.Repeat("a", 1001)}},
	}
	for _, form := range bad {
		resp, body := f.post(path, form)
		expect(t, "bad form "+form.Encode(), resp, body, 422, `class="fr-alert fr-alert--error`)
	}
	// Bytes that are not text are refused before the handler (input.go).
	for _, form := range []url.Values{{"raison": {"spam"}, "explication": {"a\xffb"}}, {"raison": {"spam"}, "explication": {"a\x00b"}}} {
		resp, body := f.post(path, form)
		expect(t, "bad bytes "+form.Encode(), resp, body, 400, "caractères invalides")
	}
	if n := f.scalar(`SELECT count(*) FROM reports`); n != 0 {
		t.Fatalf("%d reports stored from bad forms", n)
	}

	resp, body = f.post(path, url.Values{"raison": {"autre"}, "explication": {"publicité <b>déguisée</b>"}})
	expect(t, "first report", resp, body, 200, "Merci, votre signalement est enregistré")
	// The same account again: a clear message, not an error, and no second count.
	resp, body = f.post(path, url.Values{"raison": {"spam"}})
	expect(t, "second report", resp, body, 200, "Vous avez déjà signalé cette contribution")
	resp, body = f.get(path)
	expect(t, "form after report", resp, body, 200, "Vous avez déjà signalé cette contribution")
	if n := f.scalar(`SELECT count(*) FROM reports WHERE contribution_id = ?`, c); n != 1 {
		t.Fatalf("%d reports, want 1", n)
	}

	f.as(r2)
	resp, body = f.post(path, url.Values{"raison": {"spam"}})
	expect(t, "second account", resp, body, 200, "Merci")
	if got := f.text(`SELECT status FROM contributions WHERE id = ?`, c); got != "published" {
		t.Fatalf("hidden after 2 reports: %s", got)
	}
	outbox := f.scalar(`SELECT count(*) FROM search_outbox WHERE contribution_id = ?`, c)
	f.as(r3)
	resp, body = f.post(path, url.Values{"raison": {"injurieux"}})
	expect(t, "third account", resp, body, 200, "masqué en attendant cet examen")
	if got := f.text(`SELECT status || ' / ' || hidden_reason FROM contributions WHERE id = ?`, c); got != "hidden / signalements en attente d'examen" {
		t.Fatalf("after threshold: %s", got)
	}
	if n := f.scalar(`SELECT count(*) FROM search_outbox WHERE contribution_id = ?`, c); n != outbox+1 {
		t.Errorf("outbox rows %d, want %d", n, outbox+1)
	}

	// A fourth person can no longer report it: it is hidden.
	f.as(f.user("Quatrième"))
	resp, body = f.post(path, url.Values{"raison": {"spam"}})
	expect(t, "report on hidden", resp, body, 409, "déjà masqué")

	// The public log shows it, without any personal data.
	f.as(0)
	resp, body = f.get("/moderation/journal")
	expect(t, "journal", resp, body, 200, fmt.Sprintf("Contribution n° %d", c), "signalements en attente d&#39;examen",
		"Masquage automatique après signalements")
	for _, secret := range []string{"Autrice Secrète", "Rapporteur", "example.org", "publicité", "Une proposition"} {
		if strings.Contains(body, secret) {
			t.Errorf("public log shows %q", secret)
		}
	}
	// The author is told.
	f.as(author)
	resp, body = f.get("/compte/notifications")
	expect(t, "notifications", resp, body, 200, "signalée par plusieurs personnes", "nouveau")
	_, body = f.get("/compte/notifications")
	if strings.Contains(body, "nouveau") {
		t.Error("notifications not marked read")
	}
}

func TestReportRefusals(t *testing.T) {
	f := newModFix(t)
	author := f.user("Auteur")
	c := f.contribution(author, "T")
	a := f.argument(c, author, "Un argument")

	f.as(author)
	resp, body := f.get(fmt.Sprintf("/contributions/%d/signaler", c))
	expect(t, "own contribution", resp, body, 403, "vous-même")
	resp, body = f.post(fmt.Sprintf("/arguments/%d/signaler", a), url.Values{"raison": {"spam"}})
	expect(t, "own argument", resp, body, 403, "vous-même")

	other := f.user("Autre")
	f.as(other)
	for _, p := range []string{"/contributions/999999/signaler", "/contributions/abc/signaler", "/contributions/-1/signaler", "/arguments/0/signaler"} {
		resp, body := f.get(p)
		expect(t, p, resp, body, 404)
	}
	f.exec(`UPDATE contributions SET status = 'withdrawn' WHERE id = ?`, c)
	resp, body = f.get(fmt.Sprintf("/contributions/%d/signaler", c))
	expect(t, "withdrawn", resp, body, 409)

	// A blocked account cannot report.
	c2 := f.contribution(author, "T2")
	f.exec(`UPDATE users SET blocked_until = now() + interval '1 day' WHERE id = ?`, other)
	f.as(other)
	resp, body = f.post(fmt.Sprintf("/contributions/%d/signaler", c2), url.Values{"raison": {"spam"}})
	expect(t, "blocked", resp, body, 403, "suspendu")
	// Without the CSRF token: refused.
	f.exec(`UPDATE users SET blocked_until = NULL WHERE id = ?`, other)
	f.as(other)
	resp, _ = f.post(fmt.Sprintf("/contributions/%d/signaler", c2), url.Values{"raison": {"spam"}, "_csrf": {"faux"}})
	if resp.StatusCode != 403 || f.scalar(`SELECT count(*) FROM reports`) != 0 {
		t.Errorf("report without CSRF token: %d", resp.StatusCode)
	}
}

func TestReportArgument(t *testing.T) {
	f := newModFix(t)
	c := f.contribution(f.user("A"), "Contribution parente")
	a := f.argument(c, f.user("B"), "Argument signalé")
	f.as(f.user("C"))
	path := fmt.Sprintf("/arguments/%d/signaler", a)
	resp, body := f.get(path)
	expect(t, "form", resp, body, 200, "Signaler cet argument", "Argument signalé", fmt.Sprintf(`href="/contributions/%d#arg-%d"`, c, a))
	resp, body = f.post(path, url.Values{"raison": {"donnees-personnelles"}})
	expect(t, "report", resp, body, 200, "Merci")
	if n := f.scalar(`SELECT count(*) FROM reports WHERE argument_id = ? AND reason = 'donnees-personnelles'`, a); n != 1 {
		t.Errorf("argument reports %d", n)
	}
}

// Concurrent reports from distinct accounts, each in its own browser, hide
// the contribution exactly once.
func TestReportConcurrentHidesOnce(t *testing.T) {
	f := newModFix(t)
	c := f.contribution(f.user("Auteur"), "T")
	const n = 8
	apps := make([]*testApp, n)
	for i := range apps {
		apps[i] = newTestAppOn(t, f.deps.DB, nil)
		apps[i].signIn(f.user(fmt.Sprintf("Personne %d", i)))
	}
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i, a := range apps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := a.post(fmt.Sprintf("/contributions/%d/signaler", c), url.Values{"raison": {"spam"}})
			statuses[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	ok, conflict := 0, 0
	for _, s := range statuses {
		switch s {
		case 200:
			ok++
		case 409:
			conflict++
		default:
			t.Errorf("status %d", s)
		}
	}
	if ok != 3 || conflict != n-3 {
		t.Errorf("%d accepted, %d refused; want 3 and %d", ok, conflict, n-3)
	}
	if m := f.scalar(`SELECT count(*) FROM moderation_log WHERE item_id = ?`, c); m != 1 {
		t.Errorf("hidden %d times", m)
	}
	if m := f.scalar(`SELECT count(*) FROM audit_log WHERE action = 'moderation.auto_hide'`); m != 1 {
		t.Errorf("%d audit rows", m)
	}
}
