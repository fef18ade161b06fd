package query_test

import (
	"context"
	"testing"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/query"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/search"
	"github.com/cnr-numerique/concertation/seeds"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture is a seeded database with the current consultation, the owner of
// the contributions and the query service.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	db    *db.DB
	store *contribution.Store
	query *query.Service
	cons  consultation.Consultation
	hubs  []hub.Hub
	dep29 hub.Territory
	refs  query.Refs
}

func newFixture(t testing.TB) *fixture {
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
	store := contribution.NewStore(d)
	f := &fixture{t: t, ctx: ctx, db: d, store: store, query: query.New(d, store, search.NewPostgres(d.SQL())),
		cons: cons, hubs: hubs, dep29: dep}
	if f.refs, err = query.LoadRefs(ctx, d.SQL()); err != nil {
		t.Fatal(err)
	}
	return f
}

// actor creates an account with category cat in the Finistère, member of hubIDs.
func (f *fixture) actor(name, cat string, hubIDs ...int64) contribution.Actor {
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
	return contribution.Actor{UserID: u.ID, Category: cat, DepartementID: &f.dep29.ID, HubIDs: hubIDs}
}

func (f *fixture) create(a contribution.Actor, d contribution.Draft) int64 {
	f.t.Helper()
	if d.AxisID == 0 {
		d.AxisID = f.cons.Axes[0].ID
	}
	if d.Entry == "" {
		d.Entry = contribution.EntryLibres
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
