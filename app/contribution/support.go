package contribution

import (
	"context"
	"fmt"

	"github.com/cnr-numerique/concertation/app/db"
)

// supportTarget checks that actor may support contribution id.
func (s *Store) supportTarget(ctx context.Context, actor Actor, id int64) error {
	var rows []Contribution
	err := s.db.Conn(ctx).Raw(`SELECT id, author_id, hub_id, status FROM contributions WHERE id = ?`, id).Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("support target: %w", err)
	}
	if len(rows) == 0 {
		return ErrNotFound
	}
	v := View{Contribution: rows[0]}
	if v.Status != StatusPublished {
		return ErrNotPublished
	}
	if v.IsOwn(actor) {
		return ErrOwn
	}
	return nil
}

// Support records actor's support of contribution id and returns the count.
// Supporting twice changes nothing: the primary key of supports refuses the
// second row (INSERT … ON CONFLICT DO NOTHING) and the counter moves only when
// a row was inserted, in the same transaction (one statement).
func (s *Store) Support(ctx context.Context, actor Actor, id int64) (int, error) {
	return s.toggle(ctx, actor, id,
		`INSERT INTO supports (contribution_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, 1)
}

// Unsupport removes actor's support of contribution id and returns the count.
func (s *Store) Unsupport(ctx context.Context, actor Actor, id int64) (int, error) {
	return s.toggle(ctx, actor, id, `DELETE FROM supports WHERE contribution_id = ? AND user_id = ?`, -1)
}

// toggleSQL inserts or deletes the support row (the first CTE, given by the
// caller) and, only when a row changed, moves the counter and records the
// search outbox row. One statement is one transaction: the row, the counter
// and the outbox change together or not at all. It returns the count.
var toggleSQL = `, up AS (
		UPDATE contribution_counters SET supports = supports + ? WHERE contribution_id IN (SELECT contribution_id FROM changed)
		RETURNING supports),
	ob AS (` + outboxInsert(`SELECT contribution_id FROM changed`) + `)
	SELECT COALESCE((SELECT supports FROM up), (SELECT supports FROM contribution_counters WHERE contribution_id = ?), 0)`

func (s *Store) toggle(ctx context.Context, actor Actor, id int64, stmt string, delta int) (int, error) {
	if err := s.supportTarget(ctx, actor, id); err != nil {
		return 0, err
	}
	var count int
	err := db.Retry(ctx, func() error {
		var err error
		count, err = s.countToggle(ctx, stmt, []any{id, actor.UserID}, delta, id)
		return err
	})
	if err != nil {
		if err := gone(err); err != ErrNotFound && err != ErrNotAllowed {
			return 0, fmt.Errorf("support: %w", err)
		}
		return 0, gone(err)
	}
	return count, nil
}

// countToggle runs stmt (the insert or delete of one support row, with its
// args) as the first part of toggleSQL, for contribution id, and returns the
// count. It does not retry: inside a transaction, the outermost InTx does.
func (s *Store) countToggle(ctx context.Context, stmt string, args []any, delta int, id int64) (int, error) {
	var count int
	err := s.db.Conn(ctx).Raw(`WITH changed AS (`+stmt+` RETURNING contribution_id)`+toggleSQL, append(args, delta, id)...).Scan(&count).Error
	return count, err
}
