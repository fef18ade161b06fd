package synthesis

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// viewCond is the SQL condition of a view on the contributions aliased c,
// with its own arguments, to be placed in another query.
type viewCond struct {
	cond string
	args []any
}

func newViewCond(refs Refs, f Filter) *viewCond {
	var a sqlArgs
	w := f.Where(refs, &a)
	return &viewCond{cond: w, args: a}
}

var placeholder = regexp.MustCompile(`\$(\d+)`)

// rebase appends the view's arguments to a and returns its condition with
// the placeholders renumbered after those already in a.
func (v *viewCond) rebase(a *sqlArgs) string {
	offset := len(*a)
	*a = append(*a, v.args...)
	return placeholder.ReplaceAllStringFunc(v.cond, func(m string) string {
		n, _ := strconv.Atoi(m[1:])
		return "$" + strconv.Itoa(n+offset)
	})
}

// ReportTheme is a validated theme as the report shows it: its contributions
// within the view of the report, counted by axis, author category and
// région, and quoted (the most representative first).
type ReportTheme struct {
	ID          int64
	RunID       int64
	Label       string
	Terms       []string
	Size        int // contributions of the theme, whatever the view
	InView      int // of them, in the view of the report
	ByAxis      []Count
	ByCategory  []Count
	ByRegion    []Count // régions with at least one contribution
	Quotes      []Excerpt
	ValidatedBy string
	ValidatedAt time.Time
	Changes     int // lines in the history of the theme
}

// reportQuotes is the number of contributions quoted under a theme.
const reportQuotes = 3

// reportThemes returns the validated themes of the current analysis with
// their figures in view f, and the time of their latest change.
func (s *Store) reportThemes(ctx context.Context, refs Refs, f Filter) ([]ReportTheme, time.Time, error) {
	var latest time.Time
	run, err := s.CurrentThemeRun(ctx, refs)
	if err == ErrNotFound {
		return nil, latest, nil
	}
	if err != nil {
		return nil, latest, err
	}
	themes, err := s.Themes(ctx, run.ID, 0)
	if err != nil {
		return nil, latest, err
	}
	view := newViewCond(refs, f)
	var out []ReportTheme
	for _, t := range themes {
		if t.Status != ThemeValidated {
			continue
		}
		rt := ReportTheme{ID: t.ID, RunID: t.RunID, Label: t.Label, Terms: t.Terms, Size: t.Size}
		if t.UpdatedAt.After(latest) {
			latest = t.UpdatedAt
		}
		if err := s.themeCounts(ctx, refs, view, &rt); err != nil {
			return nil, latest, err
		}
		if rt.Quotes, err = s.themeTop(ctx, t.ID, view, reportQuotes); err != nil {
			return nil, latest, err
		}
		var at, validated sql.NullTime
		err := s.sql().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM synthesis_theme_history WHERE theme_id = $1),
			(SELECT max(created_at) FROM synthesis_theme_history WHERE theme_id = $1),
			coalesce((SELECT u.display_name FROM synthesis_theme_history h LEFT JOIN users u ON u.id = h.actor_id
				WHERE h.theme_id = $1 AND h.action = 'valider' ORDER BY h.created_at DESC, h.id DESC LIMIT 1), ''),
			(SELECT max(created_at) FROM synthesis_theme_history WHERE theme_id = $1 AND action = 'valider')`, t.ID).
			Scan(&rt.Changes, &at, &rt.ValidatedBy, &validated)
		if err != nil {
			return nil, latest, fmt.Errorf("theme history: %w", err)
		}
		if at.Valid && at.Time.After(latest) {
			latest = at.Time
		}
		rt.ValidatedAt = validated.Time
		out = append(out, rt)
	}
	return out, latest, nil
}

// themeCounts counts the contributions of a theme in the view, by axis (the
// axes of the view only), author category and région.
func (s *Store) themeCounts(ctx context.Context, refs Refs, view *viewCond, rt *ReportTheme) error {
	a := sqlArgs{rt.ID}
	q := `SELECT GROUPING(c.axis_id), GROUPING(c.author_category), GROUPING(c.region_id),
		coalesce(c.axis_id, 0), coalesce(c.author_category, ''), coalesce(c.region_id, 0), count(*)
		FROM synthesis_theme_members m JOIN contributions c ON c.id = m.contribution_id
		WHERE m.theme_id = $1 AND ` + view.rebase(&a) + `
		GROUP BY GROUPING SETS ((), (c.axis_id), (c.author_category), (c.region_id))`
	axes, cats, regions := map[int64]int{}, map[string]int{}, map[int64]int{}
	err := queryEach(ctx, s.sql(), q, a, func(rs *sql.Rows) error {
		var ga, gc, gr int
		var axis, region int64
		var cat string
		var n int
		if err := rs.Scan(&ga, &gc, &gr, &axis, &cat, &region, &n); err != nil {
			return err
		}
		switch {
		case ga == 1 && gc == 1 && gr == 1:
			rt.InView = n
		case ga == 0:
			axes[axis] = n
		case gc == 0:
			cats[cat] = n
		default:
			regions[region] = n
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("theme counts: %w", err)
	}
	for _, ax := range refs.Axes {
		if n, ok := axes[ax.ID]; ok {
			rt.ByAxis = append(rt.ByAxis, Count{Code: ax.Slug, Label: fmt.Sprintf("Axe %d", ax.Position), Contributions: n})
		}
	}
	for _, c := range refs.Categories {
		if n := cats[c.Code]; n > 0 {
			rt.ByCategory = append(rt.ByCategory, Count{Code: c.Code, Label: c.Label, Contributions: n})
		}
	}
	for _, r := range refs.Regions {
		if n := regions[r.ID]; n > 0 {
			rt.ByRegion = append(rt.ByRegion, Count{Code: r.Code, Label: r.Name, Contributions: n})
		}
	}
	return nil
}
