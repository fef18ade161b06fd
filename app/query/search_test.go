package query_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/query"
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
