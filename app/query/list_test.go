package query_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/query"
)

func TestListFiltersFacetsSorts(t *testing.T) {
	f := newFixture(t)
	hubID := f.hubs[0].ID
	member := f.actor("membre", "association", hubID)
	citizen := f.actor("citoyen", "citoyen")
	elu := f.actor("elu", "elu")
	prop := f.create(member, contribution.Draft{Entry: contribution.EntryHubs, HubID: hubID, Title: "Proposition"})
	r1 := f.create(citizen, contribution.Draft{Title: "Réaction", ReactsToID: prop, ReactionType: "soutient", AxisID: f.cons.Axes[1].ID})
	e1 := f.create(elu, contribution.Draft{Title: "Élu Bretagne", TerritoryKind: "region", TerritoryCode: "53"})
	e2 := f.create(elu, contribution.Draft{Title: "Élu Finistère"})
	for _, u := range []contribution.Actor{citizen, member} {
		if _, err := f.store.Support(f.ctx, u, e2); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.Support(f.ctx, citizen, e1); err != nil {
		t.Fatal(err)
	}
	list := func(raw string) query.List {
		t.Helper()
		v, _ := url.ParseQuery(raw)
		flt := query.Parse(v, f.refs, true)
		res, err := f.query.List(f.ctx, flt, query.ParseRequest(v))
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		return res
	}
	ids := func(r query.List) []int64 {
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
	same("bad values ignored", ids(list("categorie=elu&axe=nope&region=99&page=-3&tri=bof")), []int64{e2, e1})
	same("repeated values: any of them", ids(list("categorie=elu&categorie=citoyen")), []int64{e2, e1, r1})
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
	if res.Facets.Entry[contribution.EntryLibres] != 2 || res.Facets.Entry[contribution.EntryHubs] != 0 || res.Facets.Axis[f.cons.Axes[0].ID] != 2 {
		t.Errorf("facets with the elu filter %+v", res.Facets)
	}
	res = list("")
	if len(res.Facets.ReactsTo) != 1 || res.Facets.ReactsTo[0].Label != "Proposition" || res.Facets.ReactsTo[0].Count != 1 {
		t.Errorf("reaction facets %+v", res.Facets.ReactsTo)
	}
	// A reaction target's view (the link under each Hub proposal): its
	// dimensions counted among its reactions, the other targets from the
	// counters (without counts once another filter applies).
	res = list(fmt.Sprintf("reagit_a=%d", prop))
	if res.Total != 1 || res.Facets.Axis[f.cons.Axes[1].ID] != 1 || res.Facets.Category["citoyen"] != 1 || res.Facets.Category["elu"] != 0 ||
		len(res.Facets.ReactsTo) != 1 || res.Facets.ReactsTo[0].Key != fmt.Sprint(prop) || res.Facets.ReactsTo[0].Count != 1 {
		t.Errorf("facets of a reaction target %+v", res.Facets)
	}
	res = list(fmt.Sprintf("reagit_a=%d&categorie=elu", prop))
	if res.Total != 0 || res.Facets.Category["citoyen"] != 1 || len(res.Facets.ReactsTo) != 1 || res.Facets.ReactsTo[0].Count != -1 {
		t.Errorf("facets of a reaction target and a category %+v", res.Facets)
	}
	r1a, r1b := list("tri=hasard&graine=7"), list("tri=hasard&graine=7")
	same("random is stable for a seed", ids(r1a), ids(r1b))
	if len(ids(list("tri=hasard&graine=8"))) != 4 {
		t.Error("random lost rows")
	}
	same("discussed", ids(list("tri=discutees"))[:1], []int64{prop})
	author := query.Parse(url.Values{}, f.refs, true)
	author.Author = member.UserID
	if r, err := f.query.List(f.ctx, author, query.PageRequest{}); err != nil || r.Total != 0 {
		t.Errorf("a Hub proposal shows on its member's author page: %v %v", r.Total, err)
	}
	author.Author = elu.UserID
	if r, err := f.query.List(f.ctx, author, query.PageRequest{}); err != nil || fmt.Sprint(ids(r)) != fmt.Sprint([]int64{e2, e1}) {
		t.Errorf("author page: %v %v", ids(r), err)
	}
}
