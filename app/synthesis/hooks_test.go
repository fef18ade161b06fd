package synthesis

import "context"

// CrossTablesFrom is CrossTables counted on the rollup's cells (cells) or
// on the rows, for the tests that compare both.
func (s *Store) CrossTablesFrom(ctx context.Context, refs Refs, f Filter, cells bool) ([]CrossTable, error) {
	return s.crossTables(ctx, refs, f, cells)
}
