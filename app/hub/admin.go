package hub

import (
	"context"
	"fmt"
)

// SetTerritories replaces the territories a Hub covers (administration: some
// Hubs had no established territory). Every id must be a known territory.
func (s *Store) SetTerritories(ctx context.Context, hubID int64, territoryIDs []int64) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		if len(territoryIDs) > 0 {
			var n int64
			if err := conn.Raw(`SELECT count(*) FROM territories WHERE id IN ?`, territoryIDs).Scan(&n).Error; err != nil {
				return err
			}
			if n != int64(len(territoryIDs)) {
				return ErrNotFound
			}
		}
		if err := conn.Exec(`DELETE FROM hub_territories WHERE hub_id = ?`, hubID).Error; err != nil {
			return fmt.Errorf("hub territories: %w", err)
		}
		for _, id := range territoryIDs {
			if err := conn.Exec(`INSERT INTO hub_territories (hub_id, territory_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, hubID, id).Error; err != nil {
				return fmt.Errorf("hub territories: %w", err)
			}
		}
		return nil
	})
}
