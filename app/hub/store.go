package hub

import (
	"context"
	"fmt"

	"github.com/cnr-numerique/concertation/app/db"
)

// Store reads and writes Hubs and territories in PostgreSQL.
type Store struct {
	db *db.DB
}

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// List returns every Hub by name, with its territories.
func (s *Store) List(ctx context.Context) ([]Hub, error) {
	var hubs []Hub
	if err := s.db.Conn(ctx).Order("name").Find(&hubs).Error; err != nil {
		return nil, fmt.Errorf("list hubs: %w", err)
	}
	return hubs, s.loadTerritories(ctx, hubs)
}

// BySlug returns one Hub with its territories.
func (s *Store) BySlug(ctx context.Context, slug string) (Hub, error) {
	var h Hub
	err := s.db.Conn(ctx).Where("slug = ?", slug).Take(&h).Error
	if db.IsNotFound(err) {
		return h, ErrNotFound
	}
	if err != nil {
		return h, fmt.Errorf("hub %q: %w", slug, err)
	}
	hubs := []Hub{h}
	err = s.loadTerritories(ctx, hubs)
	return hubs[0], err
}

type hubTerritory struct {
	HubID int64
	Territory
}

// loadTerritories fills the territories of hubs in one query.
func (s *Store) loadTerritories(ctx context.Context, hubs []Hub) error {
	if len(hubs) == 0 {
		return nil
	}
	ids := make([]int64, len(hubs))
	for i, h := range hubs {
		ids[i] = h.ID
	}
	var rows []hubTerritory
	err := s.db.Conn(ctx).Table("hub_territories ht").
		Select("ht.hub_id, t.id, t.kind, t.code, t.name, t.region_id").
		Joins("JOIN territories t ON t.id = ht.territory_id").
		Where("ht.hub_id IN ?", ids).
		Order("t.kind DESC, t.code").Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("hub territories: %w", err)
	}
	for _, r := range rows {
		for i := range hubs {
			if hubs[i].ID == r.HubID {
				hubs[i].Territories = append(hubs[i].Territories, r.Territory)
			}
		}
	}
	return nil
}

// Regions returns every région with its départements, by code.
func (s *Store) Regions(ctx context.Context) ([]Region, error) {
	var all []Territory
	if err := s.db.Conn(ctx).Order("code").Find(&all).Error; err != nil {
		return nil, fmt.Errorf("territories: %w", err)
	}
	var regions []Region
	index := map[int64]int{}
	for _, t := range all {
		if t.Kind == KindRegion {
			index[t.ID] = len(regions)
			regions = append(regions, Region{Territory: t})
		}
	}
	for _, t := range all {
		if t.Kind == KindDepartement && t.RegionID != nil {
			if i, ok := index[*t.RegionID]; ok {
				regions[i].Departements = append(regions[i].Departements, t)
			}
		}
	}
	return regions, nil
}

// TerritoryByCode returns the territory of the given kind and INSEE code.
func (s *Store) TerritoryByCode(ctx context.Context, kind, code string) (Territory, error) {
	var t Territory
	err := s.db.Conn(ctx).Where("kind = ? AND code = ?", kind, code).Take(&t).Error
	if db.IsNotFound(err) {
		return t, ErrNotFound
	}
	return t, err
}

// SeedTerritory inserts a territory, or renames it when its name changed.
// regionCode is "" for a région.
func (s *Store) SeedTerritory(ctx context.Context, kind, code, name, regionCode string) error {
	conn := s.db.Conn(ctx)
	var regionID *int64
	if regionCode != "" {
		r, err := s.TerritoryByCode(ctx, KindRegion, regionCode)
		if err != nil {
			return fmt.Errorf("région %s of %s: %w", regionCode, code, err)
		}
		regionID = &r.ID
	}
	return conn.Exec(`INSERT INTO territories (kind, code, name, region_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (kind, code) DO UPDATE SET name = EXCLUDED.name, region_id = EXCLUDED.region_id
		WHERE (territories.name, territories.region_id) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.region_id)`,
		kind, code, name, regionID).Error
}

// SeedHub creates h with its territories (given as kind and code) when no Hub
// has its slug yet. An existing Hub is left as administrators made it.
func (s *Store) SeedHub(ctx context.Context, h Hub, territories [][2]string) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		var id int64
		err := conn.Raw(`INSERT INTO hubs (slug, name, presentation, website) VALUES (?, ?, ?, ?)
			ON CONFLICT (slug) DO NOTHING RETURNING id`, h.Slug, h.Name, h.Presentation, h.Website).Scan(&id).Error
		if err != nil {
			return fmt.Errorf("seed hub %s: %w", h.Slug, err)
		}
		if id == 0 {
			return nil // already there
		}
		for _, kc := range territories {
			t, err := s.TerritoryByCode(ctx, kc[0], kc[1])
			if err != nil {
				return fmt.Errorf("hub %s territory %s:%s: %w", h.Slug, kc[0], kc[1], err)
			}
			if err := conn.Exec(`INSERT INTO hub_territories (hub_id, territory_id) VALUES (?, ?)`, id, t.ID).Error; err != nil {
				return err
			}
		}
		return nil
	})
}
