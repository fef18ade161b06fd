package moderation

import (
	"context"
	"fmt"
	"time"
)

// LogEntry is one line of the public moderation log: no account, no text of
// the item, only what was decided, when and why.
type LogEntry struct {
	ID       int64
	At       time.Time
	ItemKind string
	ItemID   int64
	Decision string
	Reason   string
	// ContributionID is the contribution of an argument (nil once deleted),
	// to link to it; for a contribution, its own id.
	ContributionID *int64 `gorm:"->"`
	// Hidden reports whether the item is hidden now (PublicLog only).
	Hidden bool `gorm:"->"`
}

// TableName maps LogEntry to its table.
func (LogEntry) TableName() string { return "moderation_log" }

// DecisionLabel returns the French label of the entry's decision.
func (e LogEntry) DecisionLabel() string { return DecisionLabel(e.Decision) }

// KindLabel returns "Contribution" or "Argument".
func (e LogEntry) KindLabel() string {
	if e.ItemKind == KindArgument {
		return "Argument"
	}
	return "Contribution"
}

// DecisionLabel returns the French label of a public log decision.
func DecisionLabel(d string) string {
	switch d {
	case DecisionAutoHidden:
		return "Masquage automatique après signalements"
	case DecisionHidden:
		return "Masquage par la modération"
	case DecisionRestored:
		return "Rétablissement"
	}
	return d
}

// PublicLog returns up to limit entries after offset, newest first, and the
// total number of entries.
func (s *Store) PublicLog(ctx context.Context, limit, offset int) ([]LogEntry, int, error) {
	var total int64
	if err := s.db.Conn(ctx).Model(&LogEntry{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count moderation log: %w", err)
	}
	var out []LogEntry
	err := s.db.Conn(ctx).Raw(`SELECT l.id, l.at, l.item_kind, l.item_id, l.decision, l.reason,
		CASE WHEN l.item_kind = 'argument' THEN a.contribution_id ELSE c.id END AS contribution_id,
		COALESCE(a.status, c.status, '') = 'hidden' AS hidden
		FROM moderation_log l
		LEFT JOIN arguments a ON l.item_kind = 'argument' AND a.id = l.item_id
		LEFT JOIN contributions c ON l.item_kind = 'contribution' AND c.id = l.item_id
		ORDER BY l.at DESC, l.id DESC LIMIT ? OFFSET ?`, limit, offset).Scan(&out).Error
	if err != nil {
		return nil, 0, fmt.Errorf("moderation log: %w", err)
	}
	return out, int(total), nil
}

// EachLogEntry calls fn on every entry, newest first, streaming the rows from
// the database (never the whole log in memory). It stops at fn's first error.
func (s *Store) EachLogEntry(ctx context.Context, fn func(LogEntry) error) error {
	rows, err := s.db.Conn(ctx).Model(&LogEntry{}).Select("id, at, item_kind, item_id, decision, reason").Order("at DESC, id DESC").Rows()
	if err != nil {
		return fmt.Errorf("moderation log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e LogEntry
		if err := rows.Scan(&e.ID, &e.At, &e.ItemKind, &e.ItemID, &e.Decision, &e.Reason); err != nil {
			return fmt.Errorf("moderation log row: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}
