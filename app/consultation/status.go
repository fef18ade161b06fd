package consultation

import (
	"context"
	"fmt"
)

// SetStatus closes a consultation early (StatusClosed) or reopens it
// (StatusOpen); it is then open again between its dates.
func (s *Store) SetStatus(ctx context.Context, id int64, status string) error {
	if status != StatusOpen && status != StatusClosed {
		return fmt.Errorf("consultation status %q", status)
	}
	res := s.db.Conn(ctx).Exec(`UPDATE consultations SET status = ?, updated_at = now() WHERE id = ?`, status, id)
	if res.Error != nil {
		return fmt.Errorf("consultation status: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}
