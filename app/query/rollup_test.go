package query_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/url"
	"sync"
	"testing"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/answer"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/mediation"
	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/cnr-numerique/concertation/app/query"
)

// checkRollup compares every cell of the rollup, every listing row and every
// counter with the rows they count, and asks Recount, which must find
// nothing to set right.
func (f *fixture) checkRollup(t *testing.T) {
	t.Helper()
	bad := f.count(`WITH truth AS (
		SELECT consultation_id, status, axis_id, entry, author_category, coalesce(region_id, 0) AS region_id,
		       coalesce(departement_id, 0) AS departement_id, coalesce(hub_id, 0) AS hub_id, assisted, count(*) AS n
		  FROM contributions GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9)
		SELECT count(*) FROM contribution_cells x FULL JOIN truth t
		    ON (x.consultation_id, x.status, x.axis_id, x.entry, x.author_category, x.region_id, x.departement_id, x.hub_id, x.assisted)
		     = (t.consultation_id, t.status, t.axis_id, t.entry, t.author_category, t.region_id, t.departement_id, t.hub_id, t.assisted)
		 WHERE coalesce(x.n, 0) <> coalesce(t.n, 0)`)
	if bad != 0 {
		t.Errorf("%d cells of the rollup differ from count(*)", bad)
	}
	if n := f.count(`SELECT count(*) FROM contributions c LEFT JOIN contribution_listing l ON l.contribution_id = c.id
		LEFT JOIN contribution_cells x ON x.id = l.cell_id
		WHERE x.id IS NULL OR (x.status, x.axis_id, x.author_category, x.departement_id, x.assisted)
		   <> (c.status, c.axis_id, c.author_category, coalesce(c.departement_id, 0), c.assisted)`); n != 0 {
		t.Errorf("%d contributions listed in the wrong cell", n)
	}
	r, err := f.store.Recount(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Exact() {
		t.Errorf("recount set things right: %+v", r)
	}
}

// TestRollupStaysExactUnderConcurrentWrites makes random writes of every kind
// at once (publish, react, edit the axis or territory, withdraw, hide,
// restore, support and withdraw a support, argue, delete an account with or
// without its contributions, publish a contribution accompagnée for a person
// at a médiateur's side and record their supports), then checks that the
// rollup equals count(*) for every combination, and that the counts the
// service gives for random filter combinations (accompagnée or not among
// them) equal a direct count.
func TestRollupStaysExactUnderConcurrentWrites(t *testing.T) {
	f := newFixture(t)
	mods := moderation.NewStore(f.db, 3, f.store)
	accounts := account.NewStore(f.db)
	cats := []string{"citoyen", "elu", "association", "collectivite"}
	var actors []contribution.Actor
	for i := range 24 {
		var hubs []int64
		if i%6 == 0 {
			hubs = []int64{f.hubs[i%len(f.hubs)].ID}
		}
		actors = append(actors, f.actor(fmt.Sprintf("personne%d", i), cats[i%len(cats)], hubs...))
	}
	moderator := f.actor("moderatrice", "citoyen")
	mediators := mediation.New(f.db, f.store, mediation.Limits{People: 1000, Contributions: 1000, Supports: 1000, SupportsPerPerson: 1000},
		"un secret de session assez long pour le test")
	var mediatorIDs []int64
	for i := range 2 {
		m := f.actor(fmt.Sprintf("mediatrice%d", i), "mediation-numerique")
		if err := mediators.Grant(f.ctx, nil, m.UserID, mediation.Profile{StructureKind: mediation.StructureFranceServices,
			StructureName: "France services", TerritoryKind: "region", TerritoryCode: "53"}); err != nil {
			t.Fatal(err)
		}
		mediatorIDs = append(mediatorIDs, m.UserID)
	}
	territories := [][2]string{{"departement", "29"}, {"departement", "35"}, {"region", "53"}, {"departement", "75"}, {"region", "11"}}

	var mu sync.Mutex
	var ids []int64
	var people [][2]int64 // médiateur and person of each contribution accompagnée
	deleted := map[int64]bool{}
	pick := func(r *rand.Rand) (int64, bool) {
		mu.Lock()
		defer mu.Unlock()
		if len(ids) == 0 {
			return 0, false
		}
		return ids[r.IntN(len(ids))], true
	}
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 99))
			ctx := context.Background()
			for range 60 {
				a := actors[r.IntN(len(actors))]
				mu.Lock()
				gone := deleted[a.UserID]
				mu.Unlock()
				if gone {
					continue
				}
				t := territories[r.IntN(len(territories))]
				d := contribution.Draft{Entry: contribution.EntryLibres, AxisID: f.cons.Axes[r.IntN(4)].ID, TerritoryKind: t[0], TerritoryCode: t[1],
					Title: "Titre", Body: "Texte"}
				var err error
				switch op := r.IntN(12); {
				case op < 3: // publish, a Hub proposal for members (refused once the account is deleted)
					if len(a.HubIDs) > 0 && r.IntN(2) == 0 {
						d.Entry, d.HubID = contribution.EntryHubs, a.HubIDs[0]
					} else if target, ok := pick(r); ok && r.IntN(3) == 0 {
						d.ReactsToID, d.ReactionType = target, "nuance" // refused unless a Hub proposal
					}
					var id int64
					var p contribution.Problems
					id, p, err = f.store.Create(ctx, a, f.cons.ID, d)
					if err == nil && len(p) == 0 {
						mu.Lock()
						ids = append(ids, id)
						mu.Unlock()
					}
				case op < 4: // edit
					if id, ok := pick(r); ok {
						_, err = f.store.Update(ctx, a, id, d)
					}
				case op < 5:
					if id, ok := pick(r); ok {
						err = f.store.Withdraw(ctx, a, id)
					}
				case op < 6: // hide or restore
					if id, ok := pick(r); ok {
						if r.IntN(2) == 0 {
							err = mods.Hide(ctx, moderator.UserID, moderation.KindContribution, id, moderation.HideInput{Motif: moderation.ReasonSpam})
						} else {
							err = mods.Restore(ctx, moderator.UserID, moderation.KindContribution, id)
						}
					}
				case op < 8:
					if id, ok := pick(r); ok {
						if r.IntN(3) == 0 {
							_, err = f.store.Unsupport(ctx, a, id)
						} else {
							_, err = f.store.Support(ctx, a, id)
						}
					}
				case op < 9:
					if id, ok := pick(r); ok {
						_, err = f.store.AddArgument(ctx, a, id, contribution.ArgumentDraft{Stance: "pour", Body: "Oui"})
					}
				case op == 10: // a contribution accompagnée, for a new person
					m := mediatorIDs[r.IntN(len(mediatorIDs))]
					in := mediation.PersonInput{Category: cats[r.IntN(len(cats))], Departement: []string{"29", "35"}[r.IntN(2)], Consent: true}
					var rc mediation.Receipt
					var p contribution.Problems
					rc, p, err = mediators.Contribute(ctx, m, f.cons.ID, 0, in, d)
					if err == nil && len(p) == 0 {
						mu.Lock()
						ids = append(ids, rc.ContributionID)
						people = append(people, [2]int64{m, rc.Person.ID})
						mu.Unlock()
					}
				case op == 11: // a person at a médiateur's side supports, or takes back a support
					mu.Lock()
					var mp [2]int64
					if len(people) > 0 {
						mp = people[r.IntN(len(people))]
					}
					mu.Unlock()
					if id, ok := pick(r); ok && mp[0] != 0 {
						_, err = mediators.Support(ctx, mp[0], mp[1], id, r.IntN(3) != 0)
					}
				default: // an account goes, with or without its contributions
					if r.IntN(4) == 0 {
						mu.Lock()
						deleted[a.UserID] = true
						mu.Unlock()
						err = accounts.Delete(ctx, a.UserID, r.IntN(2) == 0, f.store)
					}
				}
				if err != nil && !expected(err) {
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
	if n := f.count(`SELECT count(*) FROM contributions`); n < 50 {
		t.Fatalf("only %d contributions written", n)
	}
	if n := f.count(`SELECT count(*) FROM contributions WHERE assisted`); n < 10 {
		t.Fatalf("only %d contributions accompagnées written", n)
	}
	if n := f.count(`SELECT count(*) FROM assisted_supports`); n < 5 {
		t.Fatalf("only %d assisted supports written", n)
	}
	f.checkRollup(t)

	// Official answers to a third of the contributions, whatever their
	// status, counted by the facets from the rollup's cells.
	answers := answer.NewStore(f.db)
	ra := rand.New(rand.NewPCG(5, 5))
	for _, id := range ids {
		if ra.IntN(3) == 0 {
			if err := answers.Set(f.ctx, id, moderator.UserID, answer.States[ra.IntN(len(answer.States))], "Réponse"); err != nil && !errors.Is(err, answer.ErrNotFound) {
				t.Fatal(err)
			}
		}
	}
	f.store.Invalidate()
	if n := f.count(`SELECT count(*) FROM official_answers`); n < 10 {
		t.Fatalf("only %d official answers", n)
	}

	// The service's counts for random filter combinations equal count(*),
	// and so do the official answers by state.
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 80 {
		v := url.Values{}
		if r.IntN(2) == 0 {
			v.Add("axe", f.cons.Axes[r.IntN(4)].Slug)
		}
		if r.IntN(2) == 0 {
			v.Add("categorie", cats[r.IntN(len(cats))])
		}
		if r.IntN(3) == 0 {
			v.Add("region", "53")
		}
		if r.IntN(3) == 0 {
			v.Add("departement", territories[r.IntN(2)][1])
		}
		if r.IntN(4) == 0 {
			v.Add("entree", "hubs")
		}
		if r.IntN(3) == 0 {
			v.Add("accompagnee", []string{"1", "0"}[r.IntN(2)])
		}
		public := i < 60
		if !public { // the rapporteurs' views, of several statuses
			v.Add("statut", []string{"masquee", "retiree", "publiee"}[r.IntN(3)])
			v.Add("statut", "masquee")
		}
		flt := query.Parse(v, f.refs, public)
		var a query.Args
		want := f.count(`SELECT count(*) FROM contributions c WHERE `+flt.Where(f.refs, &a), a...)
		wantAnswers := map[answer.State]int{}
		for _, st := range answer.States {
			var a query.Args
			if n := f.count(`SELECT count(*) FROM official_answers oa JOIN contributions c ON c.id = oa.contribution_id
				WHERE oa.state = '`+string(st)+`' AND `+flt.Where(f.refs, &a), a...); n > 0 {
				wantAnswers[st] = n
			}
		}
		fc, err := f.query.Facets(f.ctx, flt)
		if err != nil {
			t.Fatal(err)
		}
		page, err := f.query.IDs(f.ctx, flt, query.PageRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if fc.Total != want || page.Total != want {
			t.Errorf("%s: facets say %d, page says %d, count(*) %d", v.Encode(), fc.Total, page.Total, want)
		}
		if !maps.Equal(fc.Answers, wantAnswers) {
			t.Errorf("%s: answers by state %v, count(*) %v", v.Encode(), fc.Answers, wantAnswers)
		}
	}
}

// expected tells the refusals that random writes meet (not the author, not
// published any more, own contribution, not a Hub proposal...).
func expected(err error) bool {
	for _, e := range []error{contribution.ErrNotAllowed, contribution.ErrNotPublished, contribution.ErrOwn, contribution.ErrNotFound,
		contribution.ErrMediatorOwn, moderation.ErrNotHidden, moderation.ErrWithdrawn, moderation.ErrNotFound} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
