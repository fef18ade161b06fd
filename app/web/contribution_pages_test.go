package web

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/answer"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/query"
	"github.com/cnr-numerique/concertation/app/seed/synthetic"
	"github.com/cnr-numerique/concertation/search"
)

// pagesFixture is a server whose stored pages are compared with the pages
// rendered afresh, on a few contributions of every kind.
type pagesFixture struct {
	t      *testing.T
	ctx    context.Context
	a      *testApp
	s      *Server
	ids    []int64
	actors map[int64]contribution.Actor // by contribution's author
}

func newPagesFixture(t *testing.T) *pagesFixture {
	t.Helper()
	return newPagesFixtureOn(t, newTestApp(t, nil))
}

func newPagesFixtureOn(t *testing.T, a *testApp) *pagesFixture {
	t.Helper()
	d := a.deps
	d.Contributions = contribution.NewStore(d.DB)
	d.Query = query.New(d.DB, d.Contributions, search.NewPostgres(d.DB.SQL()))
	s, err := newServer(d)
	if err != nil {
		t.Fatal(err)
	}
	a.app, a.deps = s.app(nil), s.Deps // the visits go through s
	return &pagesFixture{t: t, ctx: context.Background(), a: a, s: s, actors: map[int64]contribution.Actor{}}
}

// actor creates an account and returns it as an actor (member of hub when
// hub is not zero).
func (f *pagesFixture) actor(name string, hub int64) contribution.Actor {
	f.t.Helper()
	u := f.a.newUser(strings.ToLower(name)+"@exemple.fr", name)
	act := contribution.Actor{UserID: u.ID, Category: *u.Category, DepartementID: u.DepartementID}
	if hub != 0 {
		act.HubIDs = []int64{hub}
	}
	return act
}

// pageKey returns the page of an anonymous visitor and the stored pages' key.
func (f *pagesFixture) pageKey() (Page, string) {
	f.t.Helper()
	p, err := f.s.anonymousPage(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	key, err := f.s.pageKey(f.ctx, p)
	if err != nil {
		f.t.Fatal(err)
	}
	return p, key
}

// proposal creates a Hub proposal by member, argued by arguer and answered.
func (f *pagesFixture) proposal(member, arguer contribution.Actor, hubID int64, title, argument, answered string) int64 {
	f.t.Helper()
	id := f.create(member, contribution.Draft{Entry: contribution.EntryHubs, HubID: hubID,
		Title: title, Body: "Ouvrir des lieux.\n\nAvec <des> médiateurs."})
	if p, err := f.s.Contributions.AddArgument(f.ctx, arguer, id, contribution.ArgumentDraft{Stance: "pour", Body: argument}); err != nil || len(p) > 0 {
		f.t.Fatal(p, err)
	}
	if err := f.s.Answers.Set(f.ctx, id, member.UserID, answer.State("retenue"), answered); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// hub returns the id of a Hub of the reference data.
func (f *pagesFixture) hub() int64 {
	f.t.Helper()
	var id int64
	if err := f.s.DB.Conn(f.ctx).Raw(`SELECT id FROM hubs ORDER BY id LIMIT 1`).Scan(&id).Error; err != nil || id == 0 {
		f.t.Fatalf("hub: %v", err)
	}
	return id
}

func (f *pagesFixture) create(act contribution.Actor, d contribution.Draft) int64 {
	f.t.Helper()
	cons, err := f.s.Contributions.CachedConsultation(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	if d.AxisID == 0 {
		d.AxisID = cons.Axes[len(f.ids)%len(cons.Axes)].ID
	}
	id, problems, err := f.s.Contributions.Create(f.ctx, act, cons.ID, d)
	if err != nil || len(problems) > 0 {
		f.t.Fatalf("create %q: %v %v", d.Title, problems, err)
	}
	f.ids = append(f.ids, id)
	f.actors[id] = act
	return id
}

// check compares, for every contribution, the stored page when there is one
// to serve with the page rendered afresh, and returns how many were served
// from the store.
func (f *pagesFixture) check(step string) int {
	f.t.Helper()
	p, err := f.s.anonymousPage(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	stored := 0
	for _, id := range f.ids {
		got, ok, err := f.s.storedMainHTML(f.ctx, p, id)
		if err != nil {
			f.t.Fatalf("%s: stored page %d: %v", step, id, err)
		}
		data, err := f.s.showData(f.ctx, nil, p, id, pagePath(id))
		if err != nil {
			f.t.Fatalf("%s: page %d: %v", step, id, err)
		}
		want, err := f.s.renderMain(&data)
		if err != nil {
			f.t.Fatal(err)
		}
		if !ok {
			continue
		}
		stored++
		if got != want {
			f.t.Errorf("%s: stored page %d differs from the page rendered now:\n%s", step, id, firstDifference(string(got.HTML), string(want.HTML)))
		}
	}
	return stored
}

// render renders the stale pages, as the renderer does, and checks that
// every page is then served from the store.
func (f *pagesFixture) render(step string) {
	f.t.Helper()
	if _, err := f.s.RenderPages(f.ctx, 2); err != nil {
		f.t.Fatalf("%s: render: %v", step, err)
	}
	if n := f.check(step + " (rendered)"); n != len(f.ids) {
		f.t.Errorf("%s: %d of %d pages served from the store after rendering", step, n, len(f.ids))
	}
}

// renderStale checks that n pages are to render with key (stale, or rendered
// with another key), and renders the i-th as the renderer would, unsaved.
func (f *pagesFixture) renderStale(p Page, key string, n, i int) ([]contribution.PageVersion, contribution.StoredPage) {
	f.t.Helper()
	stale, err := f.s.Contributions.StalePages(f.ctx, key, 0, true, 10)
	if err != nil || len(stale) != n {
		f.t.Fatalf("pages to render: %v (%v), want %d", stale, err, n)
	}
	page, err := f.s.renderStored(f.ctx, p, stale[i])
	if err != nil {
		f.t.Fatal(err)
	}
	return stale, page
}

// claim claims the pages for key, as a pass of a renderer started now does.
func (f *pagesFixture) claim(key string) {
	f.t.Helper()
	if err := f.s.Contributions.ClaimPages(f.ctx, key, time.Now()); err != nil {
		f.t.Fatal(err)
	}
}

func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(i-80, 0)
	return fmt.Sprintf("stored: …%s…\nnow:    …%s…", a[from:min(i+80, len(a))], b[from:min(i+80, len(b))])
}

func (f *pagesFixture) exec(sql string, args ...any) {
	f.t.Helper()
	if err := f.s.DB.Conn(f.ctx).Exec(sql, args...).Error; err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

// TestStoredPagesFollowEveryChange makes every kind of change that a
// contribution page shows, and after each checks that no stored page that
// would be served differs from the page rendered afresh (the change marked
// it stale in its own transaction), then renders the stale ones and checks
// again that every page is served from the store, and right.
func TestStoredPagesFollowEveryChange(t *testing.T) {
	f := newPagesFixture(t)
	ctx := f.ctx
	hubID := f.hub()
	lea, jo, hubMember := f.actor("Léa", 0), f.actor("Jo", 0), f.actor("Membre", hubID)
	proposal := f.create(hubMember, contribution.Draft{Entry: contribution.EntryHubs, HubID: hubID,
		Title: "Des lieux de médiation dans chaque canton", Body: "Ouvrir des lieux d'accueil.\n\nAvec des médiateurs."})
	free := f.create(lea, contribution.Draft{Entry: contribution.EntryLibres,
		Title: "Former les agents d'accueil", Body: "Les agents doivent savoir <aider> & orienter."})
	reaction := f.create(jo, contribution.Draft{Entry: contribution.EntryLibres, ReactsToID: proposal, ReactionType: "complete",
		Title: "Et dans les bibliothèques", Body: "Les bibliothèques sont déjà des lieux d'accueil."})
	other := f.create(jo, contribution.Draft{Entry: contribution.EntryLibres,
		Title: "Un numéro d'aide gratuit", Body: "Un numéro unique, gratuit, avec des humains."})

	if n := f.check("before rendering"); n != 0 {
		t.Fatalf("%d pages served from the store before any rendering", n)
	}
	f.render("first rendering")

	steps := []pageStep{
		{"support", func() {
			if _, err := f.s.Contributions.Support(ctx, lea, other); err != nil {
				t.Fatal(err)
			}
		}},
		{"argument", func() {
			if p, err := f.s.Contributions.AddArgument(ctx, lea, proposal, contribution.ArgumentDraft{Stance: "pour", Body: "Oui, & vite."}); err != nil || len(p) > 0 {
				t.Fatal(p, err)
			}
		}},
		{"reply", func() {
			args, err := f.s.Contributions.Arguments(ctx, proposal)
			if err != nil || len(args) == 0 {
				t.Fatal(args, err)
			}
			if p, err := f.s.Contributions.AddArgument(ctx, jo, proposal, contribution.ArgumentDraft{ParentID: args[0].ID, Stance: "contre", Body: "Pas partout."}); err != nil || len(p) > 0 {
				t.Fatal(p, err)
			}
		}},
		{"argument hidden", func() {
			args, err := f.s.Contributions.Arguments(ctx, proposal)
			if err != nil || len(args) == 0 {
				t.Fatal(args, err)
			}
			reason := "Hors sujet"
			if err := f.s.Contributions.ModerateArgument(ctx, args[0].ID, contribution.StatusHidden, &reason); err != nil {
				t.Fatal(err)
			}
		}},
		{"edit", func() {
			v, err := f.s.Contributions.Get(ctx, free)
			if err != nil {
				t.Fatal(err)
			}
			if p, err := f.s.Contributions.Update(ctx, lea, free, contribution.Draft{Entry: contribution.EntryLibres, AxisID: v.AxisID,
				Title: "Former tous les agents d'accueil", Body: "Texte modifié."}); err != nil || len(p) > 0 {
				t.Fatal(p, err)
			}
		}},
		{"proposal renamed (the reaction names it)", func() {
			f.exec(`UPDATE contributions SET title = 'Des lieux de médiation partout' WHERE id = ?`, proposal)
		}},
		{"reaction hidden", func() {
			reason := "Propos injurieux"
			if err := f.s.Contributions.Moderate(ctx, reaction, contribution.StatusHidden, &reason); err != nil {
				t.Fatal(err)
			}
		}},
		{"reaction restored", func() {
			if err := f.s.Contributions.Moderate(ctx, reaction, contribution.StatusPublished, nil); err != nil {
				t.Fatal(err)
			}
		}},
		{"official answer", func() {
			if err := f.s.Answers.Set(ctx, proposal, hubMember.UserID, answer.State("retenue"), "Nous retenons cette idée."); err != nil {
				t.Fatal(err)
			}
		}},
		{"official answer changed", func() {
			if err := f.s.Answers.Set(ctx, proposal, hubMember.UserID, answer.State("partielle"), "En partie."); err != nil {
				t.Fatal(err)
			}
		}},
		{"author renamed", func() { f.exec(`UPDATE users SET display_name = 'Joséphine' WHERE id = ?`, jo.UserID) }},
		{"new reaction", func() {
			f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, ReactsToID: proposal, ReactionType: "soutient",
				Title: "Oui, dans les mairies", Body: "Les mairies aussi."})
		}},
		{"withdrawn", func() {
			if err := f.s.Contributions.Withdraw(ctx, lea, free); err != nil {
				t.Fatal(err)
			}
		}},
		{"account deleted, contributions kept anonymous", func() {
			if err := f.a.deps.Accounts.Delete(ctx, jo.UserID, true, f.s.Contributions); err != nil {
				t.Fatal(err)
			}
		}},
		{"account deleted with its contributions", func() {
			if err := f.a.deps.Accounts.Delete(ctx, lea.UserID, false, f.s.Contributions); err != nil {
				t.Fatal(err)
			}
			var left []int64
			for _, id := range f.ids {
				if _, err := f.s.Contributions.Get(ctx, id); err == nil {
					left = append(left, id)
				}
			}
			f.ids = left
		}},
	}
	f.steps(steps)
}

type pageStep struct {
	name   string
	change func()
}

// steps makes each change, then checks the stored pages (f.check): none
// served may differ from the page rendered afresh, and the change must have
// made one stale (but a support, whose count is written at each visit);
// then renders them again and checks that every page is served, and right.
func (f *pagesFixture) steps(steps []pageStep) {
	f.t.Helper()
	for _, st := range steps {
		before := f.check(st.name + " (before)")
		st.change()
		after := f.check(st.name)
		if after >= before && st.name != "support" {
			f.t.Errorf("%s: %d pages served from the store before, %d after: the change marked none stale", st.name, before, after)
		}
		if st.name == "support" && after != before {
			f.t.Errorf("support: %d pages served from the store before, %d after: the count is written at each visit", before, after)
		}
		f.render(st.name)
	}
}

// TestStoredPagesFollowAssistedContributions checks the pages of a
// contribution written with a médiateur: the person's label shows until
// they claim it, then their account's name.
func TestStoredPagesFollowAssistedContributions(t *testing.T) {
	f := newPagesFixture(t)
	ctx := f.ctx
	mediator, claimer := f.actor("Médiatrice", 0), f.actor("Camille", 0)
	var person int64
	if err := f.s.DB.Conn(ctx).Raw(`INSERT INTO mediation_people (mediator_id, label, author_category, departement_id,
		consent_version, consent_at, consent_by) VALUES (?, 'Dominique', 'citoyen', ?, 'v1', now(), ?) RETURNING id`,
		mediator.UserID, *mediator.DepartementID, mediator.UserID).Scan(&person).Error; err != nil || person == 0 {
		t.Fatalf("person: %v", err)
	}
	cons, err := f.s.Contributions.CachedConsultation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hash := []byte("code de réclamation de test, haché")
	id, problems, err := f.s.Contributions.CreateAssisted(ctx, contribution.AssistedPerson{ID: person, MediatorID: mediator.UserID,
		Category: "citoyen", DepartementID: *mediator.DepartementID}, cons.ID,
		contribution.Draft{AxisID: cons.Axes[0].ID, Title: "Un accueil sans rendez-vous", Body: "Pouvoir venir sans rendez-vous."},
		hash, time.Now().Add(time.Hour))
	if err != nil || len(problems) > 0 {
		t.Fatalf("assisted: %v %v", problems, err)
	}
	f.ids = append(f.ids, id)
	f.render("first rendering")
	f.steps([]pageStep{
		{"label changed", func() { f.exec(`UPDATE mediation_people SET label = 'Dom' WHERE id = ?`, person) }},
		{"claimed", func() {
			if _, err := f.s.Contributions.Claim(ctx, hash, claimer.UserID); err != nil {
				t.Fatal(err)
			}
		}},
	})
	p, err := f.s.anonymousPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := f.s.storedMainHTML(ctx, p, id); err != nil || !ok || !strings.Contains(string(got.HTML), "Camille") {
		t.Errorf("the claimed contribution's stored page does not name its author (%v, %v):\n%s", ok, err, got.HTML)
	}
}

// TestStoredPagesKey checks that a page rendered with another key (the
// consultation's phase, its axes, the reference data) is not served, and
// that the renderer renders it again.
func TestStoredPagesKey(t *testing.T) {
	f := newPagesFixture(t)
	lea := f.actor("Léa", 0)
	id := f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, Title: "Un numéro d'aide gratuit", Body: "Un numéro unique."})
	f.render("first rendering")
	f.exec(`UPDATE territories SET name = name || ' (nouveau nom)' WHERE kind = 'departement' AND code = '29'`)
	f.s.Contributions.ForgetRefs()
	p, err := f.s.anonymousPage(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := f.s.storedMainHTML(f.ctx, p, id); err != nil || ok {
		t.Fatalf("a page rendered before the reference data changed is served (%v, %v)", ok, err)
	}
	f.render("after the reference data changed")
	if got, _, _ := f.s.storedMainHTML(f.ctx, p, id); !strings.Contains(string(got.HTML), "(nouveau nom)") {
		t.Errorf("the page rendered again does not name the territory anew:\n%s", got.HTML)
	}
}

// TestStoredPagesRandomWrites runs random writes of every kind from several
// goroutines while the renderer renders, then checks every page.
func TestStoredPagesRandomWrites(t *testing.T) {
	f := newPagesFixture(t)
	ctx := f.ctx
	var actors []contribution.Actor
	for i := range 6 {
		actors = append(actors, f.actor(fmt.Sprintf("Personne%d", i), 0))
	}
	for i := range 12 {
		f.create(actors[i%len(actors)], contribution.Draft{Entry: contribution.EntryLibres,
			Title: fmt.Sprintf("Proposition numéro %d", i), Body: "Un texte assez long pour être une proposition."})
	}
	f.render("first rendering")
	renderCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); f.s.RunPageRenderer(renderCtx, 10*time.Millisecond) }()
	errs := make(chan error, 4)
	for w := range 4 {
		go func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			var err error
			for range 40 {
				id := f.ids[r.IntN(len(f.ids))]
				act := actors[r.IntN(len(actors))]
				switch r.IntN(5) {
				case 0:
					_, err = f.s.Contributions.Support(ctx, act, id)
				case 1:
					_, err = f.s.Contributions.AddArgument(ctx, act, id, contribution.ArgumentDraft{Stance: "neutre", Body: fmt.Sprintf("Argument %d", r.IntN(1000))})
				case 2:
					err = f.s.DB.Conn(ctx).Exec(`UPDATE users SET display_name = ? WHERE id = ?`, fmt.Sprintf("Nom%d", r.IntN(1000)), act.UserID).Error
				case 3:
					reason := "Hors sujet"
					err = f.s.Contributions.Moderate(ctx, id, contribution.StatusHidden, &reason)
				case 4:
					err = f.s.Contributions.Moderate(ctx, id, contribution.StatusPublished, nil)
				}
				if err != nil && !db.IsDeadlock(err) && !errors.Is(err, contribution.ErrNotAllowed) &&
					!errors.Is(err, contribution.ErrNotPublished) && !errors.Is(err, contribution.ErrNotFound) && !errors.Is(err, contribution.ErrOwn) {
					break
				}
				err = nil
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	stop()
	<-done
	f.check("after the random writes")
	f.render("after the random writes")
}

// TestStoredPageServed checks that an anonymous visit of a rendered page
// reads one statement, and the page it gets.
func TestStoredPageServed(t *testing.T) {
	f := newPagesFixture(t)
	lea := f.actor("Léa", 0)
	first := f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, Title: "Un numéro d'aide gratuit", Body: "Un numéro unique."})
	second := f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, Title: "Des ateliers dans les gares", Body: "Le samedi & le dimanche."})
	if resp, _ := f.a.get(pagePath(first)); resp.StatusCode != 200 { // reads what pages keep (consultation, reference data)
		t.Fatalf("first page: %d", resp.StatusCode)
	}
	f.render("rendering")
	before := db.Statements()
	resp, body := f.a.get(pagePath(second))
	if n := db.Statements() - before; n != 1 {
		t.Errorf("a stored page took %d statements, want 1", n)
	}
	if resp.StatusCode != 200 || !strings.Contains(body, "<h1>Des ateliers dans les gares</h1>") ||
		!strings.Contains(body, "Le samedi &amp; le dimanche.") || !strings.Contains(body, "<strong>0</strong> soutien") {
		t.Errorf("stored page: %d\n%s", resp.StatusCode, body)
	}
}

// TestStoredPagesAfterSyntheticLoad checks that the synthetic load, which
// turns the pages' triggers off for speed, leaves every page to render, and
// that Pages.RenderAll (what `seed` runs after it) renders them right.
func TestStoredPagesAfterSyntheticLoad(t *testing.T) {
	f := newPagesFixture(t)
	ctx := f.ctx
	if _, err := synthetic.Load(ctx, f.s.DB, synthetic.Options{Contributions: 300, Supports: 3000, Users: 200, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	var missing int
	if err := f.s.DB.Conn(ctx).Raw(`SELECT count(*) FROM contributions c LEFT JOIN contribution_pages p ON p.contribution_id = c.id
		WHERE p.contribution_id IS NULL OR p.rendered = p.version`).Scan(&missing).Error; err != nil || missing != 0 {
		t.Fatalf("%d contributions without a page to render after the load (%v)", missing, err)
	}
	pages, err := NewPages(f.a.deps)
	if err != nil {
		t.Fatal(err)
	}
	n, err := pages.RenderAll(ctx, 4)
	if err != nil || n != 300 {
		t.Fatalf("rendered %d pages (%v), want 300", n, err)
	}
	if err := f.s.DB.Conn(ctx).Raw(`SELECT id FROM contributions ORDER BY id`).Scan(&f.ids).Error; err != nil {
		t.Fatal(err)
	}
	if got := f.check("after the load"); got != len(f.ids) {
		t.Errorf("%d of %d pages served from the store", got, len(f.ids))
	}
}

// TestStoredPageCountFromTheListingCopy checks that once the copy of the
// listing is read, a stored page takes its count of supports from it, and
// that the count follows a support within the copy's poll.
func TestStoredPageCountFromTheListingCopy(t *testing.T) {
	f := newPagesFixture(t)
	lea, jo := f.actor("Léa", 0), f.actor("Jo", 0)
	id := f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, Title: "Un numéro d'aide gratuit", Body: "Un numéro unique."})
	f.render("rendering")
	if err := f.s.Query.WarmLists(f.ctx); err != nil {
		t.Fatal(err)
	}
	if n, ok := f.s.Query.Supports(f.ctx, id); !ok || n != 0 {
		t.Fatalf("copy of the listing: %d supports (%v), want 0", n, ok)
	}
	if _, err := f.s.Contributions.Support(f.ctx, jo, id); err != nil {
		t.Fatal(err)
	}
	p, err := f.s.anonymousPage(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, ok := f.s.Query.Supports(f.ctx, id)
		got, stored, err := f.s.storedMainHTML(f.ctx, p, id)
		if err != nil || !stored {
			t.Fatalf("stored page: %v %v", stored, err)
		}
		if ok && n == 1 {
			if !strings.Contains(string(got.HTML), "<strong>1</strong> soutien<") {
				t.Fatalf("the page does not show the count of the copy:\n%s", got.HTML)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the copy of the listing still counts %d supports (%v)", n, ok)
		}
		time.Sleep(50 * time.Millisecond)
	}
	f.check("after the support")
}

// TestStoredPageAnswers compares the answers of stored pages with the pages
// rendered afresh, byte for byte: uncompressed (the parts inflated), and
// compressed from their parts (decompressed by the standard library, which
// checks the CRC-32 and the size), with the same ETag, and a 304 for it.
func TestStoredPageAnswers(t *testing.T) {
	f := newPagesFixture(t)
	ctx := f.ctx
	hubID := f.hub()
	lea, jo, member := f.actor("Léa", 0), f.actor("Jo", 0), f.actor("Membre", hubID)
	proposal := f.proposal(member, jo, hubID, "Des lieux « ouverts » & accessibles", "Oui.", "Retenue.")
	free := f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, Title: "Former les agents", Body: "Former."})
	f.create(jo, contribution.Draft{Entry: contribution.EntryLibres, ReactsToID: proposal, ReactionType: "nuance",
		Title: "Pas partout", Body: "Dans les villes seulement."})
	hidden := f.create(jo, contribution.Draft{Entry: contribution.EntryLibres, Title: "À masquer", Body: "Texte."})
	withdrawn := f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, Title: "À retirer", Body: "Texte."})
	if _, err := f.s.Contributions.Support(ctx, jo, free); err != nil {
		t.Fatal(err)
	}
	reason := "Hors sujet"
	if err := f.s.Contributions.Moderate(ctx, hidden, contribution.StatusHidden, &reason); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Contributions.Withdraw(ctx, lea, withdrawn); err != nil {
		t.Fatal(err)
	}
	get := func(id int64, header ...string) (*http.Response, string) {
		t.Helper()
		f.s.Contributions.Invalidate() // no page kept from the visit before
		req := httptest.NewRequest(http.MethodGet, pagePath(id), nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp := f.a.do(req)
		return resp, readBody(t, resp)
	}
	f.a.get("/") // the visitor's form token
	live := map[int64]string{}
	for _, id := range f.ids {
		resp, body := get(id)
		if resp.StatusCode != 200 {
			t.Fatalf("page %d: %d", id, resp.StatusCode)
		}
		live[id] = body
	}
	f.render("rendering")
	for _, id := range f.ids {
		before := db.Statements()
		resp, body := get(id)
		if n := db.Statements() - before; n != 1 {
			t.Errorf("page %d: %d statements, want 1 (the stored page)", id, n)
		}
		if body != live[id] {
			t.Errorf("page %d uncompressed differs from the page rendered afresh:\n%s", id, firstDifference(body, live[id]))
		}
		etag := resp.Header.Get("ETag")
		resp, gz := get(id, "Accept-Encoding", "gzip, deflate, br")
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("ETag") != etag || etag == "" ||
			!strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("page %d compressed: headers %v, ETag uncompressed %q", id, resp.Header, etag)
		}
		p, err := f.s.anonymousPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st, ok, err := f.s.storedMain(ctx, p, id)
		if err != nil || !ok {
			t.Fatalf("page %d not stored (%v)", id, err)
		}
		if part := st.page.Main[:max(st.page.Cut, 0)]; st.page.Cut < 0 || !strings.Contains(gz, string(part)) {
			if !strings.Contains(gz, string(st.page.Main)) {
				t.Errorf("page %d: the answer does not hold the stored page's compressed part", id)
			}
		}
		zr, err := gzip.NewReader(strings.NewReader(gz))
		if err != nil {
			t.Fatalf("page %d: %v", id, err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("page %d: %v", id, err)
		}
		if string(plain) != live[id] {
			t.Errorf("page %d compressed differs from the page rendered afresh:\n%s", id, firstDifference(string(plain), live[id]))
		}
		if resp, _ := get(id, "Accept-Encoding", "gzip", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
			t.Errorf("page %d with its ETag: %d, want 304", id, resp.StatusCode)
		}
	}
}

// TestStoredPageSaveLosesToAChange renders a page, changes the contribution
// before the page is saved, and checks that the save stores nothing: the
// page rendered before the change is never served.
func TestStoredPageSaveLosesToAChange(t *testing.T) {
	f := newPagesFixture(t)
	ctx := f.ctx
	lea := f.actor("Léa", 0)
	id := f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, Title: "Un numéro d'aide gratuit", Body: "Un numéro unique."})
	p, key := f.pageKey()
	stale, page := f.renderStale(p, key, 1, 0)
	if stale[0].ID != id {
		t.Fatalf("pages to render: %v, want %d", stale, id)
	}
	f.claim(key)
	reason := "Hors sujet"
	if err := f.s.Contributions.Moderate(ctx, id, contribution.StatusHidden, &reason); err != nil {
		t.Fatal(err)
	}
	if n, err := f.s.Contributions.SavePages(ctx, key, []contribution.StoredPage{page}); err != nil || n != 0 {
		t.Fatalf("a page rendered before a change was saved after it: %d (%v)", n, err)
	}
	if _, ok, err := f.s.storedMainHTML(ctx, p, id); err != nil || ok {
		t.Fatalf("a page rendered before a change is served (%v, %v)", ok, err)
	}
	f.render("after the change")
}

// TestStoredPagesRenderPastAFailure checks that a page that fails to render
// leaves the others rendered, stays stale (its visits render it afresh) and
// is rendered once it can be.
func TestStoredPagesRenderPastAFailure(t *testing.T) {
	f := newPagesFixture(t)
	lea := f.actor("Léa", 0)
	for i := range 3 {
		f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, Title: fmt.Sprintf("Proposition numéro %d", i), Body: "Un texte."})
	}
	bad := f.ids[1]
	renderFault = func(id int64) error {
		if id == bad {
			return errors.New("panne simulée")
		}
		return nil
	}
	n, err := f.s.RenderPages(f.ctx, 2)
	renderFault = nil
	if err != nil || n != 2 {
		t.Fatalf("rendered %d pages (%v), want the 2 that did not fail", n, err)
	}
	p, err := f.s.anonymousPage(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := f.s.storedMainHTML(f.ctx, p, bad); err != nil || ok {
		t.Fatalf("the page that failed is served from the store (%v, %v)", ok, err)
	}
	if got := f.check("after the failure"); got != 2 {
		t.Errorf("%d pages served from the store, want 2", got)
	}
	f.render("once it can be")
}

// TestStoredPageFailureRetriedLater checks that the renderer of serve tries a
// page that keeps failing again after a delay that doubles (not at every
// round), at once when the page changes, and that a batch whose every page
// fails stops the round.
func TestStoredPageFailureRetriedLater(t *testing.T) {
	f := newPagesFixture(t)
	ctx := db.WithPrimary(f.ctx)
	lea := f.actor("Léa", 0)
	for i := range 3 {
		f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, Title: fmt.Sprintf("Proposition numéro %d", i), Body: "Un texte."})
	}
	f.render("rendering")
	bad, good := f.ids[1], f.ids[2]
	attempts := 0
	renderFault = func(id int64) error {
		if id == bad {
			attempts++
			return errors.New("panne simulée")
		}
		return nil
	}
	defer func() { renderFault = nil }()
	change := func(id int64, title string) {
		f.exec(`UPDATE contributions SET title = ? WHERE id = ?`, title, id)
	}
	var r renderer
	defer r.release()
	round := func() {
		t.Helper()
		if err := f.s.round(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
	p, _ := f.pageKey()
	change(bad, "Proposition changée")
	change(good, "Proposition changée aussi")
	for range 5 {
		round()
	}
	if attempts != 1 {
		t.Fatalf("a failing page was tried %d times in 5 rounds, want 1", attempts)
	}
	if _, ok, err := f.s.storedMainHTML(ctx, p, good); err != nil || !ok {
		t.Fatalf("the page that did not fail is not rendered (%v, %v)", ok, err)
	}
	change(bad, "Proposition changée encore")
	round()
	if attempts != 2 {
		t.Fatalf("a failing page that changed was tried %d times, want 2 (at once)", attempts)
	}
	x := r.failures[bad]
	x.next = time.Now().Add(-time.Millisecond) // its delay has passed
	r.failures[bad] = x
	start := time.Now()
	round()
	if x := r.failures[bad]; attempts != 3 || x.n != 2 || x.next.Sub(start) < 2*failRetry-time.Millisecond || x.next.Sub(start) > 3*failRetry {
		t.Fatalf("after its delay: %d attempts, failure %+v (want 3 attempts, the second of this version, retried in %v)", attempts, x, 2*failRetry)
	}
	renderFault = nil
	x = r.failures[bad]
	x.next = time.Now().Add(-time.Millisecond)
	r.failures[bad] = x
	round()
	if _, ok, err := f.s.storedMainHTML(ctx, p, bad); err != nil || !ok || len(r.failures) != 0 {
		t.Fatalf("the page rendered once it can be: stored %v (%v), failures %v", ok, err, r.failures)
	}
	renderFault = func(int64) error { return errors.New("panne générale") }
	change(bad, "Proposition changée une fois de plus")
	change(good, "Proposition changée une fois de plus aussi")
	if err := f.s.round(ctx, &r); err == nil || !strings.Contains(err.Error(), "all 2 pages") {
		t.Fatalf("a batch whose every page failed: %v", err)
	}
}

// TestStoredPagesOneRendererPerKey checks that of two servers with the same
// key one renders the pages, and that the other takes over when the first
// stops, or when its connection to the database ends.
func TestStoredPagesOneRendererPerKey(t *testing.T) {
	f := newPagesFixture(t)
	ctx := db.WithPrimary(f.ctx)
	lea := f.actor("Léa", 0)
	id := f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, Title: "Un numéro d'aide gratuit", Body: "Un numéro unique."})
	f.render("rendering")
	other, err := newServer(f.s.Deps)
	if err != nil {
		t.Fatal(err)
	}
	var renders atomic.Int32
	renderFault = func(int64) error { renders.Add(1); return nil }
	defer func() { renderFault = nil }()
	var r1, r2 renderer
	defer r1.release()
	defer r2.release()
	step := 0
	// changes the page, runs a round of each renderer in turn (not of one
	// that wants -1: its server stopped), and checks how many renders they
	// made.
	rounds := func(want1, want2 int32) {
		t.Helper()
		step++
		f.exec(`UPDATE contributions SET title = ? WHERE id = ?`, fmt.Sprintf("Un numéro d'aide gratuit (%d)", step), id)
		for i, s := range []*Server{f.s, other} {
			if []int32{want1, want2}[i] < 0 {
				continue
			}
			renders.Store(0)
			r := []*renderer{&r1, &r2}[i]
			if err := s.round(ctx, r); err != nil {
				t.Fatal(err)
			}
			if got := renders.Load(); got != []int32{want1, want2}[i] {
				t.Fatalf("step %d: server %d rendered %d pages, want %d", step, i+1, got, []int32{want1, want2}[i])
			}
		}
	}
	rounds(1, 0) // the first takes the lock
	rounds(1, 0)
	r1.release() // the first server stops
	rounds(-1, 1)
	rounds(0, 1) // and starts again
	// The second server's connection ends (its machine is gone): the first
	// takes the lock at its next round.
	var pid int
	if err := f.s.DB.SQL().QueryRowContext(ctx, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, pagesLockNS).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	f.exec(`SELECT pg_terminate_backend(?)`, pid)
	rounds(1, 0)
	if r2.lock != nil {
		t.Fatal("a renderer whose connection ended still holds a lock")
	}
	// A third server of this key, which waited for the lock since its start,
	// takes it after a server started later claimed the pages for another
	// key (a new version): it leaves them to that one, as its start, not the
	// time it took the lock, is older.
	third, err := newServer(f.s.Deps)
	if err != nil {
		t.Fatal(err)
	}
	var r3 renderer
	defer r3.release()
	if err := third.round(ctx, &r3); err != nil || r3.lock != nil || r3.started.IsZero() {
		t.Fatalf("a third server: %v, lock %v, started %v", err, r3.lock, r3.started)
	}
	newer, err := f.s.DB.Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.Contributions.ClaimPages(ctx, "autre", newer); err != nil {
		t.Fatal(err)
	}
	r1.release() // the first server stops
	renders.Store(0)
	if err := third.round(ctx, &r3); err != nil {
		t.Fatal(err)
	}
	c, err := f.s.Contributions.ReadPagesClaim(ctx)
	if err != nil || r3.lock == nil || !r3.yield || c.Key != "autre" || renders.Load() != 0 {
		t.Fatalf("the third server took the lock (%v), left the pages (%v) claimed for %q (%v), rendered %d, want the claim left",
			r3.lock != nil, r3.yield, c.Key, err, renders.Load())
	}
}

// TestStoredPageNotToStore checks that a page the renderer finds nothing to
// render for (a contribution of another consultation) is saved as not to
// serve, with the rest of its batch, and is then no longer asked for.
func TestStoredPageNotToStore(t *testing.T) {
	f := newPagesFixture(t)
	ctx := f.ctx
	lea := f.actor("Léa", 0)
	id := f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, Title: "Un numéro d'aide gratuit", Body: "Un numéro unique."})
	other := f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, Title: "Des ateliers dans les gares", Body: "Le samedi."})
	p, key := f.pageKey()
	stale, page := f.renderStale(p, key, 2, 1)
	// What renderStored gives for a contribution it does not find in this
	// consultation.
	none := contribution.StoredPage{ID: stale[0].ID, Version: -stale[0].Version, Cut: -1}
	f.claim(key)
	if n, err := f.s.Contributions.SavePages(ctx, key, []contribution.StoredPage{none, page}); err != nil || n != 2 {
		t.Fatalf("saved %d pages (%v), want 2", n, err)
	}
	if _, ok, err := f.s.storedMainHTML(ctx, p, id); err != nil || ok {
		t.Fatalf("a page saved as not to serve is served (%v, %v)", ok, err)
	}
	if _, ok, err := f.s.storedMainHTML(ctx, p, other); err != nil || !ok {
		t.Fatalf("the other page of the batch is not served (%v, %v)", ok, err)
	}
	if stale, err := f.s.Contributions.StalePages(ctx, key, 0, false, 10); err != nil || len(stale) != 0 {
		t.Fatalf("still to render: %v (%v)", stale, err)
	}
}

// TestStoredPagesClaim checks what a renderer does with the claim of the
// pages that it finds (a deploy, a rollback, a restart), and that saves with
// another key than the claimed one are refused.
func TestStoredPagesClaim(t *testing.T) {
	f := newPagesFixture(t)
	ctx := db.WithPrimary(f.ctx)
	lea := f.actor("Léa", 0)
	id := f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, Title: "Un numéro d'aide gratuit", Body: "Un numéro unique."})
	f.render("rendering")
	p, key := f.pageKey()
	claim := func(want string, done bool) {
		t.Helper()
		c, err := f.s.Contributions.ReadPagesClaim(ctx)
		if err != nil || c.Key != want || c.Done != done {
			t.Fatalf("claim %q done %v (%v), want %q done %v", c.Key, c.Done, err, want, done)
		}
	}
	claim(key, true)
	renderedKey := func() string {
		var k string
		f.s.DB.Conn(ctx).Raw(`SELECT render_key FROM contribution_pages WHERE contribution_id = ?`, id).Scan(&k)
		return k
	}
	stored := func() bool {
		_, ok, err := f.s.storedMainHTML(ctx, p, id)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	change := func(title string) { // makes the page stale
		f.exec(`UPDATE contributions SET title = ? WHERE id = ?`, title, id)
	}
	round := func(r *renderer) {
		t.Helper()
		r.checked = time.Time{} // reads the claim
		if err := f.s.round(ctx, r); err != nil {
			t.Fatal(err)
		}
	}

	// 1. A renderer that starts with the key of the last pass does not go
	// through every page: a page rendered with another key stays so. The
	// claim is as migration 00081 left a pass recorded before it.
	f.exec(`UPDATE contribution_pages_swept SET started_at = '-infinity'`)
	f.exec(`UPDATE contribution_pages SET render_key = 'autre' WHERE contribution_id = ?`, id)
	var r renderer
	defer r.release()
	round(&r)
	if stored() || renderedKey() != "autre" {
		t.Fatalf("a renderer starting with the claimed key went through every page (key %q)", renderedKey())
	}

	// 2. Saves with another key than the claimed one are refused.
	change("Un numéro d'aide gratuit pour tous")
	_, page := f.renderStale(p, key, 1, 0)
	if n, err := f.s.Contributions.SavePages(ctx, "autre", []contribution.StoredPage{page}); err != nil || n != 0 {
		t.Fatalf("a page of a key not claimed was saved: %d (%v)", n, err)
	}

	// 3. The pages claimed for another key by a server started before this
	// renderer (the version deployed before): it claims them and goes
	// through every page.
	if err := f.s.Contributions.ClaimPages(ctx, "autre", r.started.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	round(&r)
	claim(key, true)
	if !stored() {
		t.Fatal("the page is not rendered again with this key")
	}

	// 4. Claimed for another key by a server started after this one (a new
	// version): this one renders nothing, not even a stale page, and leaves
	// the claim.
	if err := f.s.Contributions.ClaimPages(ctx, "autre", r.started.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	change("Un numéro d'aide gratuit, le soir aussi")
	round(&r)
	round(&r)
	claim("autre", false)
	if stale, _ := f.s.Contributions.StalePages(ctx, key, 0, false, 10); len(stale) != 1 || !r.yield {
		t.Fatalf("a renderer rendered the pages claimed by a newer server (%d stale, yield %v)", len(stale), r.yield)
	}

	// 5. A pass of this key claimed and not ended, by another server or by
	// this one (it stopped, or failed, in the middle; this renderer holds the
	// key's lock, so no other renders it now): it goes through every page,
	// and records the pass done.
	for _, by := range []time.Time{r.started.Add(time.Minute), r.started} {
		if err := f.s.Contributions.ClaimPages(ctx, key, by); err != nil {
			t.Fatal(err)
		}
		f.exec(`UPDATE contribution_pages SET render_key = 'autre' WHERE contribution_id = ?`, id)
		round(&r)
		claim(key, true)
		if !stored() || r.yield {
			t.Fatal("a pass of this key not ended is not taken over")
		}
	}
}

// TestStoredPagesClaimWaitsForSaves checks that a claim for a new key waits
// for a save that read the claim before it: a pass that starts after the
// claim then finds the pages that save stored (with the old key) and
// renders them again. Without the wait, the save could land after the pass
// went by, and the page would be rendered at every visit.
func TestStoredPagesClaimWaitsForSaves(t *testing.T) {
	f := newPagesFixture(t)
	ctx := db.WithPrimary(f.ctx)
	lea := f.actor("Léa", 0)
	f.create(lea, contribution.Draft{Entry: contribution.EntryLibres, Title: "Un numéro d'aide gratuit", Body: "Un numéro unique."})
	p, key := f.pageKey()
	f.claim(key)
	_, page := f.renderStale(p, key, 1, 0)
	// The save reads the claim, then waits for the page's row, which a
	// transaction holds.
	tx, err := f.s.DB.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM contribution_pages WHERE contribution_id = $1 FOR UPDATE`, page.ID); err != nil {
		t.Fatal(err)
	}
	saved := make(chan int, 1)
	go func() {
		n, err := f.s.Contributions.SavePages(ctx, key, []contribution.StoredPage{page})
		if err != nil {
			t.Error(err)
		}
		saved <- n
	}()
	time.Sleep(300 * time.Millisecond) // the save reads the claim, and waits
	claimed := make(chan error, 1)
	go func() { claimed <- f.s.Contributions.ClaimPages(ctx, "nouvelle", time.Now()) }()
	select {
	case err := <-claimed:
		t.Fatalf("the claim did not wait for the save under way (%v)", err)
	case <-time.After(500 * time.Millisecond):
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := <-saved; n != 1 {
		t.Fatalf("the save under way stored %d pages, want 1", n)
	}
	if err := <-claimed; err != nil {
		t.Fatal(err)
	}
	// The pass of the new key finds the page saved with the old one.
	if stale, err := f.s.Contributions.StalePages(ctx, "nouvelle", 0, true, 10); err != nil || len(stale) != 1 {
		t.Fatalf("pages for the new key's pass: %v (%v)", stale, err)
	}
	if n, err := f.s.Contributions.SavePages(ctx, key, []contribution.StoredPage{page}); err != nil || n != 0 {
		t.Fatalf("a save with the old key after the claim stored %d pages (%v)", n, err)
	}
}
