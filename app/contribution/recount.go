package contribution

import (
	"context"
	"fmt"
)

// RecountReport tells what Recount found different from the rows it counts,
// and set right.
type RecountReport struct {
	Cells    int // rollup cells whose count was wrong or missing
	Listing  int // contributions whose listing row was missing, in the wrong cell or with a wrong discussion count
	Counters int // contributions whose counters (supports, reactions, arguments, cell) were wrong or missing
}

// Exact reports whether nothing was different.
func (r RecountReport) Exact() bool {
	return r.Cells == 0 && r.Listing == 0 && r.Counters == 0
}

// Recount rebuilds what the triggers and the write paths keep up to date from
// the rows themselves: the rollup cells (counts by filter dimensions and
// status, assisted or not), the listing rows and the counters of every
// contribution (supports of accounts and assisted supports together). It locks
// the contribution tables against writes for its duration (a few seconds at
// 1,000,000 contributions) so that what it counts stays true, and returns
// what differed. It is the repair command (concertation recount), and the
// last step of a bulk load made with the triggers off.
func (s *Store) Recount(ctx context.Context) (RecountReport, error) {
	var r RecountReport
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		conn := s.db.Conn(ctx)
		if err := conn.Exec(`LOCK TABLE contributions, contribution_counters, supports, assisted_supports, arguments,
			contribution_cells, contribution_listing IN SHARE ROW EXCLUSIVE MODE`).Error; err != nil {
			return fmt.Errorf("recount: lock: %w", err)
		}
		steps := []struct {
			dst *int
			sql string
		}{
			// Cells: every combination that has contributions, and every
			// existing cell, get their true count.
			{&r.Cells, `WITH truth AS (
				SELECT consultation_id, status, axis_id, entry, author_category, coalesce(region_id, 0) AS region_id,
				       coalesce(departement_id, 0) AS departement_id, coalesce(hub_id, 0) AS hub_id, assisted, count(*)::int AS n
				  FROM contributions GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9),
			added AS (
				INSERT INTO contribution_cells (consultation_id, status, axis_id, entry, author_category, region_id, departement_id, hub_id, assisted, n)
				SELECT t.* FROM truth t WHERE NOT EXISTS (SELECT 1 FROM contribution_cells x
					WHERE (x.consultation_id, x.status, x.axis_id, x.entry, x.author_category, x.region_id, x.departement_id, x.hub_id, x.assisted)
					    = (t.consultation_id, t.status, t.axis_id, t.entry, t.author_category, t.region_id, t.departement_id, t.hub_id, t.assisted))
				RETURNING n),
			fixed AS (
				UPDATE contribution_cells x SET n = coalesce(t.n, 0), seq = nextval('contribution_cells_seq')
				  FROM contribution_cells y LEFT JOIN truth t
				    ON (y.consultation_id, y.status, y.axis_id, y.entry, y.author_category, y.region_id, y.departement_id, y.hub_id, y.assisted)
				     = (t.consultation_id, t.status, t.axis_id, t.entry, t.author_category, t.region_id, t.departement_id, t.hub_id, t.assisted)
				 WHERE x.id = y.id AND x.n <> coalesce(t.n, 0)
				RETURNING 1)
			SELECT (SELECT count(*) FROM added) + (SELECT count(*) FROM fixed)`},
			// Listing rows: present, in the cell of their contribution.
			{&r.Listing, `WITH want AS (
				SELECT c.id, x.id AS cell_id, c.created_at FROM contributions c
				  JOIN contribution_cells x ON (x.consultation_id, x.status, x.axis_id, x.entry, x.author_category, x.region_id, x.departement_id, x.hub_id, x.assisted)
				     = (c.consultation_id, c.status, c.axis_id, c.entry, c.author_category, coalesce(c.region_id, 0), coalesce(c.departement_id, 0), coalesce(c.hub_id, 0), c.assisted)),
			added AS (
				INSERT INTO contribution_listing (contribution_id, cell_id, created_at, rnd)
				SELECT w.id, w.cell_id, w.created_at, floor(random() * 2147483647)::int FROM want w
				 WHERE NOT EXISTS (SELECT 1 FROM contribution_listing l WHERE l.contribution_id = w.id)
				RETURNING 1),
			moved AS (
				UPDATE contribution_listing l SET cell_id = w.cell_id FROM want w
				 WHERE l.contribution_id = w.id AND l.cell_id <> w.cell_id RETURNING 1)
			SELECT (SELECT count(*) FROM added) + (SELECT count(*) FROM moved)`},
			// Counters: present, true, with the cell of the listing.
			{&r.Counters, `WITH added AS (
				INSERT INTO contribution_counters (contribution_id)
				SELECT c.id FROM contributions c WHERE NOT EXISTS (SELECT 1 FROM contribution_counters k WHERE k.contribution_id = c.id)
				RETURNING 1),
			-- Supports of accounts and supports recorded by a médiateur for a
			-- present person share the counter.
			support_counts AS (SELECT contribution_id, count(*)::int AS n
				FROM (SELECT contribution_id FROM supports UNION ALL SELECT contribution_id FROM assisted_supports) s GROUP BY 1),
			reactions AS (
				SELECT reacts_to_id AS id,
				       count(*) FILTER (WHERE reaction_type = 'soutient')::int AS soutient,
				       count(*) FILTER (WHERE reaction_type = 'complete')::int AS complete,
				       count(*) FILTER (WHERE reaction_type = 'nuance')::int AS nuance,
				       count(*) FILTER (WHERE reaction_type = 'conteste')::int AS conteste
				  FROM contributions WHERE reacts_to_id IS NOT NULL AND status = 'published' GROUP BY 1),
			args AS (
				SELECT contribution_id AS id,
				       count(*) FILTER (WHERE stance = 'pour')::int AS pour,
				       count(*) FILTER (WHERE stance = 'contre')::int AS contre,
				       count(*) FILTER (WHERE stance = 'neutre')::int AS neutre
				  FROM arguments WHERE status = 'published' GROUP BY 1),
			truth AS (
				SELECT c.id, coalesce(s.n, 0) AS supports, coalesce(r.soutient, 0) AS soutient, coalesce(r.complete, 0) AS complete,
				       coalesce(r.nuance, 0) AS nuance, coalesce(r.conteste, 0) AS conteste, coalesce(a.pour, 0) AS pour,
				       coalesce(a.contre, 0) AS contre, coalesce(a.neutre, 0) AS neutre, l.cell_id
				  FROM contributions c
				  LEFT JOIN support_counts s ON s.contribution_id = c.id
				  LEFT JOIN reactions r ON r.id = c.id
				  LEFT JOIN args a ON a.id = c.id
				  LEFT JOIN contribution_listing l ON l.contribution_id = c.id),
			fixed AS (
				UPDATE contribution_counters k SET supports = t.supports, reactions_soutient = t.soutient, reactions_complete = t.complete,
				       reactions_nuance = t.nuance, reactions_conteste = t.conteste, arguments_pour = t.pour,
				       arguments_contre = t.contre, arguments_neutre = t.neutre, cell_id = t.cell_id
				  FROM truth t
				 WHERE k.contribution_id = t.id AND (k.supports, k.reactions_soutient, k.reactions_complete, k.reactions_nuance,
				       k.reactions_conteste, k.arguments_pour, k.arguments_contre, k.arguments_neutre, k.cell_id)
				       IS DISTINCT FROM (t.supports, t.soutient, t.complete, t.nuance, t.conteste, t.pour, t.contre, t.neutre, t.cell_id)
				RETURNING 1)
			SELECT (SELECT count(*) FROM added) + (SELECT count(*) FROM fixed)`},
			// The discussion key of the listing, from the counters.
			{&r.Listing, `WITH fixed AS (
				UPDATE contribution_listing l SET discussion = k.reactions_soutient + k.reactions_complete + k.reactions_nuance
				       + k.reactions_conteste + k.arguments_pour + k.arguments_contre + k.arguments_neutre
				  FROM contribution_counters k
				 WHERE k.contribution_id = l.contribution_id AND l.discussion <> k.reactions_soutient + k.reactions_complete
				       + k.reactions_nuance + k.reactions_conteste + k.arguments_pour + k.arguments_contre + k.arguments_neutre
				RETURNING 1)
			SELECT count(*) FROM fixed`},
		}
		for _, st := range steps {
			var n int
			if err := conn.Raw(st.sql).Scan(&n).Error; err != nil {
				return fmt.Errorf("recount: %w", err)
			}
			*st.dst += n
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	s.changed()
	return r, nil
}
