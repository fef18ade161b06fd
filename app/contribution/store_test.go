package contribution

import (
	"context"
	"errors"
	"fmt"
	"net/url"
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
	return &fixture{t: t, ctx: ctx, db: d, store: NewUncachedStore(d), cons: cons, hubs: hubs, dep29: dep}
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
	// create ×2 (+1 target), edit, withdraw (+1 target)
	if n := f.count(`SELECT count(*) FROM search_outbox`); n != 6 {
		t.Errorf("outbox rows %d, want 6", n)
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
}

func TestListFiltersFacetsSorts(t *testing.T) {
	f := newFixture(t)
	hubID := f.hubs[0].ID
	member := f.actor("membre", "association", hubID)
	citizen := f.actor("citoyen", "citoyen")
	elu := f.actor("elu", "elu")
	prop := f.create(member, Draft{Entry: EntryHubs, HubID: hubID, Title: "Proposition"})
	r1 := f.create(citizen, Draft{Title: "Réaction", ReactsToID: prop, ReactionType: "soutient", AxisID: f.cons.Axes[1].ID})
	e1 := f.create(elu, Draft{Title: "Élu Bretagne", TerritoryKind: "region", TerritoryCode: "53"})
	e2 := f.create(elu, Draft{Title: "Élu Finistère"})
	for _, u := range []Actor{citizen, member} {
		if _, err := f.store.Support(f.ctx, u, e2); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.Support(f.ctx, citizen, e1); err != nil {
		t.Fatal(err)
	}
	refs, err := f.store.Refs(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	list := func(raw string) Result {
		t.Helper()
		v, _ := url.ParseQuery(raw)
		q := ParseListQuery(v, f.cons.Axes, refs)
		q.ConsultationID = f.cons.ID
		res, err := f.store.List(f.ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		return res
	}
	ids := func(r Result) []int64 {
		var out []int64
		for _, v := range r.Items {
			out = append(out, v.ID)
		}
		return out
	}
	same := func(name string, got, want []int64) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	same("recent", ids(list("")), []int64{e2, e1, r1, prop})
	same("supports", ids(list("tri=soutiens")), []int64{e2, e1, r1, prop})
	same("elu category", ids(list("categorie=elu")), []int64{e2, e1})
	same("bad and repeated values ignored", ids(list("categorie=elu&categorie=citoyen&axe=nope&region=99&page=-3&tri=bof")), []int64{e2, e1})
	same("region Bretagne", ids(list("region=53")), []int64{e2, e1, r1, prop})
	same("département", ids(list("departement=29")), []int64{e2, r1, prop})
	same("hub entry", ids(list("entree=hubs")), []int64{prop})
	same("hub", ids(list("hub="+f.hubs[0].Slug)), []int64{prop})
	same("reaction target", ids(list(fmt.Sprintf("reagit_a=%d", prop))), []int64{r1})
	same("axis 2", ids(list("axe="+f.cons.Axes[1].Slug)), []int64{r1})
	same("two filters and a sort", ids(list("categorie=elu&region=53&tri=soutiens")), []int64{e2, e1})
	same("page 2 of 1", ids(list("par=10&page=2")), []int64{e2, e1, r1, prop})
	res := list("categorie=elu")
	if res.Total != 2 || res.Facets.Category["elu"] != 2 || res.Facets.Category["citoyen"] != 1 || res.Facets.Category[hub.AuthorCategory] != 1 || res.Facets.Category["association"] != 0 {
		t.Errorf("category facets %+v", res.Facets)
	}
	if res.Facets.Entry[EntryLibres] != 2 || res.Facets.Entry[EntryHubs] != 0 || res.Facets.Axis[f.cons.Axes[0].ID] != 2 {
		t.Errorf("facets with the elu filter %+v", res.Facets)
	}
	res = list("")
	if len(res.Facets.ReactsTo) != 1 || res.Facets.ReactsTo[0].Label != "Proposition" || res.Facets.ReactsTo[0].Count != 1 {
		t.Errorf("reaction facets %+v", res.Facets.ReactsTo)
	}
	r1a, r1b := list("tri=hasard&graine=7"), list("tri=hasard&graine=7")
	same("random is stable for a seed", ids(r1a), ids(r1b))
	if len(ids(list("tri=hasard&graine=8"))) != 4 {
		t.Error("random lost rows")
	}
	same("discussed", ids(list("tri=discutees"))[:1], []int64{prop})
	same("search ids", ids(func() Result {
		q := ParseListQuery(url.Values{}, f.cons.Axes, refs)
		q.ConsultationID, q.IDs = f.cons.ID, []int64{e1, prop}
		r, _ := f.store.List(f.ctx, q)
		return r
	}()), []int64{e1, prop})
	auth := ParseListQuery(url.Values{}, f.cons.Axes, refs)
	auth.ConsultationID, auth.AuthorID = f.cons.ID, member.UserID
	if r, _ := f.store.List(f.ctx, auth); r.Total != 0 {
		t.Error("a Hub proposal shows on its member's author page")
	}
}

func TestSimilar(t *testing.T) {
	f := newFixture(t)
	a := f.actor("a", "citoyen")
	id := f.create(a, Draft{Title: "Former les aidants numériques dans les mairies"})
	f.create(a, Draft{Title: "Financer les tiers-lieux"})
	got, err := f.store.Similar(f.ctx, f.cons.ID, "former des aidants numériques", 0, 5)
	if err != nil || len(got) != 1 || got[0].ID != id {
		t.Errorf("similar: %+v %v", got, err)
	}
	if got, _ := f.store.Similar(f.ctx, f.cons.ID, "zz", 0, 5); len(got) != 0 {
		t.Error("short text matched")
	}
}
