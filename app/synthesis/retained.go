package synthesis

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrPublicNoteInvalid is returned for a public note over 2,000 characters.
var ErrPublicNoteInvalid = errors.New("La note publique doit faire au plus 2 000 caractères.")

// RetainedItem is a contribution retained for the report, quoted whole.
type RetainedItem struct {
	ID         int64
	URL        string
	Title      string
	Body       string
	Axis       string
	Entry      string
	Hub        string
	Category   string
	Territory  string
	Tags       []string
	PublicNote string
	Status     string
	RetainedAt time.Time
}

// SetPublicNote sets the public note of the rapporteurs on contribution id,
// which must be retained; "" removes it.
func (s *Store) SetPublicNote(ctx context.Context, id int64, note string) error {
	note = strings.TrimSpace(strings.ReplaceAll(note, "\r\n", "\n"))
	if utf8.RuneCountInString(note) > 2000 || !utf8.ValidString(note) {
		return ErrPublicNoteInvalid
	}
	res, err := s.sql().ExecContext(ctx, `UPDATE synthesis_retained SET public_note = $2 WHERE contribution_id = $1`, id, note)
	if err != nil {
		return fmt.Errorf("public note: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// reportRetained returns the retained contributions of view f, by axis then id.
func (s *Store) reportRetained(ctx context.Context, refs Refs, f Filter) ([]RetainedItem, error) {
	var a sqlArgs
	q := `SELECT c.id, c.title, c.body, ax.position, ax.title, c.entry, coalesce(h.name, ''), coalesce(cat.label, c.author_category),
		coalesce(dp.name || ' (' || dp.code || ')', rg.name, ''), c.status, r.public_note, r.retained_at,
		coalesce((SELECT string_agg(t.tag, '|' ORDER BY t.tag) FROM synthesis_tags t WHERE t.contribution_id = c.id), '')
		FROM contributions c JOIN synthesis_retained r ON r.contribution_id = c.id
		JOIN axes ax ON ax.id = c.axis_id
		LEFT JOIN hubs h ON h.id = c.hub_id
		LEFT JOIN territories rg ON rg.id = c.region_id
		LEFT JOIN territories dp ON dp.id = c.departement_id
		LEFT JOIN author_categories cat ON cat.code = c.author_category
		WHERE ` + f.Where(refs, &a) + ` ORDER BY ax.position, c.id`
	var out []RetainedItem
	err := queryEach(ctx, s.sql(), q, a, func(rs *sql.Rows) error {
		var it RetainedItem
		var pos int
		var axis, entry, status, tags string
		if err := rs.Scan(&it.ID, &it.Title, &it.Body, &pos, &axis, &entry, &it.Hub, &it.Category, &it.Territory, &status,
			&it.PublicNote, &it.RetainedAt, &tags); err != nil {
			return err
		}
		it.URL = s.Permalink(it.ID)
		it.Axis = fmt.Sprintf("Axe %d : %s", pos, axis)
		it.Entry = refs.EntryTitle(entry)
		it.Status = StatusLabel(status)
		if tags != "" {
			it.Tags = strings.Split(tags, "|")
		}
		out = append(out, it)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("retained: %w", err)
	}
	return out, nil
}

// AnswerStates are the states of the official answers (table
// official_answers, owned by the answer package), in display order.
var AnswerStates = []struct{ Code, Label string }{
	{"etude", "à l'étude"}, {"retenue", "retenue"}, {"partielle", "partiellement retenue"}, {"non_retenue", "non retenue"},
}

// AnswerLabel returns the French label of an answer state.
func AnswerLabel(code string) string {
	for _, s := range AnswerStates {
		if s.Code == code {
			return s.Label
		}
	}
	return code
}

// AnsweredItem is a contribution of the view with its official answer.
type AnsweredItem struct {
	ID         int64
	URL        string
	Title      string
	State      string // French label
	Answer     string
	AnsweredAt time.Time
}

// Answers are the official answers of a view: the count per state (zeros
// included), the contributions without answer, and the answers themselves.
type Answers struct {
	ByState  []Count
	Without  int
	Items    []AnsweredItem // at most reportAnswers, by state then id
	Total    int
	Truncate bool
}

const reportAnswers = 200

// reportAnswers reads the official answers to the contributions of view f
// (Without is left to the caller, who knows the total).
func (s *Store) reportAnswers(ctx context.Context, refs Refs, f Filter) (Answers, error) {
	var out Answers
	var a sqlArgs
	where := f.Where(refs, &a)
	counts := map[string]int{}
	err := queryEach(ctx, s.sql(), `SELECT o.state, count(*) FROM contributions c JOIN official_answers o ON o.contribution_id = c.id
		WHERE `+where+` GROUP BY o.state`, a, func(rs *sql.Rows) error {
		var st string
		var n int
		err := rs.Scan(&st, &n)
		counts[st] = n
		out.Total += n
		return err
	})
	if err != nil {
		return out, fmt.Errorf("answers by state: %w", err)
	}
	for _, st := range AnswerStates {
		out.ByState = append(out.ByState, Count{Code: st.Code, Label: st.Label, Contributions: counts[st.Code]})
	}
	err = queryEach(ctx, s.sql(), `SELECT c.id, c.title, o.state, o.body, o.updated_at FROM contributions c JOIN official_answers o ON o.contribution_id = c.id
		WHERE `+where+` ORDER BY array_position(ARRAY['retenue','partielle','etude','non_retenue'], o.state), c.id LIMIT `+fmt.Sprint(reportAnswers), a, func(rs *sql.Rows) error {
		var it AnsweredItem
		var st string
		if err := rs.Scan(&it.ID, &it.Title, &st, &it.Answer, &it.AnsweredAt); err != nil {
			return err
		}
		it.URL, it.State = s.Permalink(it.ID), AnswerLabel(st)
		out.Items = append(out.Items, it)
		return nil
	})
	out.Truncate = out.Total > len(out.Items)
	return out, err
}
