package synthesis

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cnr-numerique/concertation/app/db"
)

// Errors of the rapporteurs' marks, with a French message for the page.
var (
	ErrTagInvalid   = errors.New("L'étiquette doit faire entre 1 et 60 caractères.")
	ErrNoteInvalid  = errors.New("La note doit faire entre 1 et 2 000 caractères.")
	ErrNameInvalid  = errors.New("Le nom de la sélection doit faire entre 1 et 80 caractères.")
	ErrNameTaken    = errors.New("Vous avez déjà une sélection de ce nom.")
	ErrQueryTooLong = errors.New("Cette sélection a trop de filtres pour être enregistrée.")
)

// Note is a private note of a rapporteur on a contribution.
type Note struct {
	ID        int64
	Author    string // the rapporteur's display name, shown to rapporteurs only
	Body      string
	CreatedAt time.Time
}

// FilterSet is a saved view of the workspace.
type FilterSet struct {
	ID      int64
	OwnerID int64
	Owner   string
	Name    string
	Query   string
}

// Marks are the rapporteurs' marks on one contribution.
type Marks struct {
	Tags       []string
	Notes      []Note
	Retained   bool
	PublicNote string // printed under the contribution in the report, when retained
}

// exists reports ErrNotFound when contribution id does not exist.
func (s *Store) exists(ctx context.Context, id int64) error {
	var one int
	err := s.sql().QueryRowContext(ctx, `SELECT 1 FROM contributions WHERE id = $1`, id).Scan(&one)
	if db.IsNotFound(err) {
		return ErrNotFound
	}
	return err
}

// AddTag puts tag on contribution id; it reports whether the tag was new.
func (s *Store) AddTag(ctx context.Context, id, by int64, tag string) (bool, error) {
	tag = strings.Join(strings.Fields(tag), " ")
	if n := utf8.RuneCountInString(tag); n == 0 || n > 60 || !utf8.ValidString(tag) {
		return false, ErrTagInvalid
	}
	if err := s.exists(ctx, id); err != nil {
		return false, err
	}
	res, err := s.sql().ExecContext(ctx, `INSERT INTO synthesis_tags (contribution_id, tag, created_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, id, tag, by)
	if err != nil {
		return false, fmt.Errorf("add tag: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RemoveTag takes tag off contribution id.
func (s *Store) RemoveTag(ctx context.Context, id int64, tag string) error {
	_, err := s.sql().ExecContext(ctx, `DELETE FROM synthesis_tags WHERE contribution_id = $1 AND tag = $2`, id, strings.TrimSpace(tag))
	if err != nil {
		return fmt.Errorf("remove tag: %w", err)
	}
	return nil
}

// SetRetained marks contribution id as "retenue pour le rapport", or not.
func (s *Store) SetRetained(ctx context.Context, id, by int64, retained bool) error {
	if err := s.exists(ctx, id); err != nil {
		return err
	}
	q := `DELETE FROM synthesis_retained WHERE contribution_id = $1`
	args := []any{id}
	if retained {
		q = `INSERT INTO synthesis_retained (contribution_id, retained_by) VALUES ($1, $2) ON CONFLICT DO NOTHING`
		args = append(args, by)
	}
	if _, err := s.sql().ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("retained: %w", err)
	}
	return nil
}

// AddNote adds a private note to contribution id.
func (s *Store) AddNote(ctx context.Context, id, by int64, body string) error {
	body = strings.TrimSpace(body)
	if n := utf8.RuneCountInString(body); n == 0 || n > 2000 || !utf8.ValidString(body) {
		return ErrNoteInvalid
	}
	if err := s.exists(ctx, id); err != nil {
		return err
	}
	if _, err := s.sql().ExecContext(ctx, `INSERT INTO synthesis_notes (contribution_id, author_id, body) VALUES ($1, $2, $3)`, id, by, body); err != nil {
		return fmt.Errorf("add note: %w", err)
	}
	return nil
}

// Marks returns the tags, notes and retained mark of contribution id.
func (s *Store) Marks(ctx context.Context, id int64) (Marks, error) {
	var m Marks
	db := s.sql()
	err := queryEach(ctx, db, `SELECT tag FROM synthesis_tags WHERE contribution_id = $1 ORDER BY tag`, []any{id}, func(rs *sql.Rows) error {
		var t string
		err := rs.Scan(&t)
		m.Tags = append(m.Tags, t)
		return err
	})
	if err != nil {
		return m, fmt.Errorf("tags: %w", err)
	}
	err = queryEach(ctx, db, `SELECT n.id, coalesce(u.display_name, 'compte supprimé'), n.body, n.created_at
		FROM synthesis_notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.contribution_id = $1 ORDER BY n.created_at, n.id`, []any{id}, func(rs *sql.Rows) error {
		var n Note
		err := rs.Scan(&n.ID, &n.Author, &n.Body, &n.CreatedAt)
		m.Notes = append(m.Notes, n)
		return err
	})
	if err != nil {
		return m, fmt.Errorf("notes: %w", err)
	}
	err = db.QueryRowContext(ctx, `SELECT true, public_note FROM synthesis_retained WHERE contribution_id = $1`, id).Scan(&m.Retained, &m.PublicNote)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return m, err
}

// SaveFilterSet saves the view query under name for owner.
func (s *Store) SaveFilterSet(ctx context.Context, owner int64, name, query string) (int64, error) {
	name = strings.Join(strings.Fields(name), " ")
	if n := utf8.RuneCountInString(name); n == 0 || n > 80 || !utf8.ValidString(name) {
		return 0, ErrNameInvalid
	}
	if len(query) > 2000 {
		return 0, ErrQueryTooLong
	}
	var id int64
	err := s.sql().QueryRowContext(ctx, `INSERT INTO synthesis_filter_sets (owner_id, name, query) VALUES ($1, $2, $3)
		ON CONFLICT (owner_id, name) DO NOTHING RETURNING id`, owner, name, query).Scan(&id)
	if db.IsNotFound(err) {
		return 0, ErrNameTaken
	}
	if err != nil {
		return 0, fmt.Errorf("save filter set: %w", err)
	}
	return id, nil
}

// DeleteFilterSet deletes a saved view of owner.
func (s *Store) DeleteFilterSet(ctx context.Context, owner, id int64) error {
	res, err := s.sql().ExecContext(ctx, `DELETE FROM synthesis_filter_sets WHERE id = $1 AND owner_id = $2`, id, owner)
	if err != nil {
		return fmt.Errorf("delete filter set: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// FilterSets lists the saved views of every rapporteur, by name: they work
// together on one report.
func (s *Store) FilterSets(ctx context.Context) ([]FilterSet, error) {
	var out []FilterSet
	err := queryEach(ctx, s.sql(), `SELECT f.id, f.owner_id, u.display_name, f.name, f.query FROM synthesis_filter_sets f
		JOIN users u ON u.id = f.owner_id ORDER BY lower(f.name), f.id`, nil, func(rs *sql.Rows) error {
		var f FilterSet
		err := rs.Scan(&f.ID, &f.OwnerID, &f.Owner, &f.Name, &f.Query)
		out = append(out, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("filter sets: %w", err)
	}
	return out, nil
}
