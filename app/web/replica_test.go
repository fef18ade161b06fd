package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/seeds"
	"github.com/gofiber/fiber/v2"
)

// readProbe is a test route that reads the supports of a contribution the
// way the list, search and statistics pages will (db.Read), and says which
// server answered.
func readProbe(s *Server) route {
	return route{fiber.MethodGet, "/test/lecture/:id", func(c *fiber.Ctx) error {
		var row struct {
			Replica  bool
			Supports int
		}
		err := s.DB.Read(c.UserContext()).Raw(`SELECT pg_is_in_recovery() AS replica,
	coalesce((SELECT supports FROM contribution_counters WHERE contribution_id = ?), 0) AS supports`, c.Params("id")).Scan(&row).Error
		if err != nil {
			return err
		}
		return c.SendString(fmt.Sprintf("replica=%v soutiens=%d", row.Replica, row.Supports))
	}}
}

// TestSupportIsExactForItsAuthorWithAReplica runs the platform with a real
// streaming replica whose replay is paused, so that it is behind: after a
// support through the real handler, the supporter's requests carry the
// short-lived cookie and read from the primary (the support is there, and
// the contribution page counts it), while another visitor reads the stale
// replica until replay resumes.
func TestSupportIsExactForItsAuthorWithAReplica(t *testing.T) {
	ctx := context.Background()
	d := dbtest.NewWithReplica(t, func(d *db.DB) error { return seed.Reference(ctx, d, seeds.FS) })
	withProbe := func(a *testApp) *testApp {
		app, err := build(a.deps, []route{readProbe(&Server{Deps: a.deps})})
		if err != nil {
			t.Fatal(err)
		}
		a.app = app
		return a
	}
	author := withProbe(newTestAppOn(t, d, nil))
	u := author.newUser("autrice@exemple.fr", "Awa Autrice")
	author.signIn(u.ID)
	prop := author.propose(url.Values{"entree": {"libres"}, "axe": {"gouvernance-finances-modeles-economiques"},
		"titre": {"Des bus numériques dans chaque canton"}, "texte": {"Texte"}})
	id := strings.TrimPrefix(prop, "/contributions/")
	supporter := withProbe(newTestAppOn(t, d, nil))
	s := supporter.newUser("lea@exemple.fr", "Léa Soutien")
	supporter.signIn(s.ID)
	visitor := withProbe(newTestAppOn(t, d, nil))

	probe := func(a *testApp) string {
		t.Helper()
		resp, body := a.get("/test/lecture/" + id)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("probe: %d %s", resp.StatusCode, body)
		}
		return body
	}
	deadline := time.Now().Add(time.Minute)
	for probe(visitor) != "replica=true soutiens=0" || d.CheckReplica(ctx).LagBytes > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the replica never caught up: %s", probe(visitor))
		}
		time.Sleep(20 * time.Millisecond)
	}
	replica := d.ReadSQL(ctx)
	if _, err := replica.ExecContext(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	resumed := false
	defer func() {
		if !resumed {
			_, _ = replica.ExecContext(ctx, `SELECT pg_wal_replay_resume()`)
		}
	}()

	resp, _ := supporter.post(prop+"/soutenir", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("support: %d", resp.StatusCode)
	}
	cookie := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"ecrit=1", "max-age=10", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(strings.ToLower(cookie), strings.ToLower(want)) {
			t.Errorf("recent-write cookie %q lacks %q", cookie, want)
		}
	}
	if got := probe(supporter); got != "replica=false soutiens=1" {
		t.Errorf("the supporter reads %q, want the primary with the support", got)
	}
	_, body := supporter.get(prop)
	mustContain(t, body, "<strong>1</strong> soutien", "Retirer mon soutien")
	if got := probe(visitor); got != "replica=true soutiens=0" {
		t.Errorf("a visitor reads %q, want the paused replica", got)
	}
	// The lists read the replica, except for the person who has just acted:
	// sorted by supports, the supporter sees their support, a visitor the
	// replica's state.
	_, body = supporter.get("/contributions?tri=soutiens")
	mustContain(t, body, "<strong>1</strong> soutien<")
	_, body = visitor.get("/contributions?tri=soutiens")
	mustContain(t, body, "<strong>0</strong> soutien<")
	if resp, _ := visitor.get("/contributions/" + id); strings.Contains(resp.Header.Get("Set-Cookie"), "ecrit=") {
		t.Error("a page view set the recent-write cookie")
	}
	if resp, _ := supporter.post("/contributions/999999/soutenir", nil); resp.StatusCode < 400 || strings.Contains(resp.Header.Get("Set-Cookie"), "ecrit=") {
		t.Errorf("a failed write (%d) set the recent-write cookie", resp.StatusCode)
	}

	if _, err := replica.ExecContext(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	resumed = true
	for probe(visitor) != "replica=true soutiens=1" {
		if time.Now().After(deadline) {
			t.Fatalf("the replica never replayed the support: %s", probe(visitor))
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, body = visitor.get("/readyz")
	if resp.StatusCode != http.StatusOK || !regexp.MustCompile(`^ok\nréplique : en service, retard [0-9.]+ s \(\d+ octets\)$`).MatchString(body) {
		t.Errorf("readyz with a replica: %d %q", resp.StatusCode, body)
	}
}

// TestStoredPagesRenderFromThePrimary pauses a real replica's replay, makes a
// change on the primary and renders the pages: the renderer must read the
// primary, or it would store the replica's older page under the primary's
// new version, as current.
func TestStoredPagesRenderFromThePrimary(t *testing.T) {
	ctx := context.Background()
	d := dbtest.NewWithReplica(t, func(d *db.DB) error { return seed.Reference(ctx, d, seeds.FS) })
	f := newPagesFixtureOn(t, newTestAppOn(t, d, nil))
	lea := f.actor("Léa", 0)
	id := f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, Title: "Un numéro d'aide gratuit", Body: "Un numéro unique."})
	if n, err := f.s.RenderPages(ctx, 1); err != nil || n != 1 {
		t.Fatalf("first rendering: %d pages (%v)", n, err)
	}
	deadline := time.Now().Add(time.Minute)
	for d.CheckReplica(ctx).LagBytes > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the replica never caught up")
		}
		time.Sleep(20 * time.Millisecond)
	}
	replica := d.ReadSQL(ctx)
	if _, err := replica.ExecContext(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = replica.ExecContext(ctx, `SELECT pg_wal_replay_resume()`) }()
	f.exec(`UPDATE contributions SET title = 'Un numéro d''aide gratuit et humain' WHERE id = ?`, id)
	if _, err := f.s.RenderPages(ctx, 1); err != nil {
		t.Fatal(err)
	}
	primary := db.WithPrimary(ctx)
	p, err := f.s.anonymousPage(primary)
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := f.s.storedMainHTML(primary, p, id)
	if err != nil || !ok || !strings.Contains(string(got.HTML), "et humain") {
		t.Errorf("the primary's stored page is not the page after the change (%v, %v):\n%s", ok, err, got.HTML)
	}
}
