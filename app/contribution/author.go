package contribution

import (
	"context"
	"fmt"
)

// ForgetAuthor removes what account userID did from the contribution tables,
// in the transaction of ctx (account deletion calls it just before deleting
// the account row). Its supports go; its Hub proposals stay with their Hub,
// anonymised, with the supports and reactions of others. With
// keepContributions its free contributions and arguments stay, anonymised
// (shown as "Participant·e anonyme"); otherwise they are deleted, and
// reactions of others that answered them stay as plain free contributions.
// The counters of every contribution touched are recounted under a row lock,
// and their search documents follow.
func (s *Store) ForgetAuthor(ctx context.Context, userID int64, keepContributions bool) error {
	conn := s.db.Conn(ctx)
	// The account row first: a support or a contribution of this person
	// arriving meanwhile waits (its foreign key needs the row), then fails;
	// one already under way finishes first and is counted below.
	var locked []int64
	if err := conn.Raw(`SELECT id FROM users WHERE id = ? FOR UPDATE`, userID).Scan(&locked).Error; err != nil {
		return fmt.Errorf("forget author %d: lock account: %w", userID, err)
	}
	// Then its contributions, and the rollup cells they leave, in id order:
	// the same order as every other write, so that none waits for another
	// in a circle. A support of someone else arriving meanwhile on one of
	// them waits, then counts or fails cleanly.
	lock := "FOR NO KEY UPDATE"
	if !keepContributions {
		lock = "FOR UPDATE"
	}
	var own []int64
	if err := conn.Raw(`SELECT id FROM contributions WHERE author_id = ? ORDER BY id `+lock, userID).Scan(&own).Error; err != nil {
		return fmt.Errorf("forget author %d: lock contributions: %w", userID, err)
	}
	if !keepContributions && len(own) > 0 {
		var cells []int64
		if err := conn.Raw(`SELECT id FROM contribution_cells WHERE id IN (SELECT cell_id FROM contribution_listing WHERE contribution_id IN ?)
			ORDER BY id FOR UPDATE`, own).Scan(&cells).Error; err != nil {
			return fmt.Errorf("forget author %d: lock cells: %w", userID, err)
		}
	}
	var touched []int64
	err := conn.Raw(`SELECT contribution_id FROM supports WHERE user_id = ?
		UNION SELECT contribution_id FROM arguments WHERE author_id = ?
		UNION SELECT id FROM contributions WHERE author_id = ?
		UNION SELECT reacts_to_id FROM contributions WHERE author_id = ? AND reacts_to_id IS NOT NULL
		ORDER BY 1`, userID, userID, userID, userID).Scan(&touched).Error
	if err != nil {
		return fmt.Errorf("forget author %d: %w", userID, err)
	}
	// Lock the counters first, in a fixed order: a support or a reaction
	// arriving meanwhile waits, then adds to the recounted value.
	if len(touched) > 0 {
		if err := conn.Raw(`SELECT contribution_id FROM contribution_counters WHERE contribution_id IN ?
			ORDER BY contribution_id FOR UPDATE`, touched).Scan(&locked).Error; err != nil {
			return fmt.Errorf("forget author %d: lock counters: %w", userID, err)
		}
	}
	steps := []string{
		`DELETE FROM supports WHERE user_id = ?`,
		`UPDATE contributions SET author_id = NULL, updated_at = now() WHERE author_id = ? AND entry = 'hubs'`,
	}
	if keepContributions {
		steps = append(steps,
			`UPDATE arguments SET author_id = NULL WHERE author_id = ?`,
			`UPDATE contributions SET author_id = NULL, updated_at = now() WHERE author_id = ?`)
	} else {
		steps = append(steps,
			`DELETE FROM arguments WHERE author_id = ?`,
			`UPDATE contributions SET reacts_to_id = NULL, reaction_type = NULL
			 WHERE reacts_to_id IN (SELECT id FROM contributions WHERE author_id = ? AND entry = 'libres')`,
			`DELETE FROM contributions WHERE author_id = ? AND entry = 'libres'`)
	}
	for _, sql := range steps {
		if err := conn.Exec(sql, userID).Error; err != nil {
			return fmt.Errorf("forget author %d: %w", userID, err)
		}
	}
	if len(touched) == 0 {
		return nil
	}
	if err := s.recount(ctx, touched); err != nil {
		return fmt.Errorf("forget author %d: %w", userID, err)
	}
	s.changed()
	return s.outbox(ctx, touched...)
}

// recount sets the counters of ids from the rows they count (published
// reactions and arguments, every support of an account or recorded by a
// médiateur). The caller holds their locks.
func (s *Store) recount(ctx context.Context, ids []int64) error {
	err := s.db.Conn(ctx).Exec(`UPDATE contribution_counters cc SET
		supports = (SELECT count(*) FROM supports s WHERE s.contribution_id = cc.contribution_id)
			+ (SELECT count(*) FROM assisted_supports s WHERE s.contribution_id = cc.contribution_id),
		reactions_soutient = (SELECT count(*) FROM contributions r WHERE r.reacts_to_id = cc.contribution_id AND r.reaction_type = 'soutient' AND r.status = 'published'),
		reactions_complete = (SELECT count(*) FROM contributions r WHERE r.reacts_to_id = cc.contribution_id AND r.reaction_type = 'complete' AND r.status = 'published'),
		reactions_nuance = (SELECT count(*) FROM contributions r WHERE r.reacts_to_id = cc.contribution_id AND r.reaction_type = 'nuance' AND r.status = 'published'),
		reactions_conteste = (SELECT count(*) FROM contributions r WHERE r.reacts_to_id = cc.contribution_id AND r.reaction_type = 'conteste' AND r.status = 'published'),
		arguments_pour = (SELECT count(*) FROM arguments a WHERE a.contribution_id = cc.contribution_id AND a.stance = 'pour' AND a.status = 'published'),
		arguments_contre = (SELECT count(*) FROM arguments a WHERE a.contribution_id = cc.contribution_id AND a.stance = 'contre' AND a.status = 'published'),
		arguments_neutre = (SELECT count(*) FROM arguments a WHERE a.contribution_id = cc.contribution_id AND a.stance = 'neutre' AND a.status = 'published')
		WHERE contribution_id IN ?`, ids).Error
	if err != nil {
		return fmt.Errorf("recount: %w", err)
	}
	return nil
}
