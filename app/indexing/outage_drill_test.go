package indexing

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/search"
	"github.com/cnr-numerique/concertation/seeds"
)

// TestOutageDrill takes Meilisearch (the protocol double) down while people
// support, edit, withdraw, get hidden and delete their accounts through the
// real stores, then brings it back: searches are answered by PostgreSQL
// meanwhile, the outbox keeps every change, and once the engine is back it
// drains and the index equals PostgreSQL document for document. The lag is
// measured (the time from the engine's return to an empty outbox).
func TestOutageDrill(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	if err := seed.Reference(ctx, d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	cons, err := consultation.NewStore(d).Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dep, err := hub.NewStore(d).TerritoryByCode(ctx, hub.KindDepartement, "29")
	if err != nil {
		t.Fatal(err)
	}
	accounts := account.NewStore(d)
	store := contribution.NewStore(d)
	mod := moderation.NewStore(d, 3, store)
	newActor := func(name string) contribution.Actor {
		t.Helper()
		cat := "citoyen"
		u := account.User{Email: name + "@exemple.fr", DisplayName: name, Category: &cat, DepartementID: &dep.ID}
		if err := accounts.Create(ctx, &u); err != nil {
			t.Fatal(err)
		}
		return contribution.Actor{UserID: u.ID, Category: cat, DepartementID: &dep.ID}
	}
	create := func(a contribution.Actor, title string) int64 {
		t.Helper()
		id, p, err := store.Create(ctx, a, cons.ID, contribution.Draft{Entry: contribution.EntryLibres, AxisID: cons.Axes[0].ID,
			Title: title, Body: "Des médiateurs numériques dans les bibliothèques, le samedi."})
		if err != nil || len(p) > 0 {
			t.Fatalf("create: %v %v", p, err)
		}
		return id
	}

	srv, meili := newMeiliDouble(t)
	if err := meili.EnsureIndex(ctx); err != nil {
		t.Fatal(err)
	}
	mon := &search.Monitor{}
	searcher := search.FallbackObserved(meili, search.NewPostgres(d.SQL()), mon)
	w := &Worker{DB: d.SQL(), Engine: meili, BatchSize: 20, Idle: 20 * time.Millisecond,
		Backoff: func(int) time.Duration { return time.Minute }, // only the probe can bring the rows back early
		Probe:   meili.Healthy}
	run, stop := context.WithCancel(ctx)
	var worker sync.WaitGroup
	worker.Go(func() { w.Run(run) })
	t.Cleanup(func() { stop(); worker.Wait() })
	outbox := func() int {
		var n int
		if err := d.SQL().QueryRow(`SELECT count(*) FROM search_outbox`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Before: four authors, forty contributions, indexed.
	var authors []contribution.Actor
	var ids [][]int64
	for a := range 4 {
		authors = append(authors, newActor(fmt.Sprintf("autrice%d", a)))
		var mine []int64
		for i := range 10 {
			mine = append(mine, create(authors[a], fmt.Sprintf("Proposition %d de l'autrice %d", i, a)))
		}
		ids = append(ids, mine)
	}
	eventually(t, 30*time.Second, "the first contributions indexed", func() bool { return outbox() == 0 })
	if diff := indexDiff(t, d.SQL(), srv, "contributions"); diff != "" {
		t.Fatalf("index before the outage:\n%s", diff)
	}

	// The outage, and every kind of write meanwhile.
	srv.SetDown(true)
	downAt := time.Now()
	changed := map[int64]bool{}
	for s := range 5 {
		supporter := newActor(fmt.Sprintf("soutien%d", s))
		for _, id := range ids[0][:8] {
			if _, err := store.Support(ctx, supporter, id); err != nil {
				t.Fatal(err)
			}
			changed[id] = true
		}
	}
	for _, id := range ids[1][:5] {
		if p, err := store.Update(ctx, authors[1], id, contribution.Draft{AxisID: cons.Axes[1].ID, Title: "Titre modifié pendant la panne",
			Body: "Un texte réécrit pendant que Meilisearch ne répondait pas."}); err != nil || len(p) > 0 {
			t.Fatalf("edit: %v %v", p, err)
		}
		changed[id] = true
	}
	moderator := newActor("moderatrice")
	for _, id := range ids[2][:3] {
		if err := mod.Hide(ctx, moderator.UserID, moderation.KindContribution, id, moderation.HideInput{Motif: moderation.ReasonSpam}); err != nil {
			t.Fatal(err)
		}
		changed[id] = true
	}
	for _, id := range ids[2][3:6] {
		if err := store.Withdraw(ctx, authors[2], id); err != nil {
			t.Fatal(err)
		}
		changed[id] = true
	}
	if err := accounts.Delete(ctx, authors[3].UserID, false, store); err != nil { // its free contributions go with it
		t.Fatal(err)
	}
	for _, id := range ids[3] {
		changed[id] = true
	}
	for i := range 3 {
		changed[create(authors[0], fmt.Sprintf("Nouvelle proposition %d pendant la panne", i))] = true
	}

	res, err := searcher.Search(ctx, search.Query{Text: "médiateurs"})
	if err != nil || res.Total == 0 || !mon.Status().Failing {
		t.Errorf("search during the outage: %d results, %v, monitor %+v", res.Total, err, mon.Status())
	}
	eventually(t, 30*time.Second, "the worker tries and postpones", func() bool {
		var n int
		_ = d.SQL().QueryRow(`SELECT count(*) FROM search_outbox WHERE attempts > 0`).Scan(&n)
		return n > 0
	})
	var pending []int64
	rows, err := d.SQL().Query(`SELECT DISTINCT contribution_id FROM search_outbox`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		pending = append(pending, id)
	}
	rows.Close()
	for id := range changed {
		if !slices.Contains(pending, id) {
			t.Errorf("the change of contribution %d is not in the outbox", id)
		}
	}
	if diff := indexDiff(t, d.SQL(), srv, "contributions"); diff == "" {
		t.Fatal("the index followed the database while Meilisearch was down")
	}

	// Back: the outbox drains, the index equals the database.
	outage := time.Since(downAt)
	rowsBefore := outbox()
	srv.SetDown(false)
	upAt := time.Now()
	eventually(t, 30*time.Second, "the outbox drains", func() bool { return outbox() == 0 })
	lag := time.Since(upAt)
	if diff := indexDiff(t, d.SQL(), srv, "contributions"); diff != "" {
		t.Errorf("index after the outage:\n%s", diff)
	}
	if _, err := searcher.Search(ctx, search.Query{Text: "médiateurs"}); err != nil || mon.Status().Failing {
		t.Errorf("search after the outage: %v, monitor %+v", err, mon.Status())
	}
	t.Logf("outage of %s: %d changed contributions, %d outbox rows kept; index equal to PostgreSQL %s after Meilisearch came back",
		outage.Round(time.Millisecond), len(changed), rowsBefore, lag.Round(time.Millisecond))
	if lag > 10*time.Second {
		t.Errorf("lag after the return: %s (the probe should make the postponed rows due at once, not after their 1 min backoff)", lag)
	}
}
