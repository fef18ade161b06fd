package accessibility

import (
	"context"
	"fmt"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
)

// Store keeps the contact messages in PostgreSQL (table accessibility_messages).
type Store struct {
	db *db.DB
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// Create stores m, which must be valid (see Validate), and sets its ID.
func (s *Store) Create(ctx context.Context, m *Message, now time.Time) error {
	m.CreatedAt = now
	if err := s.db.Conn(ctx).Omit("id", "handled_at").Create(m).Error; err != nil {
		return fmt.Errorf("store accessibility message: %w", err)
	}
	return nil
}

// List returns the messages, newest first, the ones not handled yet before
// the others, at most limit from offset.
func (s *Store) List(ctx context.Context, limit, offset int) ([]Message, error) {
	var out []Message
	err := s.db.Conn(ctx).Order("handled_at IS NOT NULL, created_at DESC, id DESC").Limit(limit).Offset(offset).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list accessibility messages: %w", err)
	}
	return out, nil
}

// Pending counts the messages not handled yet.
func (s *Store) Pending(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&Message{}).Where("handled_at IS NULL").Count(&n).Error
	return n, err
}

// MarkHandled records that the team answered message id; false when there
// is no such message.
func (s *Store) MarkHandled(ctx context.Context, id int64, now time.Time) (bool, error) {
	res := s.db.Conn(ctx).Model(&Message{}).Where("id = ? AND handled_at IS NULL", id).Update("handled_at", now)
	if res.Error != nil {
		return false, fmt.Errorf("mark accessibility message: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		var n int64
		if err := s.db.Conn(ctx).Model(&Message{}).Where("id = ?", id).Count(&n).Error; err != nil {
			return false, err
		}
		return n > 0, nil
	}
	return true, nil
}
