package synthesis

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/cnr-numerique/concertation/app/topic"
)

// RequestThemeSplit queues the split of theme id into two themes, found
// from its own contributions in the background.
func (s *Store) RequestThemeSplit(ctx context.Context, refs Refs, id, by int64) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.openTheme(ctx, id); err != nil {
			return err
		}
		err := s.db.Conn(ctx).Exec(`INSERT INTO synthesis_theme_runs (consultation_id, kind, themes_wanted, split_theme_id, requested_by)
			VALUES (?, 'scission', 2, ?, ?)`, refs.ConsultationID, id, by).Error
		if isUnique(err) {
			return ErrRunActive
		}
		if err != nil {
			return err
		}
		return s.history(ctx, id, by, "scinder", map[string]any{})
	})
}

// split runs a split: two themes learnt from the theme's own contributions;
// each contribution goes to the child themes it belongs to (to the closer
// one when it belongs to neither); the parent is closed.
func (j *themeJob) split(ctx context.Context) error {
	parent, err := j.s.Theme(ctx, j.run.SplitThemeID)
	if err != nil {
		return err
	}
	if !parent.Open() {
		return userErr("Ce thème a déjà été fusionné ou scindé.")
	}
	where := `c.id IN (SELECT contribution_id FROM synthesis_theme_members WHERE theme_id = ` + fmt.Sprint(parent.ID) + `)`
	src := textSource{
		count: func(ctx context.Context) (int, error) { return parent.Size, nil },
		sample: func(ctx context.Context, step int, fn func(int64, string) error) error {
			return eachText(ctx, j.s.sql(), `SELECT id, title || E'\n' || body FROM (SELECT c.id, c.title, c.body, row_number() OVER (ORDER BY c.id) AS rn
				FROM contributions c WHERE `+where+`) x WHERE (rn - 1) % `+fmt.Sprint(step)+` = 0 ORDER BY id`, nil, fn)
		},
		all: func(ctx context.Context, fn func(int64, string) error) error {
			return eachText(ctx, j.s.sql(), `SELECT c.id, c.title || E'\n' || c.body FROM contributions c WHERE `+where+` ORDER BY c.id`, nil, fn)
		},
	}
	m, n, err := j.fit(ctx, src, 2)
	if err != nil {
		var ue userErr
		if errors.As(err, &ue) {
			return userErr("Ce thème a trop peu de contributions pour être scindé.")
		}
		return err
	}
	var children [2]int64
	var pos int
	if err := j.s.sql().QueryRowContext(ctx, `SELECT coalesce(max(position), 0) FROM synthesis_themes WHERE run_id = $1`, parent.RunID).Scan(&pos); err != nil {
		return err
	}
	for l, th := range m.Themes {
		if err := j.s.sql().QueryRowContext(ctx, `INSERT INTO synthesis_themes (run_id, position, label, auto_label, terms, parent_id)
			VALUES ($1, $2, $3, $3, $4, $5) RETURNING id`, parent.RunID, pos+l+1, clip(th.Label, 200), termLabels(th), parent.ID).Scan(&children[l]); err != nil {
			return fmt.Errorf("insert child theme: %w", err)
		}
	}
	err = j.assign(ctx, m, n, src.all, func(ws []topic.Weight, emit func(int64, float64)) {
		if len(ws) == 0 {
			return
		}
		for _, w := range ws {
			emit(children[w.Theme], w.Weight)
		}
	})
	if err != nil {
		return err
	}
	// Contributions with no weight on either child stay with the first one,
	// so that no contribution of the parent is lost.
	return j.s.db.InTx(ctx, func(ctx context.Context) error {
		c := j.s.db.Conn(ctx)
		if err := c.Exec(`INSERT INTO synthesis_theme_members (theme_id, contribution_id, weight, manual)
			SELECT ?, p.contribution_id, p.weight, p.manual FROM synthesis_theme_members p WHERE p.theme_id = ?
			AND NOT EXISTS (SELECT 1 FROM synthesis_theme_members k WHERE k.contribution_id = p.contribution_id AND k.theme_id IN (?, ?))`,
			children[0], parent.ID, children[0], children[1]).Error; err != nil {
			return err
		}
		if err := j.s.touch(ctx, parent.ID, "status = ?", ThemeSplit); err != nil {
			return err
		}
		by := j.requester(ctx)
		if err := j.s.history(ctx, parent.ID, by, "scinde", map[string]any{"enfants": fmt.Sprintf("%d et %d", children[0], children[1])}); err != nil {
			return err
		}
		for _, ch := range children {
			if err := j.s.history(ctx, ch, by, "issu", map[string]any{"parent": parent.ID}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (j *themeJob) requester(ctx context.Context) int64 {
	var by sql.NullInt64
	_ = j.s.sql().QueryRowContext(ctx, `SELECT requested_by FROM synthesis_theme_runs WHERE id = $1`, j.run.ID).Scan(&by)
	return by.Int64
}
