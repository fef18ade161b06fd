package query

import (
	"strconv"
	"strings"

	"github.com/cnr-numerique/concertation/app/frtime"
)

// Args collects the positional arguments of a query.
type Args []any

// Add appends v and returns its placeholder ($1, $2…).
func (a *Args) Add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// Where returns the SQL condition of the view on the contributions aliased
// c: the one translation of a Filter into SQL, for what the rollup cannot
// answer (texts, periods, rapporteur marks, exports).
func (f Filter) Where(refs Refs, a *Args) string {
	consultation := f.ConsultationID
	if consultation == 0 {
		consultation = refs.ConsultationID
	}
	conds := []string{"c.consultation_id = " + a.Add(consultation)}
	conds = append(conds, "c.status = ANY("+a.Add(f.Statuses)+")")
	if len(f.Axes) > 0 {
		conds = append(conds, "c.axis_id = ANY("+a.Add(f.Axes)+")")
	}
	if len(f.Entries) > 0 {
		conds = append(conds, "c.entry = ANY("+a.Add(f.Entries)+")")
	}
	if len(f.Categories) > 0 {
		conds = append(conds, "c.author_category = ANY("+a.Add(f.Categories)+")")
	}
	if len(f.Regions) > 0 {
		conds = append(conds, "c.region_id = ANY("+a.Add(f.Regions)+")")
	}
	if len(f.Departements) > 0 {
		conds = append(conds, "c.departement_id = ANY("+a.Add(f.Departements)+")")
	}
	if len(f.Hubs) > 0 {
		conds = append(conds, "c.hub_id = ANY("+a.Add(f.Hubs)+")")
	}
	if len(f.Assisted) > 0 {
		conds = append(conds, "c.assisted = ANY("+a.Add(f.Assisted)+")")
	}
	if f.Author != 0 {
		conds = append(conds, "c.author_id = "+a.Add(f.Author), "c.entry = 'libres'")
	}
	if f.ids != nil {
		conds = append(conds, "c.id = ANY("+a.Add(f.ids)+")")
	}
	if len(f.Answers) > 0 {
		// Driven by the answers, which are few.
		states := make([]string, len(f.Answers))
		for i, st := range f.Answers {
			states[i] = string(st)
		}
		conds = append(conds, "c.id IN (SELECT oa.contribution_id FROM official_answers oa WHERE oa.state = ANY("+a.Add(states)+"))")
	}
	if f.ReactsTo > 0 {
		conds = append(conds, "c.reacts_to_id = "+a.Add(f.ReactsTo))
	}
	if f.Text != "" {
		// The search document of migration 00006 (title and body, French
		// stemming, accents removed): exact, from the database itself.
		conds = append(conds, "c.search_vector @@ websearch_to_tsquery('fr_unaccent', "+a.Add(f.Text)+")")
	}
	if !f.From.IsZero() {
		conds = append(conds, "c.created_at >= "+a.Add(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "c.created_at < "+a.Add(f.To))
	}
	if !f.Public && len(f.Tags) > 0 {
		conds = append(conds, "EXISTS (SELECT 1 FROM synthesis_tags t WHERE t.contribution_id = c.id AND t.tag = ANY("+a.Add(f.Tags)+"))")
	}
	if !f.Public && f.Retained {
		conds = append(conds, "EXISTS (SELECT 1 FROM synthesis_retained r WHERE r.contribution_id = c.id)")
	}
	return strings.Join(conds, " AND ")
}

// Describe lists the filters of the view in plain French, one per line; a
// view without filters says so.
func (f Filter) Describe(refs Refs) []string {
	var out []string
	add := func(label string, vals []string) {
		if len(vals) > 0 {
			out = append(out, label+" : "+strings.Join(vals, ", "))
		}
	}
	var names []string
	for _, id := range f.Axes {
		a := refs.AxisByID(id)
		names = append(names, "axe "+strconv.Itoa(a.Position)+" – "+a.Title)
	}
	add("Axes", names)
	names = nil
	for _, k := range f.Entries {
		names = append(names, refs.EntryTitle(k))
	}
	add("Entrées", names)
	names = nil
	for _, c := range f.Categories {
		names = append(names, refs.CategoryLabel(c))
	}
	add("Catégories d'auteur", names)
	add("Régions", territoryNames(refs.Regions, f.Regions, false))
	add("Départements", territoryNames(refs.Departements, f.Departements, true))
	names = nil
	for _, id := range f.Hubs {
		for _, h := range refs.Hubs {
			if h.ID == id {
				names = append(names, h.Name)
			}
		}
	}
	add("Hubs", names)
	names = nil
	for _, b := range f.Assisted {
		names = append(names, AssistedLabel(b))
	}
	add("Accompagnement", names)
	if f.Text != "" {
		out = append(out, "Recherche : « "+f.Text+" »")
	}
	if f.ReactsTo > 0 {
		out = append(out, "Réactions à la proposition n° "+strconv.FormatInt(f.ReactsTo, 10))
	}
	names = nil
	for _, st := range f.Answers {
		names = append(names, st.Label())
	}
	add("Réponse officielle", names)
	if !f.From.IsZero() {
		out = append(out, "Publiées à partir du "+frtime.Date(f.From))
	}
	if !f.To.IsZero() {
		out = append(out, "Publiées jusqu'au "+frtime.Date(f.To.AddDate(0, 0, -1)))
	}
	if !f.Public {
		names = nil
		for _, s := range f.Statuses {
			names = append(names, StatusLabel(s))
		}
		add("Statuts", names)
		add("Étiquettes", f.Tags)
		if f.Retained {
			out = append(out, "Seulement les contributions retenues pour le rapport")
		}
	}
	return out
}

func territoryNames(all []Territory, ids []int64, withCode bool) []string {
	var out []string
	for _, id := range ids {
		for _, t := range all {
			if t.ID == id {
				if withCode {
					out = append(out, t.Name+" ("+t.Code+")")
				} else {
					out = append(out, t.Name)
				}
			}
		}
	}
	return out
}
