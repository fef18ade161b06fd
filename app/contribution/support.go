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
		`INSERT INTO supports (contribution_id, user_id) SELECT id, ? FROM target ON CONFLICT DO NOTHING`, 1)
}

// Unsupport removes actor's support of contribution id and returns the count.
func (s *Store) Unsupport(ctx context.Context, actor Actor, id int64) (int, error) {
	return s.toggle(ctx, actor, id, `DELETE FROM supports WHERE contribution_id IN (SELECT id FROM target) AND user_id = ?`, -1)
}

// toggleSQL inserts or deletes the support row (the first CTE, given by the
// caller) and, only when a row changed, moves the counter and records the
// search outbox row. One statement is one transaction: the row, the counter
// and the outbox change together or not at all. It returns the count.
var toggleSQL = `, up AS (
		UPDATE contribution_counters SET supports = supports + ? WHERE contribution_id IN (SELECT contribution_id FROM changed)
		RETURNING supports),
	ob AS (` + outboxInsert(`SELECT contribution_id FROM changed`, true) + `)
	SELECT COALESCE((SELECT supports FROM up), (SELECT supports FROM contribution_counters WHERE contribution_id = ?), 0)`

// toggle runs stmt, the insert or delete of actor's support row (its one
// argument the account), on the contribution id when actor may support it:
// the check and the change are one statement, so a toggle costs one round
// trip. When the check refuses, supportTarget says why.
func (s *Store) toggle(ctx context.Context, actor Actor, id int64, stmt string, delta int) (int, error) {
	var count int
	var allowed bool
	err := db.Retry(ctx, func() error {
		return s.db.Conn(ctx).Raw(`WITH target AS (SELECT id FROM contributions WHERE id = ? AND status = 'published'
			AND (author_id IS NULL OR author_id <> ?) AND (hub_id IS NULL OR hub_id <> ALL(?::bigint[]))),
		changed AS (`+stmt+` RETURNING contribution_id)`+toggleSQL+`, EXISTS (SELECT 1 FROM target)`,
			id, actor.UserID, int64Array(actor.HubIDs), actor.UserID, delta, id).Row().Scan(&count, &allowed)
	})
	if err != nil {
		if err := gone(err); err != ErrNotFound && err != ErrNotAllowed {
			return 0, fmt.Errorf("support: %w", err)
		}
		return 0, gone(err)
	}
	if !allowed {
		if err := s.supportTarget(ctx, actor, id); err != nil {
			return 0, err
		}
		return 0, ErrNotPublished // published again since: the person may try again
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
