package web

import (
	"encoding/csv"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestModerationQueueAndDecisions(t *testing.T) {
	f := newModFix(t)
	author := f.user("Jeanne Auteure")
	mod := f.user("Modératrice", "moderator")
	c := f.contribution(author, "Proposition <em>douteuse</em>")
	a := f.argument(c, author, "Argument injurieux")
	for i := 0; i < 2; i++ {
		f.as(f.user(fmt.Sprintf("R%d", i)))
		f.post(fmt.Sprintf("/contributions/%d/signaler", c), url.Values{"raison": {"autre"}, "explication": {"copie d'un site commercial"}})
	}
	f.as(f.user("R9"))
	f.post(fmt.Sprintf("/arguments/%d/signaler", a), url.Values{"raison": {"injurieux"}})

	f.as(mod)
	resp, body := f.get("/moderation")
	expect(t, "queue", resp, body, 200, "Modération", "2 contenus signalés",
		fmt.Sprintf("Contribution n° %d", c), "Proposition &lt;em&gt;douteuse&lt;/em&gt;", "Jeanne Auteure",
		"autre (2)", "copie d&#39;un site commercial", fmt.Sprintf("Argument n° %d", a), "propos injurieux ou haineux (1)",
		fmt.Sprintf(`action="/moderation/contributions/%d/masquer"`, c), "Suspendre le compte")
	if i, j := strings.Index(body, fmt.Sprintf("Contribution n° %d", c)), strings.Index(body, fmt.Sprintf("Argument n° %d", a)); i > j {
		t.Error("the most reported item is not first")
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}

	// Hide: a motif is required, then the public reason is shown.
	resp, body = f.post(fmt.Sprintf("/moderation/contributions/%d/masquer", c), url.Values{"motif": {"autre"}})
	expect(t, "hide without precision", resp, body, 422, "précisez le motif")
	resp, _ = f.post(fmt.Sprintf("/moderation/contributions/%d/masquer", c), url.Values{"motif": {"spam"}, "precision": {"publicité"}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/moderation?fait=masque" {
		t.Fatalf("hide: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := f.text(`SELECT status || ' / ' || hidden_reason FROM contributions WHERE id = ?`, c); got != "hidden / spam (publicité)" {
		t.Errorf("after hide: %s", got)
	}
	if n := f.scalar(`SELECT count(*) FROM audit_log WHERE action = 'moderation.hide' AND actor_id = ? AND target = ?`, mod, fmt.Sprintf("contribution:%d", c)); n != 1 {
		t.Errorf("audit rows %d", n)
	}
	_, body = f.get("/moderation?fait=masque")
	expect(t, "queue after hide", resp, body, 303, "Le contenu est masqué", "1 contenu signalé")

	// The public log shows the reason, and moderators may restore from it.
	_, body = f.get("/moderation/journal")
	expect(t, "journal", resp, body, 303, "masquée par la modération : spam (publicité)", fmt.Sprintf(`action="/moderation/contributions/%d/retablir"`, c))
	// The author is told why.
	f.as(author)
	_, body = f.get("/compte/notifications")
	expect(t, "author notification", resp, body, 303, "Motif : spam (publicité)")

	// Restore from the public log.
	f.as(mod)
	resp, _ = f.post(fmt.Sprintf("/moderation/contributions/%d/retablir", c), url.Values{"depuis": {"journal"}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/moderation/journal?fait=retabli" {
		t.Fatalf("restore: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := f.text(`SELECT status FROM contributions WHERE id = ?`, c); got != "published" {
		t.Errorf("after restore: %s", got)
	}
	resp, body = f.post(fmt.Sprintf("/moderation/contributions/%d/retablir", c), nil)
	expect(t, "restore again", resp, body, 409, "rien à rétablir")
	_, body = f.get("/moderation/journal")
	if strings.Contains(body, fmt.Sprintf(`action="/moderation/contributions/%d/retablir"`, c)) {
		t.Error("the journal offers to restore a visible contribution")
	}

	// Dismiss the reports of the argument: it stays visible, leaves the queue.
	resp, _ = f.post(fmt.Sprintf("/moderation/arguments/%d/classer", a), nil)
	if resp.StatusCode != 303 {
		t.Fatalf("dismiss: %d", resp.StatusCode)
	}
	if n := f.scalar(`SELECT count(*) FROM reports WHERE resolved_at IS NULL`); n != 0 {
		t.Errorf("%d open reports after dismiss", n)
	}
	_, body = f.get("/moderation")
	expect(t, "empty queue", resp, body, 303, "Aucun contenu signalé")

	// Hide an argument.
	resp, _ = f.post(fmt.Sprintf("/moderation/arguments/%d/masquer", a), url.Values{"motif": {"injurieux"}})
	if resp.StatusCode != 303 || f.text(`SELECT status FROM arguments WHERE id = ?`, a) != "hidden" {
		t.Errorf("hide argument: %d", resp.StatusCode)
	}
	for _, p := range []string{"/moderation/contributions/999999/masquer", "/moderation/arguments/x/classer", "/moderation/comptes/999999/suspendre"} {
		resp, body := f.post(p, url.Values{"motif": {"spam"}, "duree": {"7"}})
		expect(t, p, resp, body, 404)
	}
}

func TestModerationBlock(t *testing.T) {
	f := newModFix(t)
	author := f.user("Auteur Bloqué")
	mod := f.user("Modérateur", "moderator")
	admin := f.user("Admin", "admin")
	c := f.contribution(author, "T")
	f.as(f.user("R"))
	f.post(fmt.Sprintf("/contributions/%d/signaler", c), url.Values{"raison": {"spam"}})

	f.as(mod)
	path := fmt.Sprintf("/moderation/comptes/%d/suspendre", author)
	resp, body := f.post(path, url.Values{"duree": {"7"}})
	expect(t, "block without reason", resp, body, 422, "motif de la suspension")
	resp, body = f.post(path, url.Values{"duree": {"12"}, "motif": {"spam"}})
	expect(t, "block with a wrong duration", resp, body, 422, "durée")
	before := time.Now()
	resp, _ = f.post(path, url.Values{"duree": {"7"}, "motif": {"publicités répétées"}})
	if resp.StatusCode != 303 {
		t.Fatalf("block: %d", resp.StatusCode)
	}
	var until time.Time
	if err := f.deps.DB.SQL().QueryRow(`SELECT blocked_until FROM users WHERE id = $1`, author).Scan(&until); err != nil {
		t.Fatal(err)
	}
	if d := until.Sub(before); d < 7*24*time.Hour-time.Minute || d > 7*24*time.Hour+time.Minute {
		t.Errorf("blocked for %v", d)
	}
	_, body = f.get("/moderation")
	expect(t, "queue shows the block", resp, body, 303, "compte suspendu jusqu'au", "Lever la suspension")
	if n := f.scalar(`SELECT count(*) FROM audit_log WHERE action = 'moderation.block' AND target = ?`, fmt.Sprintf("user:%d", author)); n != 1 {
		t.Errorf("audit rows %d", n)
	}
	// The blocked person is told and can no longer report.
	f.as(author)
	_, body = f.get("/compte/notifications")
	expect(t, "block notification", resp, body, 303, "publicités répétées", "suspendu")
	other := f.contribution(mod, "Autre")
	resp, body = f.post(fmt.Sprintf("/contributions/%d/signaler", other), url.Values{"raison": {"spam"}})
	expect(t, "blocked report", resp, body, 403)

	// Staff accounts cannot be blocked; the block can be lifted.
	f.as(mod)
	resp, body = f.post(fmt.Sprintf("/moderation/comptes/%d/suspendre", admin), url.Values{"duree": {"1"}, "motif": {"x"}})
	expect(t, "block an admin", resp, body, 403)
	resp, _ = f.post(fmt.Sprintf("/moderation/comptes/%d/lever-suspension", author), nil)
	if resp.StatusCode != 303 || f.text(`SELECT blocked_until::text FROM users WHERE id = ?`, author) != "<nil>" {
		t.Errorf("lift: %d", resp.StatusCode)
	}
}

func TestModerationJournalCSV(t *testing.T) {
	f := newModFix(t)
	mod := f.user("Modératrice", "moderator")
	author := f.user("Auteur")
	c1 := f.contribution(author, "Un")
	c2 := f.contribution(author, "Deux")
	f.as(mod)
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{fmt.Sprintf("/moderation/contributions/%d/masquer", c1), url.Values{"motif": {"autre"}, "precision": {`=HYPERLINK("http://x.example";"clic")`}}},
		{fmt.Sprintf("/moderation/contributions/%d/masquer", c2), url.Values{"motif": {"autre"}, "precision": {"@SUM(1,2), \"citation\"\nligne 2"}}},
		{fmt.Sprintf("/moderation/contributions/%d/retablir", c2), nil},
	} {
		if resp, body := f.post(step.path, step.form); resp.StatusCode != 303 {
			t.Fatalf("%s: %d %s", step.path, resp.StatusCode, excerpt(body))
		}
	}
	f.as(0)
	resp, body := f.get("/moderation/journal.csv")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("csv: %d %v", resp.StatusCode, resp.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, body)
	}
	if len(rows) != 4 || strings.Join(rows[0], "|") != "date|élément|numéro|décision|motif" {
		t.Fatalf("rows %q", rows)
	}
	// Newest first: the restoration, then the two hides.
	if rows[1][3] != "Rétablissement" || rows[1][2] != fmt.Sprint(c2) {
		t.Errorf("row 1 %q", rows[1])
	}
	if rows[2][4] != "'@SUM(1,2), \"citation\"\nligne 2" {
		t.Errorf("row 2 motif %q", rows[2][4])
	}
	if rows[3][4] != `'=HYPERLINK("http://x.example";"clic")` || rows[3][1] != "Contribution" {
		t.Errorf("row 3 %q", rows[3])
	}
	if _, err := time.Parse(time.RFC3339, rows[3][0]); err != nil {
		t.Errorf("date %q: %v", rows[3][0], err)
	}
	if strings.Contains(body, "Auteur") || strings.Contains(body, "Modératrice") || strings.Contains(body, "@example.org") {
		t.Error("the CSV holds personal data")
	}
	if !strings.HasSuffix(body, "\r\n") {
		t.Error("RFC 4180 wants CRLF line ends")
	}
}

func TestNeutralizeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+33": "'+33", "-2": "'-2", "@a": "'@a", "\tx": "'\tx", "\rx": "'\rx",
		"": "", "spam": "spam", "a=b": "a=b", " =x": " =x",
	} {
		if got := neutralizeCell(in); got != want {
			t.Errorf("neutralizeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestModerationJournalPagination(t *testing.T) {
	f := newModFix(t)
	for i := 0; i < journalPageSize+3; i++ {
		f.exec(`INSERT INTO moderation_log (item_kind, item_id, decision, reason) VALUES ('contribution', ?, 'hidden', 'spam')`, 1000+i)
	}
	_, body := f.get("/moderation/journal")
	if !strings.Contains(body, "Page 1 sur 2") || !strings.Contains(body, `href="/moderation/journal?page=2"`) {
		t.Errorf("page 1 lacks pagination\n%s", excerpt(body))
	}
	resp, body := f.get("/moderation/journal?page=2")
	expect(t, "page 2", resp, body, 200, "Contribution n° 1000", "(supprimé)")
	for _, p := range []string{"-1", "abc", "99999999999999999999", "1%27%20OR%201=1"} {
		resp, _ := f.get("/moderation/journal?page=" + p)
		if resp.StatusCode != 200 {
			t.Errorf("page=%s: %d", p, resp.StatusCode)
		}
	}
}
