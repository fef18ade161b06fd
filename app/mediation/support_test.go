package mediation

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/cnr-numerique/concertation/app/contribution"
)

// TestAssistedSupportRules checks who an assisted support may go to, and
// that it counts with the supports of accounts.
func TestAssistedSupportRules(t *testing.T) {
	f := newFixture(t, testLimits)
	r := f.contribute(f.mediator, person("Marie", "29"), "Des cafés numériques")
	p, _, err := f.svc.RecordPerson(f.ctx, f.mediator, person("Jo", "29"))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.Support(f.ctx, f.mediator, p.ID, r.ContributionID, true); err != nil || n != 1 {
		t.Fatalf("support: %d %v", n, err)
	}
	if n, err := f.svc.Support(f.ctx, f.mediator, p.ID, r.ContributionID, true); err != nil || n != 1 {
		t.Errorf("twice: %d %v, want still 1", n, err)
	}
	citizen := contribution.Actor{UserID: f.user("Citoyen"), Category: "citoyen", DepartementID: &p.DepartementID}
	if n, err := f.store.Support(f.ctx, citizen, r.ContributionID); err != nil || n != 2 {
		t.Errorf("an account's support after: %d %v", n, err)
	}
	people, err := f.svc.People(f.ctx, f.mediator)
	if err != nil {
		t.Fatal(err)
	}
	who, err := f.svc.Supporters(f.ctx, r.ContributionID, people)
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 2 || !who[p.ID] || who[r.Person.ID] || people[0].ID != p.ID || people[0].Supports != 1 {
		t.Errorf("people %+v, supporters %v", people, who)
	}
	if author, err := f.svc.PersonOf(f.ctx, r.ContributionID); err != nil || author != r.Person.ID {
		t.Errorf("person of the contribution: %d %v", author, err)
	}
	if author, err := f.svc.PersonOf(f.ctx, 999999); err != nil || author != 0 {
		t.Errorf("person of another contribution: %d %v", author, err)
	}
	// Marie wrote it: she cannot support it.
	if _, err := f.svc.Support(f.ctx, f.mediator, r.Person.ID, r.ContributionID, true); !errors.Is(err, contribution.ErrOwn) {
		t.Errorf("the person's own contribution: %v", err)
	}
	// Nor the médiateur's own contribution.
	own, pr, err := f.store.Create(f.ctx, contribution.Actor{UserID: f.mediator, Category: "mediation-numerique", DepartementID: &p.DepartementID},
		f.cons.ID, contribution.Draft{Entry: contribution.EntryLibres, AxisID: f.cons.Axes[0].ID, Title: "La mienne", Body: "Texte"})
	if err != nil || len(pr) > 0 {
		t.Fatal(pr, err)
	}
	if _, err := f.svc.Support(f.ctx, f.mediator, p.ID, own, true); !errors.Is(err, contribution.ErrMediatorOwn) {
		t.Errorf("the médiateur's own contribution: %v", err)
	}
	if _, err := f.svc.Support(f.ctx, f.mediator, p.ID, 999999, true); !errors.Is(err, contribution.ErrNotFound) {
		t.Errorf("no such contribution: %v", err)
	}
	// Another médiateur cannot act for Jo; nor this one once the visit is over.
	if _, err := f.svc.Support(f.ctx, f.newMediator("departement", "29"), p.ID, r.ContributionID, false); !errors.Is(err, ErrPersonAbsent) {
		t.Errorf("another médiateur: %v", err)
	}
	f.exec(`UPDATE mediation_people SET consent_at = now() - interval '13 hours' WHERE id = ?`, p.ID)
	if _, err := f.svc.Support(f.ctx, f.mediator, p.ID, r.ContributionID, false); !errors.Is(err, ErrPersonAbsent) {
		t.Errorf("after the visit: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'mediation.support' AND actor_id = ?`, f.mediator); n != 2 {
		t.Errorf("supports audited %d times", n)
	}
}

// TestAssistedSupportsStayExactUnderConcurrency has médiateurs record and
// remove supports for their people while accounts support the same
// contributions, all at once, then checks each counter against the rows,
// the limit per person, and that Recount finds nothing to set right.
func TestAssistedSupportsStayExactUnderConcurrency(t *testing.T) {
	f := newFixture(t, Limits{People: 100, Contributions: 100, Supports: 1000, SupportsPerPerson: 4})
	mediators := []int64{f.mediator, f.newMediator("departement", "29"), f.newMediator("region", "53")}
	people := map[int64][]int64{}
	for _, m := range mediators {
		for range 5 {
			p, _, err := f.svc.RecordPerson(f.ctx, m, person("", "29"))
			if err != nil {
				t.Fatal(err)
			}
			people[m] = append(people[m], p.ID)
		}
	}
	var accounts []contribution.Actor
	var targets []int64
	dep := int64(f.count(`SELECT id FROM territories WHERE kind = 'departement' AND code = '29'`))
	for i := range 6 {
		a := contribution.Actor{UserID: f.user("Compte"), Category: "citoyen", DepartementID: &dep}
		accounts = append(accounts, a)
		id, p, err := f.store.Create(f.ctx, a, f.cons.ID, contribution.Draft{Entry: contribution.EntryLibres, AxisID: f.cons.Axes[i%4].ID,
			Title: "Cible", Body: "Texte"})
		if err != nil || len(p) > 0 {
			t.Fatal(p, err)
		}
		targets = append(targets, id)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2000)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 14))
			ctx := context.Background()
			for range 60 {
				id := targets[r.IntN(len(targets))]
				var err error
				if w < 6 { // two goroutines per médiateur
					m := mediators[w%3]
					p := people[m][r.IntN(5)]
					_, err = f.svc.Support(ctx, m, p, id, r.IntN(4) != 0)
				} else {
					a := accounts[r.IntN(len(accounts))]
					if r.IntN(3) == 0 {
						_, err = f.store.Unsupport(ctx, a, id)
					} else {
						_, err = f.store.Support(ctx, a, id)
					}
				}
				var le *LimitError
				if err != nil && !errors.As(err, &le) && !errors.Is(err, contribution.ErrOwn) {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("write: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM assisted_supports`); n < 20 {
		t.Fatalf("only %d assisted supports written", n)
	}
	if bad := f.count(`SELECT count(*) FROM contribution_counters k WHERE k.supports <>
		(SELECT count(*) FROM supports s WHERE s.contribution_id = k.contribution_id)
		+ (SELECT count(*) FROM assisted_supports s WHERE s.contribution_id = k.contribution_id)`); bad != 0 {
		t.Errorf("%d counters differ from their rows", bad)
	}
	if over := f.count(`SELECT count(*) FROM (SELECT person_id FROM assisted_supports GROUP BY 1 HAVING count(*) > 4) x`); over != 0 {
		t.Errorf("%d people over their limit", over)
	}
	r, err := f.store.Recount(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Exact() {
		t.Errorf("recount set things right: %+v", r)
	}
}
