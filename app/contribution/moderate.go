package contribution

import (
	"context"
	"fmt"
)

// Moderate sets the status of contribution id to published or hidden, with the
// public reason of a hiding, in the transaction of ctx (moderation calls it
// inside its own decision). The counters count published items only: hiding
// a reaction takes it out of the counts of its Hub proposal, restoring puts it
// back. Both search documents follow.
func (s *Store) Moderate(ctx context.Context, id int64, status string, reason *string) error {
	if status != StatusPublished && status != StatusHidden {
		return fmt.Errorf("moderate contribution %d: status %q", id, status)
	}
	var rows []Contribution
	conn := s.db.Conn(ctx)
	if err := conn.Raw(`SELECT id, status, reacts_to_id, reaction_type FROM contributions WHERE id = ? FOR NO KEY UPDATE`, id).Scan(&rows).Error; err != nil {
		return fmt.Errorf("moderate contribution %d: %w", id, err)
	}
	if len(rows) == 0 {
		return ErrNotFound
	}
	c := rows[0]
	if err := conn.Exec(`UPDATE contributions SET status = ?, hidden_reason = ?, updated_at = now() WHERE id = ?`, status, reason, id).Error; err != nil {
		return fmt.Errorf("moderate contribution %d: %w", id, err)
	}
	var counts []int64
	if d := publishedDelta(c.Status, status); d != 0 && c.ReactsToID != nil && c.ReactionType != nil {
		if err := s.addReaction(ctx, *c.ReactsToID, *c.ReactionType, d); err != nil {
			return err
		}
		counts = append(counts, *c.ReactsToID)
	}
	s.changed()
	return s.outboxRows(ctx, []int64{id}, counts)
}

// ModerateArgument sets the status of argument id to published or hidden, in
// the transaction of ctx; the stance counters of its contribution follow.
func (s *Store) ModerateArgument(ctx context.Context, id int64, status string, reason *string) error {
	if status != StatusPublished && status != StatusHidden {
		return fmt.Errorf("moderate argument %d: status %q", id, status)
	}
	var rows []Argument
	conn := s.db.Conn(ctx)
	if err := conn.Raw(`SELECT id, contribution_id, stance, status FROM arguments WHERE id = ? FOR NO KEY UPDATE`, id).Scan(&rows).Error; err != nil {
		return fmt.Errorf("moderate argument %d: %w", id, err)
	}
	if len(rows) == 0 {
		return ErrNotFound
	}
	a := rows[0]
	if err := conn.Exec(`UPDATE arguments SET status = ?, hidden_reason = ? WHERE id = ?`, status, reason, id).Error; err != nil {
		return fmt.Errorf("moderate argument %d: %w", id, err)
	}
	if d := publishedDelta(a.Status, status); d != 0 {
		if err := s.addArgument(ctx, a.ContributionID, a.Stance, d); err != nil {
			return err
		}
	}
	s.changed()
	return s.outboxCounts(ctx, a.ContributionID)
}

// publishedDelta is how a change of status moves the counts of published
// items: -1 when an item leaves "published", +1 when it comes back.
func publishedDelta(from, to string) int {
	switch {
	case from == StatusPublished && to != StatusPublished:
		return -1
	case from != StatusPublished && to == StatusPublished:
		return 1
	}
	return 0
}

// addArgument adds delta to the counter of stance of contribution id, never
// below zero.
func (s *Store) addArgument(ctx context.Context, id int64, stance string, delta int) error {
	if StanceLabel(stance) == "" {
		return fmt.Errorf("stance %q", stance)
	}
	col := "arguments_" + stance // validated above: one of three known names
	err := s.db.Conn(ctx).Exec(`UPDATE contribution_counters SET `+col+` = GREATEST(`+col+` + ?, 0) WHERE contribution_id = ?`, delta, id).Error
	if err != nil {
		return fmt.Errorf("argument counter: %w", err)
	}
	return nil
}
