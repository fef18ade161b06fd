package web

import (
	"strconv"

	"github.com/cnr-numerique/concertation/app/contribution"
)

// listFields builds the filters of the list form with their facet counts.
// Territories and Hubs without any contribution are left out, except the
// chosen one.
func listFields(p Page, refs *contribution.Reference, q contribution.ListQuery, f contribution.Facets, fixed listFixed) []filterField {
	var fields []filterField
	if fixed.AxisID == 0 {
		axis := filterField{Name: contribution.ParamAxis, Label: "Axe"}
		for _, a := range p.Consultation.Axes {
			axis.Options = append(axis.Options, filterOption{Value: a.Slug, Label: "Axe " + strconv.Itoa(a.Position) + " : " + a.Title,
				Count: f.Axis[a.ID], Selected: a.ID == q.AxisID})
		}
		fields = append(fields, axis)
	}
	if fixed.HubID == 0 {
		fields = append(fields, filterField{Name: contribution.ParamEntry, Label: "Entrée", Options: []filterOption{
			{Value: contribution.EntryHubs, Label: "Propositions des Hubs", Count: f.Entry[contribution.EntryHubs], Selected: q.Entry == contribution.EntryHubs},
			{Value: contribution.EntryLibres, Label: "Contributions libres", Count: f.Entry[contribution.EntryLibres], Selected: q.Entry == contribution.EntryLibres},
		}})
	}
	cat := filterField{Name: contribution.ParamCategory, Label: "Catégorie d'auteur"}
	for _, c := range refs.Categories {
		cat.Options = append(cat.Options, filterOption{Value: c.Code, Label: c.Label, Count: f.Category[c.Code], Selected: c.Code == q.Category})
	}
	fields = append(fields, cat)
	region := filterField{Name: contribution.ParamRegion, Label: "Région"}
	for _, t := range refs.Regions {
		if n := f.Region[t.ID]; n > 0 || t.ID == q.RegionID {
			region.Options = append(region.Options, filterOption{Value: t.Code, Label: t.Name, Count: n, Selected: t.ID == q.RegionID})
		}
	}
	fields = append(fields, region)
	dep := filterField{Name: contribution.ParamDepartement, Label: "Département"}
	for _, t := range refs.Departements {
		if n := f.Departement[t.ID]; n > 0 || t.ID == q.DepartementID {
			dep.Options = append(dep.Options, filterOption{Value: t.Code, Label: t.Label(), Count: n, Selected: t.ID == q.DepartementID})
		}
	}
	fields = append(fields, dep)
	if fixed.HubID == 0 {
		h := filterField{Name: contribution.ParamHub, Label: "Hub"}
		for _, r := range refs.Hubs {
			if n := f.Hub[r.ID]; n > 0 || r.ID == q.HubID {
				h.Options = append(h.Options, filterOption{Value: r.Slug, Label: r.Name, Count: n, Selected: r.ID == q.HubID})
			}
		}
		fields = append(fields, h)
	}
	target := filterField{Name: contribution.ParamReactsTo, Label: "Réagit à la proposition"}
	found := false
	for _, t := range f.ReactsTo {
		sel := t.Key == strconv.FormatInt(q.ReactsToID, 10)
		found = found || sel
		target.Options = append(target.Options, filterOption{Value: t.Key, Label: t.Label, Count: t.Count, Selected: sel})
	}
	if q.ReactsToID != 0 && !found {
		target.Options = append(target.Options, filterOption{Value: strconv.FormatInt(q.ReactsToID, 10),
			Label: "Proposition n° " + strconv.FormatInt(q.ReactsToID, 10), Selected: true})
	}
	return append(fields, target)
}
