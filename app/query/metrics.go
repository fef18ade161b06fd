package query

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/cnr-numerique/concertation/app/answer"
	"github.com/cnr-numerique/concertation/app/frtime"
)

// Count is a figure for one value of a dimension: contributions, and distinct
// contributors (accounts; contributions of deleted accounts count as
// contributions only).
type Count struct {
	Code          string
	Label         string
	Contributions int
	Contributors  int
}

// Breakdown is the figures of one axis or entry, by author category.
type Breakdown struct {
	Count
	ByCategory []Count // every category, in the reference order, zeros included
}

// TimeCount is the number of contributions published in one period.
type TimeCount struct {
	Start         time.Time // first day of the period, Paris time
	Label         string
	Contributions int
}

// Metrics are the figures of a view. The public statistics and the report
// compute them from the same filter with the same definitions, so the two
// never disagree: contributions from the rollup (or an exact scan for the
// report), distinct contributors and the timeline by one scan.
type Metrics struct {
	Contributions int
	Contributors  int
	// Pending is set when the contributors and the timeline are being
	// computed in the background: the page says so instead of a figure.
	Pending bool
	// ComputedAt is when the contributors and the timeline were computed.
	ComputedAt   time.Time
	ByCategory   []Count
	Axes         []Breakdown
	Entries      []Breakdown
	Regions      []Count // every région, zeros included
	Departements []Count // every département, zeros included
	Bucket       string  // "jour" or "semaine"
	Timeline     []TimeCount
	Answers      []Count // official answers by state (Code: the URL value), every state, zeros included

	// Assisted splits the contributions by accompaniment: those written
	// with a médiateur numérique (code "1") first, then the others ("0").
	Assisted []Count
}

// Covered returns the territories of list with at least one contribution, and
// those without.
func Covered(list []Count) (with, without []Count) {
	for _, c := range list {
		if c.Contributions > 0 {
			with = append(with, c)
		} else {
			without = append(without, c)
		}
	}
	return with, without
}

// ExactMetrics computes every figure of the view f by scanning its rows (a
// few seconds at 1,000,000 contributions): for the report, which is built in
// the background, and for the statistics' background refresh.
func ExactMetrics(ctx context.Context, db *sql.DB, refs Refs, f Filter) (Metrics, error) {
	m := Metrics{ComputedAt: time.Now()}
	if err := countsByDimension(ctx, db, refs, f, &m); err != nil {
		return m, err
	}
	if err := countsByTerritory(ctx, db, refs, f, &m); err != nil {
		return m, err
	}
	if err := timeline(ctx, db, refs, f, &m); err != nil {
		return m, err
	}
	counts, err := answerCounts(ctx, db, refs, f)
	if err != nil {
		return m, err
	}
	m.Answers = answerBreakdown(counts)
	return m, nil
}

// answerBreakdown lays out counts by answer state in display order.
func answerBreakdown(counts map[answer.State]int) []Count {
	out := make([]Count, 0, len(answer.States))
	for _, st := range answer.States {
		out = append(out, Count{Code: st.Param(), Label: "Réponse officielle : " + st.Label(), Contributions: counts[st]})
	}
	return out
}

type dimKey struct {
	axis     int64
	entry    string
	category string
	assisted int8 // -1: any, 0: not assisted, 1: assisted
}

func countsByDimension(ctx context.Context, db *sql.DB, refs Refs, f Filter, m *Metrics) error {
	var a Args
	q := `SELECT GROUPING(c.axis_id), GROUPING(c.entry), GROUPING(c.author_category), GROUPING(c.assisted),
		coalesce(c.axis_id, 0), coalesce(c.entry, ''), coalesce(c.author_category, ''), coalesce(c.assisted, false),
		count(*), count(DISTINCT c.author_id)
		FROM contributions c WHERE ` + f.Where(refs, &a) + `
		GROUP BY GROUPING SETS ((), (c.author_category), (c.axis_id), (c.axis_id, c.author_category), (c.entry), (c.entry, c.author_category),
			(c.assisted))`
	counts := map[dimKey][2]int{}
	err := queryEach(ctx, db, q, a, func(rs *sql.Rows) error {
		var gAxis, gEntry, gCat, gAssisted int
		var k dimKey
		var assisted bool
		var n, people int
		if err := rs.Scan(&gAxis, &gEntry, &gCat, &gAssisted, &k.axis, &k.entry, &k.category, &assisted, &n, &people); err != nil {
			return err
		}
		k.assisted = -1
		if gAssisted == 0 && assisted {
			k.assisted = 1
		} else if gAssisted == 0 {
			k.assisted = 0
		}
		if gAxis == 1 {
			k.axis = -1
		}
		if gEntry == 1 {
			k.entry = "*"
		}
		if gCat == 1 {
			k.category = "*"
		}
		counts[k] = [2]int{n, people}
		return nil
	})
	if err != nil {
		return fmt.Errorf("metrics by dimension: %w", err)
	}
	total := counts[dimKey{-1, "*", "*", -1}]
	m.Contributions, m.Contributors = total[0], total[1]
	m.ByCategory = byCategory(refs, counts, -1, "*")
	for _, ax := range refs.Axes {
		c := counts[dimKey{ax.ID, "*", "*", -1}]
		m.Axes = append(m.Axes, Breakdown{
			Count:      Count{Code: ax.Slug, Label: fmt.Sprintf("Axe %d : %s", ax.Position, ax.Title), Contributions: c[0], Contributors: c[1]},
			ByCategory: byCategory(refs, counts, ax.ID, "*"),
		})
	}
	for _, e := range refs.Entries {
		c := counts[dimKey{-1, e.Kind, "*", -1}]
		m.Entries = append(m.Entries, Breakdown{
			Count:      Count{Code: e.Slug, Label: e.Title, Contributions: c[0], Contributors: c[1]},
			ByCategory: byCategory(refs, counts, -1, e.Kind),
		})
	}
	m.Assisted = assistedCounts(func(assisted bool) [2]int {
		k := dimKey{-1, "*", "*", 0}
		if assisted {
			k.assisted = 1
		}
		return counts[k]
	})
	return nil
}

// AssistedLabel names the contributions accompagnées (true) or the others.
func AssistedLabel(assisted bool) string {
	if assisted {
		return "Contributions accompagnées par un médiateur numérique"
	}
	return "Contributions sans accompagnement"
}

// assistedCounts lays out the breakdown by accompaniment, assisted first,
// with count giving the contributions and contributors of each side.
func assistedCounts(count func(assisted bool) [2]int) []Count {
	out := make([]Count, 0, 2)
	for _, b := range []bool{true, false} {
		c := count(b)
		code := "0"
		if b {
			code = "1"
		}
		out = append(out, Count{Code: code, Label: AssistedLabel(b), Contributions: c[0], Contributors: c[1]})
	}
	return out
}

func byCategory(refs Refs, counts map[dimKey][2]int, axis int64, entry string) []Count {
	out := make([]Count, 0, len(refs.Categories))
	for _, cat := range refs.Categories {
		c := counts[dimKey{axis, entry, cat.Code, -1}]
		out = append(out, Count{Code: cat.Code, Label: cat.Label, Contributions: c[0], Contributors: c[1]})
	}
	return out
}

func countsByTerritory(ctx context.Context, db *sql.DB, refs Refs, f Filter, m *Metrics) error {
	var a Args
	q := `SELECT GROUPING(c.region_id), coalesce(c.region_id, 0), coalesce(c.departement_id, 0), count(*), count(DISTINCT c.author_id)
		FROM contributions c WHERE ` + f.Where(refs, &a) + `
		GROUP BY GROUPING SETS ((c.region_id), (c.departement_id))`
	regions, deps := map[int64][2]int{}, map[int64][2]int{}
	err := queryEach(ctx, db, q, a, func(rs *sql.Rows) error {
		var g int
		var region, dep int64
		var n, people int
		if err := rs.Scan(&g, &region, &dep, &n, &people); err != nil {
			return err
		}
		if g == 0 {
			regions[region] = [2]int{n, people}
		} else {
			deps[dep] = [2]int{n, people}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("metrics by territory: %w", err)
	}
	for _, t := range refs.Regions {
		c := regions[t.ID]
		m.Regions = append(m.Regions, Count{Code: t.Code, Label: t.Name, Contributions: c[0], Contributors: c[1]})
	}
	for _, t := range refs.Departements {
		c := deps[t.ID]
		m.Departements = append(m.Departements, Count{Code: t.Code, Label: t.Name + " (" + t.Code + ")", Contributions: c[0], Contributors: c[1]})
	}
	return nil
}

// timeline counts contributions per day, or per week (from Monday) when the
// view spans more than 92 days.
func timeline(ctx context.Context, db *sql.DB, refs Refs, f Filter, m *Metrics) error {
	var a Args
	where := f.Where(refs, &a)
	// One pass by day; weeks are folded from the days. (A first query of
	// the span, min and max of the dates, could walk the whole date index
	// for a view of few rows: 1.7 s at a million contributions.)
	q := `SELECT to_char(date_trunc('day', c.created_at AT TIME ZONE 'Europe/Paris'), 'YYYY-MM-DD'), count(*)
		FROM contributions c WHERE ` + where + ` GROUP BY 1 ORDER BY 1`
	var days []TimeCount
	err := queryEach(ctx, db, q, a, func(rs *sql.Rows) error {
		var day string
		var n int
		if err := rs.Scan(&day, &n); err != nil {
			return err
		}
		start, err := time.ParseInLocation(time.DateOnly, day, Paris)
		if err != nil {
			return err
		}
		days = append(days, TimeCount{Start: start, Contributions: n})
		return nil
	})
	if err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	m.Bucket = "jour"
	if len(days) > 0 && days[len(days)-1].Start.Sub(days[0].Start) > 92*24*time.Hour {
		m.Bucket = "semaine"
		days = byWeek(days)
	}
	for i := range days {
		days[i].Label = frtime.Date(days[i].Start)
		if m.Bucket == "semaine" {
			days[i].Label = "semaine du " + days[i].Label
		}
	}
	m.Timeline = fillGaps(days, m.Bucket)
	return nil
}

// byWeek adds up days (in order) by week, from Monday, as date_trunc('week')
// does.
func byWeek(days []TimeCount) []TimeCount {
	var out []TimeCount
	for _, d := range days {
		monday := d.Start.AddDate(0, 0, -((int(d.Start.Weekday()) + 6) % 7))
		if n := len(out); n > 0 && out[n-1].Start.Equal(monday) {
			out[n-1].Contributions += d.Contributions
			continue
		}
		out = append(out, TimeCount{Start: monday, Contributions: d.Contributions})
	}
	return out
}

// fillGaps adds the periods without contributions between the first and the
// last one, so that a chart shows quiet days too.
func fillGaps(in []TimeCount, bucket string) []TimeCount {
	if len(in) < 2 {
		return in
	}
	step := 1
	if bucket == "semaine" {
		step = 7
	}
	out := make([]TimeCount, 0, len(in))
	next := in[0].Start
	for _, tc := range in {
		for next.Before(tc.Start) {
			label := frtime.Date(next)
			if bucket == "semaine" {
				label = "semaine du " + label
			}
			out = append(out, TimeCount{Start: next, Label: label})
			next = next.AddDate(0, 0, step)
		}
		out = append(out, tc)
		next = tc.Start.AddDate(0, 0, step)
	}
	return out
}
