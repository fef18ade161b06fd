package query_test

import (
	"context"
	"fmt"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/query"
	"github.com/cnr-numerique/concertation/search"
)

// TestSearchPagePastTheEnd: a search page past the last one shows the last
// page, as the lists do, never an empty page numbered beyond the count; in
// every order.
func TestSearchPagePastTheEnd(t *testing.T) {
	f := newFixture(t)
	a := f.actor("a", "citoyen")
	var all []int64
	for i := range 13 {
		all = append(all, f.create(a, contribution.Draft{Title: fmt.Sprintf("Former les aidants %d", i)}))
	}
	for _, sort := range []string{"", "soutiens", "recentes"} {
		v := url.Values{"q": {"aidants"}, "par": {"10"}, "page": {"7"}, "tri": {sort}}
		res, err := f.query.List(f.ctx, query.Parse(v, f.refs, true), query.ParseRequest(v))
		if err != nil {
			t.Fatal(err)
		}
		if res.Number != 2 || res.Pages != 2 || len(res.Items) != 3 || res.Total != 13 {
			t.Errorf("tri=%s page 7: page %d of %d, %d items of %d; want the last page, 2 of 2, 3 items of 13",
				sort, res.Number, res.Pages, len(res.Items), res.Total)
		}
	}
}

// countingEngine counts the searches asked of the engine it wraps.
type countingEngine struct {
	search.Engine
	searches atomic.Int64
}

func (e *countingEngine) Search(ctx context.Context, q search.Query) (search.Result, error) {
	e.searches.Add(1)
	return e.Engine.Search(ctx, q)
}

// TestSearchNothingFoundAsksOnce: a page asked of a search that finds
// nothing is answered as the first page, empty, from one search: the
// engine is not asked again for the last page, which would find nothing
// again, at the same cost.
func TestSearchNothingFoundAsksOnce(t *testing.T) {
	f := newFixture(t)
	a := f.actor("a", "citoyen")
	f.create(a, contribution.Draft{Title: "Former les aidants"})
	engine := &countingEngine{Engine: search.NewPostgres(f.db.SQL())}
	svc := query.New(f.db, f.store, engine)
	for i, sort := range []string{"", "soutiens", "recentes"} {
		v := url.Values{"q": {`"aidants former"`}, "page": {"7"}, "tri": {sort}}
		res, err := svc.List(f.ctx, query.Parse(v, f.refs, true), query.ParseRequest(v))
		if err != nil {
			t.Fatal(err)
		}
		if res.Number != 1 || res.Pages != 1 || len(res.Items) != 0 || res.Total != 0 {
			t.Errorf("tri=%s page 7: page %d of %d, %d items of %d; want page 1 of 1, empty", sort, res.Number, res.Pages, len(res.Items), res.Total)
		}
		if got := engine.searches.Load(); got != int64(i+1) {
			t.Errorf("tri=%s: the engine was asked %d times in all after %d searches", sort, got, i+1)
		}
	}
}
