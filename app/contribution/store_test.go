package contribution

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/seeds"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture is a seeded database with the current consultation and helpers.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    *db.DB
	store *Store
	cons  consultation.Consultation
	hubs  []hub.Hub
	dep29 hub.Territory
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := dbtest.New(t)
	ctx := context.Background()
	if err := seed.Reference(ctx, d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	cons, err := consultation.NewStore(d).Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hubs, err := hub.NewStore(d).List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dep, err := hub.NewStore(d).TerritoryByCode(ctx, hub.KindDepartement, "29")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, db: d, store: NewStore(d), cons: cons, hubs: hubs, dep29: dep}
}

// actor creates an account with category cat in the Finistère, member of hubIDs.
func (f *fixture) actor(name, cat string, hubIDs ...int64) Actor {
	f.t.Helper()
	u := account.User{Email: name + "@exemple.fr", DisplayName: name, Category: &cat, DepartementID: &f.dep29.ID}
	accounts := account.NewStore(f.db)
	if err := accounts.Create(f.ctx, &u); err != nil {
		f.t.Fatal(err)
	}
	for _, h := range hubIDs {
		if err := accounts.AddHubMember(f.ctx, h, u.ID); err != nil {
			f.t.Fatal(err)
		}
	}
	return Actor{UserID: u.ID, Category: cat, DepartementID: &f.dep29.ID, HubIDs: hubIDs}
}

func (f *fixture) create(a Actor, d Draft) int64 {
	f.t.Helper()
	if d.AxisID == 0 {
		d.AxisID = f.cons.Axes[0].ID
	}
	if d.Entry == "" {
		d.Entry = EntryLibres
	}
	if d.Body == "" {
		d.Body = "Un texte."
	}
	id, p, err := f.store.Create(f.ctx, a, f.cons.ID, d)
	if err != nil || len(p) > 0 {
		f.t.Fatalf("create %+v: %v %v", d, p, err)
	}
	return id
}

func (f *fixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.Conn(f.ctx).Raw(sql, args...).Scan(&n).Error; err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestCreateEditWithdraw(t *testing.T) {
	f := newFixture(t)
	hubID := f.hubs[0].ID
	member := f.actor("membre", "association", hubID)
	citizen := f.actor("citoyenne", "citoyen")

	prop := f.create(member, Draft{Entry: EntryHubs, HubID: hubID, Title: "Proposition du Hub", TerritoryKind: "region", TerritoryCode: "53"})
	v, err := f.store.Get(f.ctx, prop)
	if err != nil {
		t.Fatal(err)
	}
	if v.HubName != f.hubs[0].Name || v.AuthorName != "" || v.AuthorCategory != hub.AuthorCategory || v.CategoryLabel != "Hub territorial" || v.TerritoryKind != "region" ||
		v.RegionID == nil || v.DepartementID != nil {
		t.Errorf("hub proposal: %+v", v)
	}

	_, p, err := f.store.Create(f.ctx, citizen, f.cons.ID, Draft{Entry: EntryHubs, HubID: hubID, AxisID: f.cons.Axes[0].ID, Title: "Usurpation", Body: "x"})
	if err != nil || p[FieldHub] == "" {
		t.Errorf("non-member hub proposal: %v %v", p, err)
	}

	free := f.create(citizen, Draft{Title: "Libre", ReactsToID: prop, ReactionType: "nuance"})
	v, _ = f.store.Get(f.ctx, free)
	if v.AuthorName != "citoyenne" || v.DepartementID == nil || *v.DepartementID != f.dep29.ID || v.RegionID == nil ||
		v.ReactsToTitle != "Proposition du Hub" || v.ReactionLabel() != "Nuance" {
		t.Errorf("free contribution: %+v", v)
	}
	target, _ := f.store.Get(f.ctx, prop)
	if target.ReactionsNuance != 1 {
		t.Errorf("nuance count %d, want 1", target.ReactionsNuance)
	}

	_, p, _ = f.store.Create(f.ctx, citizen, f.cons.ID, Draft{Entry: EntryLibres, AxisID: f.cons.Axes[0].ID, Title: "R", Body: "x", ReactsToID: free, ReactionType: "soutient"})
	if p[FieldReaction] == "" {
		t.Error("reaction to a free contribution accepted")
	}
	_, p, _ = f.store.Create(f.ctx, citizen, f.cons.ID, Draft{Entry: EntryLibres, AxisID: 999999, Title: "R", Body: "x"})
	if p[FieldAxis] == "" {
		t.Error("unknown axis accepted")
	}
	_, p, _ = f.store.Create(f.ctx, citizen, f.cons.ID, Draft{Entry: EntryLibres, AxisID: f.cons.Axes[0].ID, Title: "R", Body: "x", TerritoryKind: "departement", TerritoryCode: "000"})
	if p[FieldTerritory] == "" {
		t.Error("unknown territory accepted")
	}

	if _, err := f.store.Update(f.ctx, member, free, Draft{AxisID: f.cons.Axes[1].ID, Title: "x", Body: "y"}); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("edit by someone else: %v", err)
	}
	p, err = f.store.Update(f.ctx, citizen, free, Draft{AxisID: f.cons.Axes[1].ID, Title: "Libre modifiée", Body: "Nouveau"})
	if err != nil || len(p) > 0 {
		t.Fatalf("edit: %v %v", p, err)
	}
	v, _ = f.store.Get(f.ctx, free)
	if v.Title != "Libre modifiée" || v.EditedAt == nil || v.AxisID != f.cons.Axes[1].ID || v.TerritoryID == nil || *v.TerritoryID != f.dep29.ID {
		t.Errorf("after edit: %+v", v)
	}

	if err := f.store.Withdraw(f.ctx, citizen, free); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Withdraw(f.ctx, citizen, free); !errors.Is(err, ErrNotPublished) {
		t.Errorf("second withdrawal: %v", err)
	}
	target, _ = f.store.Get(f.ctx, prop)
	if target.ReactionsNuance != 0 {
		t.Errorf("nuance count after withdrawal %d, want 0", target.ReactionsNuance)
	}
	if _, err := f.store.Get(f.ctx, 424242); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	// create ×2 (+1 target), edit, withdraw (+1 target): the target's rows
	// say that only its counters changed.
	if n := f.count(`SELECT count(*) FROM search_outbox`); n != 6 {
		t.Errorf("outbox rows %d, want 6", n)
	}
	if n := f.count(`SELECT count(*) FROM search_outbox WHERE counts_only`); n != 2 {
		t.Errorf("counts-only outbox rows %d, want 2 (the reaction's target, twice)", n)
	}
	if n := f.count(`SELECT count(*) FROM search_outbox WHERE counts_only AND contribution_id <> ?`, prop); n != 0 {
		t.Errorf("%d counts-only outbox rows for a changed text", n)
	}
}

func TestSupports(t *testing.T) {
	f := newFixture(t)
	author := f.actor("autrice", "elu")
	reader := f.actor("lecteur", "citoyen")
	id := f.create(author, Draft{Title: "À soutenir"})
	if _, err := f.store.Support(f.ctx, author, id); !errors.Is(err, ErrOwn) {
		t.Errorf("own support: %v", err)
	}
	for range 2 {
		if n, err := f.store.Support(f.ctx, reader, id); err != nil || n != 1 {
			t.Errorf("support: %d %v", n, err)
		}
	}
	if n, err := f.store.Unsupport(f.ctx, reader, id); err != nil || n != 0 {
		t.Errorf("unsupport: %d %v", n, err)
	}
	if n, err := f.store.Unsupport(f.ctx, reader, id); err != nil || n != 0 {
		t.Errorf("second unsupport: %d %v", n, err)
	}
	if _, err := f.store.Support(f.ctx, reader, 999999); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM search_outbox WHERE contribution_id = ?`, id); n != 3 {
		t.Errorf("outbox rows %d, want 3 (create, support, unsupport)", n)
	}
	if n := f.count(`SELECT count(*) FROM search_outbox WHERE contribution_id = ? AND counts_only`, id); n != 2 {
		t.Errorf("counts-only outbox rows %d, want 2 (support, unsupport)", n)
	}
}

// TestSupportRefusals checks every refusal of the one-statement toggle, and
// that a refused support writes nothing: own contribution, the Hub's own
// proposal for its members, a hidden or withdrawn contribution, an unknown
// one; another Hub's member may support.
func TestSupportRefusals(t *testing.T) {
	f := newFixture(t)
	hubID, otherHub := f.hubs[0].ID, f.hubs[1].ID
	member := f.actor("membre", "association", hubID)
	outsider := f.actor("autre-hub", "association", otherHub)
	reader := f.actor("lectrice", "citoyen")
	prop := f.create(member, Draft{Entry: EntryHubs, HubID: hubID, Title: "Proposition du Hub", TerritoryKind: "region", TerritoryCode: "53"})
	colleague := f.actor("collegue", "elu", hubID)
	if _, err := f.store.Support(f.ctx, colleague, prop); !errors.Is(err, ErrOwn) {
		t.Errorf("a member supporting the Hub's proposal: %v, want ErrOwn", err)
	}
	if n, err := f.store.Support(f.ctx, outsider, prop); err != nil || n != 1 {
		t.Errorf("another Hub's member: %d %v", n, err)
	}
	hidden := f.create(reader, Draft{Title: "À masquer"})
	reason := "hors sujet"
	if err := f.store.Moderate(f.ctx, hidden, StatusHidden, &reason); err != nil {
		t.Fatal(err)
	}
	withdrawn := f.create(reader, Draft{Title: "À retirer"})
	if err := f.store.Withdraw(f.ctx, reader, withdrawn); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{hidden, withdrawn} {
		if _, err := f.store.Support(f.ctx, outsider, id); !errors.Is(err, ErrNotPublished) {
			t.Errorf("support of %d (not published): %v", id, err)
		}
		if _, err := f.store.Unsupport(f.ctx, outsider, id); !errors.Is(err, ErrNotPublished) {
			t.Errorf("unsupport of %d (not published): %v", id, err)
		}
	}
	if _, err := f.store.Unsupport(f.ctx, outsider, 999999); !errors.Is(err, ErrNotFound) {
		t.Errorf("unsupport of an unknown id: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM supports`); n != 1 {
		t.Errorf("%d support rows, want the one allowed", n)
	}
	if n := f.count(`SELECT coalesce(sum(supports), 0) FROM contribution_counters`); n != 1 {
		t.Errorf("counters sum to %d, want 1", n)
	}
}

// TestConcurrentSupports sends 200 concurrent supports and removals, several
// by the same accounts: the counter always equals the rows.
func TestConcurrentSupports(t *testing.T) {
	f := newFixture(t)
	author := f.actor("autrice", "elu")
	id := f.create(author, Draft{Title: "Très soutenue"})
	users := make([]Actor, 50)
	for i := range users {
		users[i] = f.actor(fmt.Sprintf("u%d", i), "citoyen")
	}
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for g := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := users[g%len(users)]
			var err error
			if g%7 == 3 {
				_, err = f.store.Unsupport(f.ctx, u, id)
			} else {
				_, err = f.store.Support(f.ctx, u, id)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rows := f.count(`SELECT count(*) FROM supports WHERE contribution_id = ?`, id)
	v, _ := f.store.Get(f.ctx, id)
	if v.Supports != rows || rows == 0 {
		t.Errorf("counter %d, rows %d", v.Supports, rows)
	}
}

func TestArguments(t *testing.T) {
	f := newFixture(t)
	a := f.actor("a", "citoyen")
	b := f.actor("b", "elu")
	id := f.create(a, Draft{Title: "Discutée"})
	if p, err := f.store.AddArgument(f.ctx, b, id, ArgumentDraft{Stance: "contre", Body: "Je ne suis pas d'accord"}); err != nil || len(p) > 0 {
		t.Fatal(p, err)
	}
	args, _ := f.store.Arguments(f.ctx, id)
	if len(args) != 1 {
		t.Fatalf("arguments %+v", args)
	}
	if p, err := f.store.AddArgument(f.ctx, a, id, ArgumentDraft{ParentID: args[0].ID, Stance: "pour", Body: "Réponse"}); err != nil || len(p) > 0 {
		t.Fatal(p, err)
	}
	args, _ = f.store.Arguments(f.ctx, id)
	if len(args) != 1 || len(args[0].Replies) != 1 || args[0].Replies[0].AuthorName != "a" {
		t.Fatalf("replies %+v", args)
	}
	if p, _ := f.store.AddArgument(f.ctx, b, id, ArgumentDraft{ParentID: args[0].Replies[0].ID, Stance: "pour", Body: "x"}); p[FieldBody] == "" {
		t.Error("reply to a reply accepted")
	}
	if _, err := f.store.AddArgument(f.ctx, b, 999999, ArgumentDraft{Stance: "pour", Body: "x"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("argument on unknown: %v", err)
	}
	v, _ := f.store.Get(f.ctx, id)
	if v.ArgumentsContre != 1 || v.ArgumentsPour != 1 {
		t.Errorf("counters %+v", v.Counters)
	}
	if n := f.count(`SELECT count(*) FROM search_outbox WHERE contribution_id = ? AND counts_only`, id); n != 2 {
		t.Errorf("counts-only outbox rows %d, want 2 (the two arguments)", n)
	}
}
