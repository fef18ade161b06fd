package contribution

import "context"

// Views returns the published contributions among ids, in the order of ids,
// in one query. Search results go through it: the engine finds, the database
// decides what is shown.
func (s *Store) Views(ctx context.Context, ids []int64) ([]View, error) {
	return s.views(ctx, ids, nil)
}

// ViewsCounted is Views for a caller that keeps every contribution's
// counts (the copy of the listing's orders in memory): counters gives those
// of an id, and contribution_counters is not read (a third of the database
// time of a list's cards went there at 1,000,000 contributions).
func (s *Store) ViewsCounted(ctx context.Context, ids []int64, counters func(id int64) Counters) ([]View, error) {
	return s.views(ctx, ids, counters)
}
