package synthesis

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Item is a contribution in the workspace list.
type Item struct {
	ID           int64
	Title        string
	Excerpt      string
	Body         string
	Axis         string
	Entry        string
	Hub          string
	Category     string
	Territory    string
	Status       string
	Hidden       bool
	Supports     int
	Reactions    [4]int
	Arguments    [3]int
	CreatedAt    time.Time
	Tags         []string
	Retained     bool
	ReactsTo     int64
	ReactionType string
}

const itemColumns = `c.id, c.title, c.body, ax.position, ax.title, c.entry, coalesce(h.name, ''), coalesce(cat.label, c.author_category),
	coalesce(dp.name || ' (' || dp.code || ')', rg.name, ''), c.status, coalesce(cc.supports, 0),
	coalesce(cc.reactions_soutient, 0), coalesce(cc.reactions_complete, 0), coalesce(cc.reactions_nuance, 0), coalesce(cc.reactions_conteste, 0),
	coalesce(cc.arguments_pour, 0), coalesce(cc.arguments_contre, 0), coalesce(cc.arguments_neutre, 0), c.created_at,
	coalesce((SELECT string_agg(t.tag, '|' ORDER BY t.tag) FROM synthesis_tags t WHERE t.contribution_id = c.id), ''),
	EXISTS (SELECT 1 FROM synthesis_retained r WHERE r.contribution_id = c.id), coalesce(c.reacts_to_id, 0), coalesce(c.reaction_type, '')
	FROM contributions c
	JOIN axes ax ON ax.id = c.axis_id
	LEFT JOIN hubs h ON h.id = c.hub_id
	LEFT JOIN territories rg ON rg.id = c.region_id
	LEFT JOIN territories dp ON dp.id = c.departement_id
	LEFT JOIN author_categories cat ON cat.code = c.author_category
	LEFT JOIN contribution_counters cc ON cc.contribution_id = c.id`

func (s *Store) scanItem(refs Refs, rs *sql.Rows) (Item, error) {
	var it Item
	var pos int
	var axis, entry, status, tags string
	err := rs.Scan(&it.ID, &it.Title, &it.Body, &pos, &axis, &entry, &it.Hub, &it.Category, &it.Territory, &status, &it.Supports,
		&it.Reactions[0], &it.Reactions[1], &it.Reactions[2], &it.Reactions[3],
		&it.Arguments[0], &it.Arguments[1], &it.Arguments[2], &it.CreatedAt, &tags, &it.Retained, &it.ReactsTo, &it.ReactionType)
	it.Axis = fmt.Sprintf("Axe %d : %s", pos, axis)
	it.Entry = refs.EntryTitle(entry)
	it.Status, it.Hidden = StatusLabel(status), status == StatusHidden
	it.Excerpt = excerpt(it.Body, excerptRunes)
	if tags != "" {
		it.Tags = strings.Split(tags, "|")
	}
	return it, err
}

// Items returns the contributions ids of the consultation, whatever their
// status, in the order of ids (a page of the query service).
func (s *Store) Items(ctx context.Context, refs Refs, ids []int64) ([]Item, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	byID := make(map[int64]Item, len(ids))
	err := queryEach(ctx, s.sql(), `SELECT `+itemColumns+` WHERE c.id = ANY($1) AND c.consultation_id = $2`, []any{ids, refs.ConsultationID},
		func(rs *sql.Rows) error {
			it, err := s.scanItem(refs, rs)
			byID[it.ID] = it
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("items: %w", err)
	}
	out := make([]Item, 0, len(ids))
	for _, id := range ids {
		if it, ok := byID[id]; ok {
			out = append(out, it)
		}
	}
	return out, nil
}

// Item returns one contribution of the consultation, whatever its status.
func (s *Store) Item(ctx context.Context, refs Refs, id int64) (Item, error) {
	var it Item
	found := false
	err := queryEach(ctx, s.sql(), `SELECT `+itemColumns+` WHERE c.id = $1 AND c.consultation_id = $2`, []any{id, refs.ConsultationID}, func(rs *sql.Rows) error {
		var err error
		it, err = s.scanItem(refs, rs)
		found = true
		return err
	})
	if err != nil {
		return it, fmt.Errorf("item %d: %w", id, err)
	}
	if !found {
		return it, ErrNotFound
	}
	return it, nil
}
