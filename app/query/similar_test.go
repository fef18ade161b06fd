package query_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/query"
	"github.com/cnr-numerique/concertation/search"
)

// TestSimilar: the contributions like a title being typed come from the
// search engine, most relevant first, published only, without the one being
// edited; a title of a few letters or of query syntax only suggests nothing,
// and the syntax of a query in a title is read as plain words.
func TestSimilar(t *testing.T) {
	f := newFixture(t)
	a := f.actor("a", "citoyen")
	mairie := f.create(a, contribution.Draft{Title: "Former les aidants numériques dans les mairies"})
	other := f.create(a, contribution.Draft{Title: "Former les aidants numériques", Body: "Dans les bibliothèques."})
	f.create(a, contribution.Draft{Title: "Financer les tiers-lieux"})
	hidden := f.create(a, contribution.Draft{Title: "Former les aidants numériques des mairies rurales"})
	if err := f.store.Moderate(f.ctx, hidden, contribution.StatusHidden, nil); err != nil {
		t.Fatal(err)
	}
	ids := func(vs []contribution.View) []int64 {
		var out []int64
		for _, v := range vs {
			out = append(out, v.ID)
		}
		return out
	}
	got, err := f.query.Similar(f.ctx, f.cons.ID, "former des aidants numériques en mairie", 0, 5)
	if err != nil || len(got) != 2 || got[0].ID != mairie || got[1].ID != other {
		t.Errorf("similar: %v %v, want [%d %d] (every word first, then some)", ids(got), err, mairie, other)
	}
	if got, _ := f.query.Similar(f.ctx, f.cons.ID, "former des aidants numériques en mairie", mairie, 5); len(got) != 1 || got[0].ID != other {
		t.Errorf("excluding the one edited: %v", ids(got))
	}
	if got, _ := f.query.Similar(f.ctx, f.cons.ID, "former des aidants numériques", 0, 1); len(got) != 1 {
		t.Errorf("limit 1: %v", ids(got))
	}
	// Quotes, a leading dash and "or" are no syntax in a title: the dash
	// would otherwise exclude the tiers-lieux, "or" join two queries.
	if got, _ := f.query.Similar(f.ctx, f.cons.ID, `-Financer "les tiers-lieux" or`, 0, 5); len(got) != 1 || got[0].ID == mairie {
		t.Errorf("title with query syntax: %v", ids(got))
	}
	for _, short := range []string{"zz", "", `"-" or`, "\x00\x01"} {
		if got, err := f.query.Similar(f.ctx, f.cons.ID, short, 0, 5); len(got) != 0 || err != nil {
			t.Errorf("%q: %v %v", short, ids(got), err)
		}
	}
}

// timeoutEngine answers every search as the PostgreSQL engine does past its
// statement timeout.
type timeoutEngine struct{ search.Engine }

func (timeoutEngine) Search(context.Context, search.Query) (search.Result, error) {
	return search.Result{}, fmt.Errorf("%w: canceling statement due to statement timeout", search.ErrTimeout)
}

// TestSimilarTooBroad: a search past the engine's time bound suggests
// nothing and is no error; any other failure of the engine is one.
func TestSimilarTooBroad(t *testing.T) {
	f := newFixture(t)
	a := f.actor("a", "citoyen")
	f.create(a, contribution.Draft{Title: "Former les aidants numériques"})
	q := query.New(f.db, f.store, timeoutEngine{search.NewPostgres(f.db.SQL())})
	got, err := q.Similar(f.ctx, f.cons.ID, "former les aidants", 0, 5)
	if err != nil || len(got) != 0 {
		t.Errorf("too broad: %v %v", got, err)
	}
	f.db.SQL().Close()
	q = query.New(f.db, f.store, search.NewPostgres(f.db.SQL()))
	if _, err := q.Similar(f.ctx, f.cons.ID, "former les aidants", 0, 5); err == nil {
		t.Error("a closed database gave no error")
	}
}

// slowEngine takes its time over every search and records how many ran at
// once.
type slowEngine struct {
	search.Engine
	name      string
	cur, most atomic.Int32
}

func (e *slowEngine) Name() string { return e.name }

func (e *slowEngine) Search(context.Context, search.Query) (search.Result, error) {
	n := e.cur.Add(1)
	for {
		m := e.most.Load()
		if n <= m || e.most.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(20 * time.Millisecond)
	e.cur.Add(-1)
	return search.Result{}, nil
}

// TestPostgresSearchesRunInTurn: the PostgreSQL engine runs at most one
// search per core (two at least) at once, the others waiting their turn,
// none lost; an engine on its own servers is not bounded.
func TestPostgresSearchesRunInTurn(t *testing.T) {
	f := newFixture(t)
	slots := int32(max(2, runtime.NumCPU()))
	for _, name := range []string{"postgres", "meilisearch"} {
		e := &slowEngine{Engine: search.NewPostgres(f.db.SQL()), name: name}
		q := query.New(f.db, f.store, e)
		var wg sync.WaitGroup
		errs := make(chan error, 24)
		for i := range 24 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// One word, a new one each time: one search, never a kept answer.
				_, err := q.Similar(f.ctx, f.cons.ID, fmt.Sprintf("mot%04d", i), 0, 5)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		most := e.most.Load()
		if name == "postgres" && (most > slots || most < 2) {
			t.Errorf("postgres: %d searches at once, want 2 to %d", most, slots)
		}
		if name == "meilisearch" && most <= slots {
			t.Errorf("meilisearch: at most %d searches at once, want more than %d (no bound)", most, slots)
		}
	}
}
