package mediation

import (
	"context"
	"fmt"
	"testing"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/seeds"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture is a seeded database with the service and a médiateur of France
// services in the Finistère (29).
type fixture struct {
	t        *testing.T
	ctx      context.Context
	db       *db.DB
	store    *contribution.Store
	svc      *Service
	cons     consultation.Consultation
	mediator int64
	users    int
}

// testLimits are small enough to reach in a test.
var testLimits = Limits{People: 3, Contributions: 3, Supports: 4, SupportsPerPerson: 2}

func newFixture(t *testing.T, limits Limits) *fixture {
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
	store := contribution.NewStore(d)
	f := &fixture{t: t, ctx: ctx, db: d, store: store, svc: New(d, store, limits, "un secret de session assez long pour les tests"), cons: cons}
	f.mediator = f.newMediator("departement", "29")
	return f
}

// user creates an account in the Finistère.
func (f *fixture) user(name string) int64 {
	f.t.Helper()
	f.users++
	dep, err := hub.NewStore(f.db).TerritoryByCode(f.ctx, hub.KindDepartement, "29")
	if err != nil {
		f.t.Fatal(err)
	}
	cat := "citoyen"
	u := account.User{Email: fmt.Sprintf("personne%d@exemple.fr", f.users), DisplayName: name, Category: &cat, DepartementID: &dep.ID}
	if err := account.NewStore(f.db).Create(f.ctx, &u); err != nil {
		f.t.Fatal(err)
	}
	return u.ID
}

// newMediator creates an account and makes it a médiateur of the territory.
func (f *fixture) newMediator(kind, code string) int64 {
	f.t.Helper()
	id := f.user("Médiatrice " + code)
	if err := f.svc.Grant(f.ctx, nil, id, Profile{StructureKind: StructureFranceServices, StructureName: "France services " + code,
		TerritoryKind: kind, TerritoryCode: code}); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// person is the input of a person of département dep who consents.
func person(label, dep string) PersonInput {
	return PersonInput{Label: label, Category: "citoyen", Departement: dep, Consent: true}
}

// draft is a valid contribution on the first axis.
func (f *fixture) draft(title string) contribution.Draft {
	return contribution.Draft{AxisID: f.cons.Axes[0].ID, Title: title, Body: "Je voudrais de l'aide près de chez moi."}
}

// contribute publishes a contribution for a new person and fails the test
// on any problem.
func (f *fixture) contribute(mediator int64, in PersonInput, title string) Receipt {
	f.t.Helper()
	r, p, err := f.svc.Contribute(f.ctx, mediator, f.cons.ID, 0, in, f.draft(title))
	if err != nil || len(p) > 0 {
		f.t.Fatalf("contribute: %v %v", p, err)
	}
	return r
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.Conn(f.ctx).Raw(q, args...).Scan(&n).Error; err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	if err := f.db.Conn(f.ctx).Exec(q, args...).Error; err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}
