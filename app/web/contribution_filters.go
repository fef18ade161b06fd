package web

import (
	"slices"
	"strconv"

	"github.com/cnr-numerique/concertation/app/answer"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/query"
)

// listFields builds the filters of the list form with their facet counts.
// Territories and Hubs without any contribution are left out, except the
// chosen one. A count of -1 is not shown.
func listFields(p Page, refs query.Refs, f query.Filter, fc query.Facets, fixed listFixed) []filterField {
	fields := make([]filterField, 0, 10) // the dimensions below; sized, as the options, for a list page's every visit
	if fixed.AxisID == 0 {
		axis := filterField{Name: "axe", Label: "Axe", Options: make([]filterOption, 0, len(p.Consultation.Axes))}
		for _, a := range p.Consultation.Axes {
			axis.Options = append(axis.Options, filterOption{Value: a.Slug, Label: "Axe " + strconv.Itoa(a.Position) + " : " + a.Title,
				Count: fc.Axis[a.ID], Selected: slices.Contains(f.Axes, a.ID)})
		}
		fields = append(fields, axis)
	}
	if fixed.HubID == 0 {
		fields = append(fields, filterField{Name: "entree", Label: "Entrée", Options: []filterOption{
			{Value: contribution.EntryHubs, Label: "Propositions des Hubs", Count: fc.Entry[contribution.EntryHubs],
				Selected: slices.Contains(f.Entries, contribution.EntryHubs)},
			{Value: contribution.EntryLibres, Label: "Contributions libres", Count: fc.Entry[contribution.EntryLibres],
				Selected: slices.Contains(f.Entries, contribution.EntryLibres)},
		}})
	}
	cat := filterField{Name: "categorie", Label: "Catégorie d'auteur", Options: make([]filterOption, 0, len(refs.Categories))}
	for _, c := range refs.Categories {
		cat.Options = append(cat.Options, filterOption{Value: c.Code, Label: c.Label, Count: fc.Category[c.Code],
			Selected: slices.Contains(f.Categories, c.Code)})
	}
	fields = append(fields, cat)
	region := filterField{Name: "region", Label: "Région", Options: make([]filterOption, 0, len(refs.Regions))}
	for _, t := range refs.Regions {
		if n, sel := fc.Region[t.ID], slices.Contains(f.Regions, t.ID); n > 0 || sel {
			region.Options = append(region.Options, filterOption{Value: t.Code, Label: t.Name, Count: n, Selected: sel})
		}
	}
	fields = append(fields, region)
	dep := filterField{Name: "departement", Label: "Département", Options: make([]filterOption, 0, len(refs.Departements))}
	for _, t := range refs.Departements {
		if n, sel := fc.Departement[t.ID], slices.Contains(f.Departements, t.ID); n > 0 || sel {
			dep.Options = append(dep.Options, filterOption{Value: t.Code, Label: t.Name + " (" + t.Code + ")", Count: n, Selected: sel})
		}
	}
	fields = append(fields, dep)
	if fixed.HubID == 0 {
		h := filterField{Name: "hub", Label: "Hub", Options: make([]filterOption, 0, len(refs.Hubs))}
		for _, r := range refs.Hubs {
			if n, sel := fc.Hub[r.ID], slices.Contains(f.Hubs, r.ID); n > 0 || sel {
				h.Options = append(h.Options, filterOption{Value: r.Slug, Label: r.Name, Count: n, Selected: sel})
			}
		}
		fields = append(fields, h)
	}
	answers := filterField{Name: "reponse", Label: "Réponse officielle"}
	for _, st := range answer.States {
		if n, sel := fc.Answers[st], slices.Contains(f.Answers, st); n > 0 || sel {
			answers.Options = append(answers.Options, filterOption{Value: st.Param(), Label: st.Label(), Count: n, Selected: sel})
		}
	}
	if len(answers.Options) > 0 {
		fields = append(fields, answers)
	}
	// Contributions accompagnées: no count beside them when the list
	// answers a text search (the engine does not count them).
	assisted := filterField{Name: "accompagnee", Label: "Accompagnement"}
	for _, b := range []bool{true, false} {
		n := -1
		if fc.Assisted != nil {
			n = fc.Assisted[b]
		}
		value, label := "0", "Sans accompagnement"
		if b {
			value, label = "1", "Accompagnées par un médiateur numérique"
		}
		assisted.Options = append(assisted.Options, filterOption{Value: value, Label: label, Count: n, Selected: slices.Contains(f.Assisted, b)})
	}
	fields = append(fields, assisted)
	// The reaction targets: the most reacted-to Hub proposals, with their
	// reactions (not narrowed by the other filters, so no count is shown
	// beside them once one is chosen).
	target := filterField{Name: "reagit_a", Label: "Réagit à la proposition"}
	found := false
	for _, t := range fc.ReactsTo {
		sel := t.Key == strconv.FormatInt(f.ReactsTo, 10)
		found = found || sel
		target.Options = append(target.Options, filterOption{Value: t.Key, Label: t.Label, Count: t.Count, Selected: sel})
	}
	if f.ReactsTo != 0 && !found {
		target.Options = append(target.Options, filterOption{Value: strconv.FormatInt(f.ReactsTo, 10),
			Label: "Proposition n° " + strconv.FormatInt(f.ReactsTo, 10), Count: -1, Selected: true})
	}
	return append(fields, target)
}
