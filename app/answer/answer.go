// Package answer keeps the official answers of the consultation team to the
// contributions: one per contribution, with a state (à l'étude, retenue,
// partiellement retenue, non retenue) and a public text. It owns the table
// official_answers; every answer given or changed is written to the audit
// log in the same transaction.
//
// For the listing and the statistics: the state of a contribution is the
// column official_answers.state (keyed by contribution_id, indexed by state),
// or none when no row exists; States returns it for a page of ids.
package answer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/moderation"
)

// State is the state of an official answer, as stored.
type State string

// The states, in the order they are shown.
const (
	Study    State = "etude"
	Retained State = "retenue"
	Partial  State = "partielle"
	Rejected State = "non_retenue"
)

// States lists the states in display order.
var States = []State{Study, Retained, Partial, Rejected}

// Label is the French label of the state.
func (s State) Label() string {
	switch s {
	case Study:
		return "à l'étude"
	case Retained:
		return "retenue"
	case Partial:
		return "partiellement retenue"
	case Rejected:
		return "non retenue"
	}
	return string(s)
}

// Param is the state as written in URLs and exports (etude, retenue,
// partielle, non-retenue).
func (s State) Param() string { return strings.ReplaceAll(string(s), "_", "-") }

// ParseState reads a state from its stored or URL form.
func ParseState(v string) (State, bool) {
	st := State(strings.ReplaceAll(strings.TrimSpace(v), "-", "_"))
	return st, slices.Contains(States, st)
}

// AuditAnswer is the audit action of an answer given or changed.
const AuditAnswer = "answer.set"

// Errors with a French message for the page.
var (
	ErrState    = errors.New("Choisissez l'état de la réponse : à l'étude, retenue, partiellement retenue ou non retenue.")
	ErrBody     = errors.New("Le texte de la réponse doit faire entre 1 et 5 000 caractères.")
	ErrNotFound = errors.New("answer: contribution not found")
)

// Answer is the official answer to one contribution.
type Answer struct {
	ContributionID int64
	State          State
	Body           string
	AnsweredBy     string // display name; "" for a deleted account
	AnsweredAt     time.Time
	UpdatedAt      time.Time
}

// StateLabel is the French label of the answer's state.
func (a Answer) StateLabel() string { return a.State.Label() }

// Store reads and writes the official answers.
type Store struct{ db *db.DB }

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// Set gives (or replaces) the answer to contribution id, by account by, and
// records it in the audit log, in one transaction.
func (s *Store) Set(ctx context.Context, id, by int64, state State, body string) error {
	if !slices.Contains(States, state) {
		return ErrState
	}
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	if n := utf8.RuneCountInString(body); n == 0 || n > 5000 || !utf8.ValidString(body) {
		return ErrBody
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		c := s.db.Conn(ctx)
		var n int64
		if err := c.Raw(`SELECT count(*) FROM contributions WHERE id = ?`, id).Scan(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		var before struct {
			State string
			Body  string
		}
		if err := c.Raw(`SELECT state, body FROM official_answers WHERE contribution_id = ? FOR UPDATE`, id).Scan(&before).Error; err != nil {
			return err
		}
		if err := c.Exec(`INSERT INTO official_answers (contribution_id, state, body, answered_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (contribution_id) DO UPDATE SET state = excluded.state, body = excluded.body, answered_by = excluded.answered_by, updated_at = now()`,
			id, string(state), body, by).Error; err != nil {
			return fmt.Errorf("set answer: %w", err)
		}
		return moderation.NewAudit(s.db).Record(ctx, &by, AuditAnswer, fmt.Sprintf("contribution:%d", id), map[string]any{
			"etat": string(state), "etat_avant": before.State, "texte": body, "texte_avant": before.Body,
		})
	})
}

// Get returns the answer to contribution id; ok is false when there is none.
func (s *Store) Get(ctx context.Context, id int64) (Answer, bool, error) {
	var b db.Batch
	get := s.QueueGet(&b, id)
	if err := s.db.Run(ctx, &b); err != nil {
		return Answer{}, false, fmt.Errorf("answer of %d: %w", id, err)
	}
	a, ok := get()
	return a, ok, nil
}

// QueueGet queues the read of the answer to contribution id into b, so that
// a contribution page sends it with its other reads; after b has run, get
// returns what Get would.
func (s *Store) QueueGet(b *db.Batch, id int64) (get func() (Answer, bool)) {
	a, ok := Answer{ContributionID: id}, false
	b.Queue(func(rs db.Rows) error {
		if !rs.Next() {
			return nil
		}
		var state string
		if err := rs.Scan(&state, &a.Body, &a.AnsweredBy, &a.AnsweredAt, &a.UpdatedAt); err != nil {
			return fmt.Errorf("answer of %d: %w", id, err)
		}
		a.State, ok = State(state), true
		return nil
	}, `SELECT a.state, a.body, coalesce(u.display_name, ''), a.answered_at, a.updated_at
		FROM official_answers a LEFT JOIN users u ON u.id = a.answered_by WHERE a.contribution_id = $1`, id)
	return func() (Answer, bool) { return a, ok }
}

// States returns the state of the answer of each contribution of ids that
// has one (for a page of a list).
func (s *Store) States(ctx context.Context, ids []int64) (map[int64]State, error) {
	out := map[int64]State{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ContributionID int64
		State          string
	}
	if err := s.db.Conn(ctx).Raw(`SELECT contribution_id, state FROM official_answers WHERE contribution_id IN ?`, ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ContributionID] = State(r.State)
	}
	return out, nil
}
