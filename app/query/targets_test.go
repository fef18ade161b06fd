package query_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/query"
)

// TestReactionTargetsMatchSQL compares the reaction targets of lists (the
// most reacted-to Hub proposals of their axis and Hub filters, picked in
// memory) with the same ranking read from the contributions, for every
// combination of an axis and a Hub: published proposals only, ties by id.
func TestReactionTargetsMatchSQL(t *testing.T) {
	f := newFixture(t)
	h1, h2 := f.hubs[0], f.hubs[1]
	m1, m2 := f.actor("membre1", "association", h1.ID), f.actor("membre2", "association", h2.ID)
	citizen := f.actor("citoyenne", "citoyen")
	var props []int64
	for i := range 12 {
		m, h := m1, h1.ID
		if i%3 == 0 {
			m, h = m2, h2.ID
		}
		props = append(props, f.create(m, contribution.Draft{Entry: contribution.EntryHubs, HubID: h, AxisID: f.cons.Axes[i%4].ID,
			Title: fmt.Sprintf("Proposition %d", i)}))
	}
	for i, p := range props {
		for range (i * 7) % 5 { // 0 to 4 reactions, with ties
			f.create(citizen, contribution.Draft{Title: "Réaction", ReactsToID: p, ReactionType: "complete"})
		}
	}
	reason := "hors sujet"
	if err := f.store.Moderate(f.ctx, props[4], contribution.StatusHidden, &reason); err != nil {
		t.Fatal(err)
	}
	views := []string{""}
	for _, a := range f.cons.Axes {
		views = append(views, "axe="+a.Slug, "axe="+a.Slug+"&hub="+h1.Slug, "axe="+a.Slug+"&hub="+h2.Slug)
	}
	views = append(views, "hub="+h1.Slug, "hub="+h2.Slug, "hub="+h1.Slug+"&hub="+h2.Slug)
	for _, raw := range views {
		v, _ := url.ParseQuery(raw)
		flt := query.Parse(v, f.refs, true)
		res, err := f.query.List(f.ctx, flt, query.PageRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, fv := range res.Facets.ReactsTo {
			got = append(got, fmt.Sprintf("%s:%s:%d", fv.Key, fv.Label, fv.Count))
		}
		cond := "true"
		if len(flt.Axes) > 0 {
			cond += fmt.Sprintf(" AND c.axis_id = %d", flt.Axes[0])
		}
		if len(flt.Hubs) == 1 {
			cond += fmt.Sprintf(" AND c.hub_id = %d", flt.Hubs[0])
		}
		var want []string
		err = f.db.Conn(f.ctx).Raw(`SELECT c.id || ':' || c.title || ':' || n FROM (
			SELECT r.reacts_to_id AS id, count(*) AS n FROM contributions r WHERE r.status = 'published' AND r.reacts_to_id IS NOT NULL GROUP BY 1) t
			JOIN contributions c ON c.id = t.id WHERE c.status = 'published' AND ` + cond + ` ORDER BY n DESC, c.id LIMIT 20`).Scan(&want).Error
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%q: targets %v, want %v", raw, got, want)
		}
	}
}
