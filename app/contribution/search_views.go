package contribution

import "context"

// Views returns the published contributions among ids, in the order of ids,
// in one query. Search results go through it: the engine finds, the database
// decides what is shown.
func (s *Store) Views(ctx context.Context, ids []int64) ([]View, error) {
	return s.views(ctx, ids)
}
