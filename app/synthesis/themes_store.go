package synthesis

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cnr-numerique/concertation/app/db"
)

// Theme statuses, as stored.
const (
	ThemeProposed  = "propose"
	ThemeValidated = "valide"
	ThemeRejected  = "rejete"
	ThemeMerged    = "fusionne"
	ThemeSplit     = "scinde"
)

// Errors of the theme workspace, with a French message for the page.
var (
	ErrThemeLabel  = errors.New("Le libellé du thème doit faire entre 1 et 200 caractères.")
	ErrThemeClosed = errors.New("Ce thème a été fusionné ou scindé : il ne peut plus être modifié.")
	ErrThemeSame   = errors.New("Choisissez un autre thème de la même analyse pour la fusion.")
	ErrNotMember   = errors.New("Cette contribution n'est pas dans ce thème.")
	ErrAlready     = errors.New("Cette contribution est déjà dans ce thème.")
)

// ThemeStatusLabel returns the French label of a theme status.
func ThemeStatusLabel(s string) string {
	return map[string]string{ThemeProposed: "proposé", ThemeValidated: "validé", ThemeRejected: "rejeté",
		ThemeMerged: "fusionné", ThemeSplit: "scindé"}[s]
}

// ThemeInfo is a theme of an analysis as the workspace shows it.
type ThemeInfo struct {
	ID         int64
	RunID      int64
	Position   int
	Label      string
	AutoLabel  string
	Terms      []string
	Status     string
	MergedInto int64
	ParentID   int64
	Size       int       // contributions in the theme
	Top        []Excerpt // the most representative (highest weight)
	UpdatedAt  time.Time
}

// StatusText is the theme status in French.
func (t ThemeInfo) StatusText() string { return ThemeStatusLabel(t.Status) }

// Open reports whether the theme can still be changed.
func (t ThemeInfo) Open() bool { return t.Status != ThemeMerged && t.Status != ThemeSplit }

// ThemeChange is one line of the history of a theme.
type ThemeChange struct {
	At      time.Time
	Actor   string
	Action  string // French sentence
	Details map[string]any
}

const themeColumns = `t.id, t.run_id, t.position, t.label, t.auto_label, t.terms, t.status, coalesce(t.merged_into, 0), coalesce(t.parent_id, 0),
	(SELECT count(*) FROM synthesis_theme_members m WHERE m.theme_id = t.id), t.updated_at FROM synthesis_themes t`

func scanTheme(rs interface{ Scan(...any) error }) (ThemeInfo, error) {
	var t ThemeInfo
	var terms []string
	err := rs.Scan(&t.ID, &t.RunID, &t.Position, &t.Label, &t.AutoLabel, textArray{&terms}, &t.Status, &t.MergedInto, &t.ParentID, &t.Size, &t.UpdatedAt)
	t.Terms = terms
	return t, err
}

// CurrentThemeRun returns the latest finished analysis of the consultation,
// whose themes the workspace and the report show; ErrNotFound when none.
func (s *Store) CurrentThemeRun(ctx context.Context, refs Refs) (ThemeRun, error) {
	r, err := scanRun(s.sql().QueryRowContext(ctx, `SELECT `+runColumns+` WHERE r.consultation_id = $1 AND r.kind = 'analyse' AND r.status = 'done'
		ORDER BY r.id DESC LIMIT 1`, refs.ConsultationID))
	if db.IsNotFound(err) {
		return r, ErrNotFound
	}
	return r, err
}

// Themes returns the themes of run (those of its splits included), by
// position, each with its size and its top most representative contributions.
func (s *Store) Themes(ctx context.Context, runID int64, top int) ([]ThemeInfo, error) {
	var out []ThemeInfo
	err := queryEach(ctx, s.sql(), `SELECT `+themeColumns+` WHERE t.run_id = $1 ORDER BY t.position, t.id`, []any{runID}, func(rs *sql.Rows) error {
		t, err := scanTheme(rs)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("themes: %w", err)
	}
	for i := range out {
		if out[i].Top, err = s.themeTop(ctx, out[i].ID, nil, top); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Theme returns one theme.
func (s *Store) Theme(ctx context.Context, id int64) (ThemeInfo, error) {
	t, err := scanTheme(s.sql().QueryRowContext(ctx, `SELECT `+themeColumns+` WHERE t.id = $1`, id))
	if db.IsNotFound(err) {
		return t, ErrNotFound
	}
	return t, err
}

// ThemeMember is a contribution of a theme with its weight.
type ThemeMember struct {
	Excerpt
	Weight float64
	Manual bool
}

// ThemeMembers returns page (from 1) of the members of theme id, by weight.
func (s *Store) ThemeMembers(ctx context.Context, id int64, page, perPage int) ([]ThemeMember, error) {
	var out []ThemeMember
	err := queryEach(ctx, s.sql(), `SELECT c.id, c.title, c.body, m.weight, m.manual FROM synthesis_theme_members m
		JOIN contributions c ON c.id = m.contribution_id WHERE m.theme_id = $1
		ORDER BY m.weight DESC, c.id LIMIT $2 OFFSET $3`, []any{id, perPage, (max(page, 1) - 1) * perPage}, func(rs *sql.Rows) error {
		var m ThemeMember
		var body string
		err := rs.Scan(&m.ID, &m.Title, &body, &m.Weight, &m.Manual)
		m.URL, m.Excerpt.Excerpt = s.Permalink(m.ID), excerpt(body, excerptRunes)
		out = append(out, m)
		return err
	})
	return out, err
}

// themeTop returns the n members of theme with the highest weight, among the
// ids of view when view is not nil (a SQL condition on c with its args).
func (s *Store) themeTop(ctx context.Context, theme int64, view *viewCond, n int) ([]Excerpt, error) {
	var out []Excerpt
	q := `SELECT c.id, c.title, c.body FROM synthesis_theme_members m JOIN contributions c ON c.id = m.contribution_id WHERE m.theme_id = $1`
	args := sqlArgs{theme}
	if view != nil {
		q += ` AND ` + view.rebase(&args)
	}
	q += ` ORDER BY m.weight DESC, c.id LIMIT ` + args.Add(n)
	err := queryEach(ctx, s.sql(), q, args, func(rs *sql.Rows) error {
		var e Excerpt
		var body string
		err := rs.Scan(&e.ID, &e.Title, &body)
		e.URL, e.Excerpt = s.Permalink(e.ID), excerpt(body, excerptRunes)
		out = append(out, e)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("theme top: %w", err)
	}
	return out, nil
}

// ThemeHistory returns every change of theme id, oldest first.
func (s *Store) ThemeHistory(ctx context.Context, id int64) ([]ThemeChange, error) {
	var out []ThemeChange
	err := queryEach(ctx, s.sql(), `SELECT h.created_at, coalesce(u.display_name, 'analyse automatique'), h.action, h.details
		FROM synthesis_theme_history h LEFT JOIN users u ON u.id = h.actor_id WHERE h.theme_id = $1 ORDER BY h.created_at, h.id`,
		[]any{id}, func(rs *sql.Rows) error {
			var c ThemeChange
			var action string
			var details []byte
			if err := rs.Scan(&c.At, &c.Actor, &action, &details); err != nil {
				return err
			}
			_ = json.Unmarshal(details, &c.Details)
			c.Action = describeChange(action, c.Details)
			out = append(out, c)
			return nil
		})
	return out, err
}

func describeChange(action string, d map[string]any) string {
	str := func(k string) string { return fmt.Sprint(d[k]) }
	switch action {
	case "renommer":
		return "renommé de « " + str("avant") + " » en « " + str("apres") + " »"
	case "valider":
		return "validé"
	case "rejeter":
		return "rejeté"
	case "rouvrir":
		return "remis à l'état proposé"
	case "fusionner":
		return "a reçu les contributions du thème n° " + str("theme") + " « " + str("libelle") + " »"
	case "fusionne":
		return "fusionné dans le thème n° " + str("dans") + " « " + str("libelle") + " »"
	case "scinder":
		return "scission demandée"
	case "scinde":
		return "scindé en thèmes n° " + str("enfants")
	case "issu":
		return "issu de la scission du thème n° " + str("parent")
	case "ajouter":
		return "contribution n° " + str("contribution") + " ajoutée"
	case "retirer":
		return "contribution n° " + str("contribution") + " retirée"
	}
	return action
}

// history records a change of theme id by actor in the transaction of ctx.
func (s *Store) history(ctx context.Context, theme, actor int64, action string, details map[string]any) error {
	b, _ := json.Marshal(details)
	var by any
	if actor > 0 {
		by = actor
	}
	return s.db.Conn(ctx).Exec(`INSERT INTO synthesis_theme_history (theme_id, actor_id, action, details) VALUES (?, ?, ?, ?)`, theme, by, action, string(b)).Error
}

// openTheme locks theme id for a change, in the transaction of ctx.
func (s *Store) openTheme(ctx context.Context, id int64) (ThemeInfo, error) {
	var t struct {
		ID     int64
		RunID  int64
		Label  string
		Status string
	}
	res := s.db.Conn(ctx).Raw(`SELECT id, run_id, label, status FROM synthesis_themes WHERE id = ? FOR UPDATE`, id).Scan(&t)
	if res.Error != nil {
		return ThemeInfo{}, res.Error
	}
	if res.RowsAffected == 0 {
		return ThemeInfo{}, ErrNotFound
	}
	info := ThemeInfo{ID: t.ID, RunID: t.RunID, Label: t.Label, Status: t.Status}
	if !info.Open() {
		return info, ErrThemeClosed
	}
	return info, nil
}

func (s *Store) touch(ctx context.Context, id int64, set string, args ...any) error {
	return s.db.Conn(ctx).Exec(`UPDATE synthesis_themes SET `+set+`, updated_at = now() WHERE id = ?`, append(args, id)...).Error
}

// RenameTheme gives theme id a new label.
func (s *Store) RenameTheme(ctx context.Context, id, by int64, label string) error {
	label = strings.Join(strings.Fields(label), " ")
	if n := utf8.RuneCountInString(label); n == 0 || n > 200 || !utf8.ValidString(label) {
		return ErrThemeLabel
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		t, err := s.openTheme(ctx, id)
		if err != nil {
			return err
		}
		if t.Label == label {
			return nil
		}
		if err := s.touch(ctx, id, "label = ?", label); err != nil {
			return err
		}
		return s.history(ctx, id, by, "renommer", map[string]any{"avant": t.Label, "apres": label})
	})
}

// SetThemeStatus validates, rejects or reopens theme id (status valide,
// rejete or propose).
func (s *Store) SetThemeStatus(ctx context.Context, id, by int64, status string) error {
	action := map[string]string{ThemeValidated: "valider", ThemeRejected: "rejeter", ThemeProposed: "rouvrir"}[status]
	if action == "" {
		return fmt.Errorf("theme status %q", status)
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		t, err := s.openTheme(ctx, id)
		if err != nil || t.Status == status {
			return err
		}
		if err := s.touch(ctx, id, "status = ?", status); err != nil {
			return err
		}
		return s.history(ctx, id, by, action, map[string]any{"avant": t.Status, "apres": status})
	})
}

// MergeThemes moves the contributions of theme from into theme into (a
// contribution in both keeps its higher weight) and closes from.
func (s *Store) MergeThemes(ctx context.Context, into, from, by int64) error {
	if into == from {
		return ErrThemeSame
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		a, err := s.openTheme(ctx, min(into, from)) // lock in id order
		if err != nil {
			return err
		}
		b, err := s.openTheme(ctx, max(into, from))
		if err != nil {
			return err
		}
		if a.RunID != b.RunID {
			return ErrThemeSame
		}
		target, source := a, b
		if target.ID != into {
			target, source = b, a
		}
		c := s.db.Conn(ctx)
		if err := c.Exec(`INSERT INTO synthesis_theme_members (theme_id, contribution_id, weight, manual)
			SELECT ?, contribution_id, weight, manual FROM synthesis_theme_members WHERE theme_id = ?
			ON CONFLICT (theme_id, contribution_id) DO UPDATE SET weight = greatest(synthesis_theme_members.weight, excluded.weight)`,
			target.ID, source.ID).Error; err != nil {
			return err
		}
		if err := c.Exec(`DELETE FROM synthesis_theme_members WHERE theme_id = ?`, source.ID).Error; err != nil {
			return err
		}
		if err := s.touch(ctx, source.ID, "status = ?, merged_into = ?", ThemeMerged, target.ID); err != nil {
			return err
		}
		if err := s.touch(ctx, target.ID, "status = status"); err != nil {
			return err
		}
		if err := s.history(ctx, target.ID, by, "fusionner", map[string]any{"theme": source.ID, "libelle": source.Label}); err != nil {
			return err
		}
		return s.history(ctx, source.ID, by, "fusionne", map[string]any{"dans": target.ID, "libelle": target.Label})
	})
}

// AddThemeMember puts contribution cid into theme id, by hand.
func (s *Store) AddThemeMember(ctx context.Context, id, cid, by int64) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.openTheme(ctx, id); err != nil {
			return err
		}
		var n int64
		if err := s.db.Conn(ctx).Raw(`SELECT count(*) FROM contributions WHERE id = ?`, cid).Scan(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		res := s.db.Conn(ctx).Exec(`INSERT INTO synthesis_theme_members (theme_id, contribution_id, weight, manual) VALUES (?, ?, 1, true)
			ON CONFLICT DO NOTHING`, id, cid)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrAlready
		}
		if err := s.touch(ctx, id, "status = status"); err != nil {
			return err
		}
		return s.history(ctx, id, by, "ajouter", map[string]any{"contribution": cid})
	})
}

// RemoveThemeMember takes contribution cid out of theme id.
func (s *Store) RemoveThemeMember(ctx context.Context, id, cid, by int64) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.openTheme(ctx, id); err != nil {
			return err
		}
		res := s.db.Conn(ctx).Exec(`DELETE FROM synthesis_theme_members WHERE theme_id = ? AND contribution_id = ?`, id, cid)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotMember
		}
		if err := s.touch(ctx, id, "status = status"); err != nil {
			return err
		}
		return s.history(ctx, id, by, "retirer", map[string]any{"contribution": cid})
	})
}
