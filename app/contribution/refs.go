package contribution

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cnr-numerique/concertation/app/hub"
)

// Category is an author category.
type Category struct {
	Code  string
	Label string
}

// HubRef is a Hub as filters and forms need it.
type HubRef struct {
	ID   int64
	Slug string
	Name string
}

// Reference is the reference data that filters and forms use: author
// categories, régions, départements and Hubs, with lookups.
type Reference struct {
	Categories   []Category
	Regions      []hub.Territory
	Departements []hub.Territory
	Hubs         []HubRef

	territories map[int64]hub.Territory
	byCode      map[string]hub.Territory // kind + ":" + code
	hubsBySlug  map[string]HubRef
	hubsByID    map[int64]HubRef
	categories  map[string]string
}

// Territory returns the territory id.
func (r Reference) Territory(id int64) (hub.Territory, bool) {
	t, ok := r.territories[id]
	return t, ok
}

// TerritoryByCode returns the territory of kind with INSEE code.
func (r Reference) TerritoryByCode(kind, code string) (hub.Territory, bool) {
	t, ok := r.byCode[kind+":"+code]
	return t, ok
}

// HubBySlug returns the Hub with slug.
func (r Reference) HubBySlug(slug string) (HubRef, bool) {
	h, ok := r.hubsBySlug[slug]
	return h, ok
}

// Hub returns the Hub id.
func (r Reference) Hub(id int64) (HubRef, bool) {
	h, ok := r.hubsByID[id]
	return h, ok
}

// CategoryLabel returns the label of a category code, "" when unknown.
func (r Reference) CategoryLabel(code string) string { return r.categories[code] }

type refsCache struct {
	mu      sync.Mutex
	value   *Reference
	expires time.Time
}

// Refs returns the reference data, cached for a minute.
func (s *Store) Refs(ctx context.Context) (*Reference, error) {
	c := &s.refs
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.value != nil && time.Now().Before(c.expires) {
		return c.value, nil
	}
	r, err := s.loadRefs(ctx)
	if err != nil {
		return nil, err
	}
	c.value, c.expires = r, time.Now().Add(refsTTL)
	return r, nil
}

func (s *Store) loadRefs(ctx context.Context) (*Reference, error) {
	var categories []Category
	var all []hub.Territory
	var hubs []HubRef
	conn := s.db.Conn(ctx)
	if err := conn.Raw(`SELECT code, label FROM author_categories ORDER BY position`).Scan(&categories).Error; err != nil {
		return nil, fmt.Errorf("categories: %w", err)
	}
	if err := conn.Raw(`SELECT id, kind, code, name, region_id FROM territories ORDER BY code`).Scan(&all).Error; err != nil {
		return nil, fmt.Errorf("territories: %w", err)
	}
	if err := conn.Raw(`SELECT id, slug, name FROM hubs ORDER BY name`).Scan(&hubs).Error; err != nil {
		return nil, fmt.Errorf("hubs: %w", err)
	}
	return NewReference(categories, all, hubs), nil
}

// NewReference builds the reference data from its lists (the store loads
// them from the database; tests and fuzz targets give their own).
func NewReference(categories []Category, all []hub.Territory, hubs []HubRef) *Reference {
	r := &Reference{Categories: categories, Hubs: hubs, territories: map[int64]hub.Territory{}, byCode: map[string]hub.Territory{},
		hubsBySlug: map[string]HubRef{}, hubsByID: map[int64]HubRef{}, categories: map[string]string{}}
	for _, c := range r.Categories {
		r.categories[c.Code] = c.Label
	}
	for _, t := range all {
		r.territories[t.ID] = t
		r.byCode[t.Kind+":"+t.Code] = t
		if t.Kind == hub.KindRegion {
			r.Regions = append(r.Regions, t)
		} else {
			r.Departements = append(r.Departements, t)
		}
	}
	for _, h := range r.Hubs {
		r.hubsBySlug[h.Slug] = h
		r.hubsByID[h.ID] = h
	}
	return r
}

// ForgetRefs drops the reference data read by Refs, after it changed.
func (s *Store) ForgetRefs() {
	s.refs.mu.Lock()
	s.refs.value = nil
	s.refs.mu.Unlock()
}
