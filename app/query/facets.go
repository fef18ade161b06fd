package query

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cnr-numerique/concertation/app/answer"
)

// FacetValue is a reaction target with the number of reactions it would
// give.
type FacetValue struct {
	Key   string
	Label string
	Count int
}

// Facets are the counts beside each filter value. Each dimension is counted
// with the other filters applied but not its own, so that the counts of the
// other values of a chosen filter stay visible.
type Facets struct {
	Axis        map[int64]int
	Entry       map[string]int
	Category    map[string]int
	Region      map[int64]int
	Departement map[int64]int
	Hub         map[int64]int
	Assisted    map[bool]int // contributions accompagnées or not; nil when unknown (a text search)
	ReactsTo    []FacetValue // the most reacted-to Hub proposals, at most maxTargets
	Answers     map[answer.State]int
	Total       int
}

func newFacets() Facets {
	return Facets{Axis: map[int64]int{}, Entry: map[string]int{}, Category: map[string]int{},
		Region: map[int64]int{}, Departement: map[int64]int{}, Hub: map[int64]int{}, Answers: map[answer.State]int{},
		Assisted: map[bool]int{}}
}

// add counts cell c in dimension d.
func (f *Facets) add(d int, c *cell) {
	switch d {
	case dimAxis:
		f.Axis[c.axis] += c.n
	case dimEntry:
		f.Entry[c.entry] += c.n
	case dimCategory:
		f.Category[c.category] += c.n
	case dimRegion:
		if c.region != 0 {
			f.Region[c.region] += c.n
		}
	case dimDepartement:
		if c.departement != 0 {
			f.Departement[c.departement] += c.n
		}
	case dimHub:
		if c.hub != 0 {
			f.Hub[c.hub] += c.n
		}
	case dimAssisted:
		f.Assisted[c.assisted] += c.n
	}
}

const maxTargets = 20

// targetsTTL is how long the most reacted-to Hub proposals of a view are
// reused.
const targetsTTL = 10 * time.Second

// Facets counts the view f by filter value: from the rollup in memory when
// it can answer, otherwise in one query over the rows of the view (a
// reaction target or an author keeps few). The reaction targets are the most
// reacted-to Hub proposals of the view.
func (s *Service) Facets(ctx context.Context, f Filter) (Facets, error) {
	answers, err := s.answerCounts(ctx, f)
	if err != nil {
		return Facets{}, err
	}
	if f.OnCells() {
		snap, err := s.rollup.get(ctx, false)
		if err != nil {
			return Facets{}, err
		}
		out := snap.view(f.cellKey(), s.rollup.matcher(&f)).facets
		out.Axis, out.Entry, out.Category = maps.Clone(out.Axis), maps.Clone(out.Entry), maps.Clone(out.Category)
		out.Region, out.Departement, out.Hub = maps.Clone(out.Region), maps.Clone(out.Departement), maps.Clone(out.Hub)
		out.Assisted = maps.Clone(out.Assisted)
		// The reaction targets change slowly: kept a few seconds per view
		// of Hub proposals (axis, Hub), for every visitor.
		key := fmt.Sprintf("targets|%d|%v|%v|%v", f.ConsultationID, f.Axes, f.Hubs, f.Entries)
		v, err := s.pages.fetch(ctx, key, targetsTTL, true, func(ctx context.Context) (any, error) { return s.targets(ctx, f) })
		if err != nil {
			return out, err
		}
		out.ReactsTo = slices.Clone(v.([]FacetValue))
		out.Answers = answers
		if len(f.Entries)+len(f.Categories)+len(f.Regions)+len(f.Departements)+len(f.Assisted) > 0 {
			// Their counts are all the reactions of each proposal, whatever
			// the other filters: shown only when no other filter applies.
			for i := range out.ReactsTo {
				out.ReactsTo[i].Count = -1
			}
		}
		return out, nil
	}
	out, err := s.sqlFacets(ctx, f)
	out.Answers = answers
	if err != nil || f.ReactsTo == 0 {
		return out, err
	}
	// The other targets, as on the views the rollup answers: every
	// reaction of each proposal counted, from the counters.
	key := fmt.Sprintf("targets|%d|%v|%v|%v", f.ConsultationID, f.Axes, f.Hubs, f.Entries)
	v, err := s.pages.fetch(ctx, key, targetsTTL, true, func(ctx context.Context) (any, error) { return s.targets(ctx, f) })
	if err != nil {
		return out, err
	}
	out.ReactsTo = slices.Clone(v.([]FacetValue))
	if len(f.Entries)+len(f.Categories)+len(f.Regions)+len(f.Departements)+len(f.Assisted) > 0 || f.Author != 0 || f.Text != "" ||
		len(f.Answers) > 0 || !f.From.IsZero() || !f.To.IsZero() {
		for i := range out.ReactsTo {
			out.ReactsTo[i].Count = -1
		}
	}
	return out, nil
}

// answerCounts counts the official answers of the view f without its own
// answer filter, by state. A view that the rollup answers is counted in
// memory, from the cells of the answered contributions (answeredCells);
// any other by a query driven by the answers, which are few (thousands at
// most), kept a few seconds per view for every visitor.
func (s *Service) answerCounts(ctx context.Context, f Filter) (map[answer.State]int, error) {
	f.Answers = nil
	if f.OnCells() {
		answered, err := s.answeredCells(ctx)
		if err != nil {
			return nil, err
		}
		snap, err := s.rollup.get(ctx, false)
		if err != nil {
			return nil, err
		}
		return answered.count(snap, s.rollup.matcher(&f)), nil
	}
	key := "answers|" + f.cellKey() + "|" + fmt.Sprint(f.Author, f.ReactsTo, f.Text, f.From, f.To, f.Tags, f.Retained, f.ids)
	v, err := s.pages.fetch(ctx, key, targetsTTL, true, func(ctx context.Context) (any, error) {
		refs, err := s.Refs(ctx)
		if err != nil {
			return nil, err
		}
		return answerCounts(ctx, s.db.ReadSQL(ctx), refs, f)
	})
	if err != nil {
		return nil, err
	}
	return v.(map[answer.State]int), nil
}

// answered is the number of official answers by rollup cell and state.
type answered []answeredCell

type answeredCell struct {
	cell  int32
	state answer.State
	n     int
}

// answeredCells reads where the official answers are: for every view, once
// every targetsTTL (and after a change made through this process), rather
// than a query planned for each view.
func (s *Service) answeredCells(ctx context.Context) (answered, error) {
	v, err := s.pages.fetch(ctx, "answers|cells", targetsTTL, true, func(ctx context.Context) (any, error) {
		var out answered
		err := queryEach(ctx, s.db.ReadSQL(ctx), `SELECT l.cell_id, oa.state, count(*) FROM official_answers oa
			JOIN contribution_listing l ON l.contribution_id = oa.contribution_id GROUP BY 1, 2`, nil, func(rs *sql.Rows) error {
			var a answeredCell
			err := rs.Scan(&a.cell, &a.state, &a.n)
			out = append(out, a)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("answered cells: %w", err)
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(answered), nil
}

// count counts the answers of the cells of snap that m keeps. A cell
// created since snap was read is not in it yet: its answers count once the
// rollup has read it.
func (a answered) count(snap *snapshot, m matcher) map[answer.State]int {
	out := map[answer.State]int{}
	for _, x := range a {
		if i, ok := snap.index[x.cell]; ok && m.misses(&snap.cells[i]) == 0 {
			out[x.state] += x.n
		}
	}
	return out
}

// answerCounts counts the official answers of the view f by state, exactly.
func answerCounts(ctx context.Context, db *sql.DB, refs Refs, f Filter) (map[answer.State]int, error) {
	var a Args
	out := map[answer.State]int{}
	// The answers first (materialised): they are few, and a plan that
	// started from the contributions of a broad view read thousands of rows.
	err := queryEach(ctx, db, `WITH oa AS MATERIALIZED (SELECT contribution_id, state FROM official_answers)
		SELECT oa.state, count(*) FROM oa JOIN contributions c ON c.id = oa.contribution_id
		WHERE `+f.Where(refs, &a)+` GROUP BY oa.state`, a, func(rs *sql.Rows) error {
		var st string
		var n int
		err := rs.Scan(&st, &n)
		out[answer.State(st)] = n
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("answer counts: %w", err)
	}
	return out, nil
}

// facetDim is one filter dimension as the SQL facets count it.
type facetDim struct {
	name   string
	column string
	cond   func(a *Args) string // "" when the dimension is not filtered
}

func (f Filter) facetDims() []facetDim {
	in := func(column string, n int, v any) func(a *Args) string {
		return func(a *Args) string {
			if n == 0 {
				return ""
			}
			return "c." + column + " = ANY(" + a.Add(v) + ")"
		}
	}
	return []facetDim{
		{"axe", "axis_id", in("axis_id", len(f.Axes), f.Axes)},
		{"entree", "entry", in("entry", len(f.Entries), f.Entries)},
		{"categorie", "author_category", in("author_category", len(f.Categories), f.Categories)},
		{"region", "region_id", in("region_id", len(f.Regions), f.Regions)},
		{"departement", "departement_id", in("departement_id", len(f.Departements), f.Departements)},
		{"hub", "hub_id", in("hub_id", len(f.Hubs), f.Hubs)},
		{"accompagnee", "assisted", in("assisted", len(f.Assisted), f.Assisted)},
		{"cible", "reacts_to_id", func(a *Args) string {
			if f.ReactsTo == 0 {
				return ""
			}
			return "c.reacts_to_id = " + a.Add(f.ReactsTo)
		}},
	}
}

// sqlFacets counts the facets in one query: a single scan keeps the rows that
// fail at most one filter, then each dimension counts the rows that pass
// every other filter. Used for views the rollup cannot answer, which keep
// few rows (a reaction target, an author); with a reaction target, only its
// reactions are read and the other targets are left to Facets.
func (s *Service) sqlFacets(ctx context.Context, f Filter) (Facets, error) {
	refs, err := s.Refs(ctx)
	if err != nil {
		return Facets{}, err
	}
	dims := f.facetDims()
	base := f
	base.Axes, base.Entries, base.Categories, base.Regions, base.Departements, base.Hubs, base.ReactsTo = nil, nil, nil, nil, nil, nil, 0
	base.Assisted = nil
	if f.ReactsTo != 0 {
		// The reactions to one proposal are few: every other dimension is
		// counted among them (through the index on the target), and the
		// targets come from the counters (Facets). Counting the other
		// targets here kept every row of the table: seconds at a million.
		base.ReactsTo = f.ReactsTo
		dims = slices.DeleteFunc(dims, func(d facetDim) bool { return d.name == "cible" })
	}
	var a Args
	where := base.Where(refs, &a)
	var cols, misses []string
	active := make([]bool, len(dims))
	for i, d := range dims {
		m := "true"
		if cond := d.cond(&a); cond != "" {
			m, active[i] = "COALESCE("+cond+", false)", true
			misses = append(misses, fmt.Sprintf("(NOT m%d)::int", i))
		}
		cols = append(cols, fmt.Sprintf("c.%s, %s AS m%d", d.column, m, i))
	}
	filter := ""
	if len(misses) > 0 {
		filter = " WHERE " + strings.Join(misses, " + ") + " <= 1"
	}
	others := func(skip int) string {
		var ms []string
		for i := range dims {
			if i != skip && active[i] {
				ms = append(ms, fmt.Sprintf("m%d", i))
			}
		}
		if len(ms) == 0 {
			return "true"
		}
		return strings.Join(ms, " AND ")
	}
	var parts []string
	for i, d := range dims {
		if d.name == "cible" {
			parts = append(parts, fmt.Sprintf(`(SELECT 'cible', g.key::text, COALESCE(t.title, ''), g.n
				FROM (SELECT %[1]s AS key, count(*) AS n FROM f WHERE %[2]s AND %[1]s IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT %[3]d) g
				JOIN contributions t ON t.id = g.key)`, d.column, others(i), maxTargets))
			continue
		}
		parts = append(parts, fmt.Sprintf(`SELECT '%s', %s::text, '', count(*) FROM f WHERE %s AND %s IS NOT NULL GROUP BY 2`,
			d.name, d.column, others(i), d.column))
	}
	parts = append(parts, "SELECT 'total', '', '', count(*) FROM f WHERE "+others(-1))
	q := "WITH f AS MATERIALIZED (SELECT * FROM (SELECT " + strings.Join(cols, ", ") +
		" FROM contributions c WHERE " + where + ") s" + filter + ")\n" + strings.Join(parts, "\nUNION ALL ")
	out := newFacets()
	err = queryEach(ctx, s.db.ReadSQL(ctx), "SELECT dim, key, label, n FROM ("+q+") x(dim, key, label, n)", a,
		func(rs *sql.Rows) error {
			var dim, key, label string
			var n int
			if err := rs.Scan(&dim, &key, &label, &n); err != nil {
				return err
			}
			id, _ := strconv.ParseInt(key, 10, 64)
			switch dim {
			case "axe":
				out.Axis[id] = n
			case "entree":
				out.Entry[key] = n
			case "categorie":
				out.Category[key] = n
			case "region":
				out.Region[id] = n
			case "departement":
				out.Departement[id] = n
			case "hub":
				out.Hub[id] = n
			case "accompagnee":
				out.Assisted[key == "true"] = n
			case "cible":
				out.ReactsTo = append(out.ReactsTo, FacetValue{Key: key, Label: label, Count: n})
			case "total":
				out.Total = n
			}
			return nil
		})
	if err != nil {
		return Facets{}, fmt.Errorf("facets: %w", err)
	}
	sort.SliceStable(out.ReactsTo, func(i, j int) bool { return out.ReactsTo[i].Count > out.ReactsTo[j].Count })
	return out, nil
}
