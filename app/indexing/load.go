// Package indexing keeps the search index in step with the database: the
// outbox worker (worker.go) sends every change of a contribution to the
// search engine, and the rebuild (reindex.go) fills a new index from the
// database and swaps it in.
package indexing

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/cnr-numerique/concertation/search"
)

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// loadRows reads the current contributions of ids with their counters;
// ids that no longer exist are absent from the map.
func loadRows(ctx context.Context, q querier, ids []int64) (map[int64]search.Row, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.consultation_id, c.entry, c.axis_id, c.hub_id,
	c.author_category, c.region_id, c.departement_id, c.status, c.title, c.body, c.created_at,
	cc.supports, coalesce(cc.reactions_soutient, 0), coalesce(cc.reactions_complete, 0),
	coalesce(cc.reactions_nuance, 0), coalesce(cc.reactions_conteste, 0)
FROM contributions c LEFT JOIN contribution_counters cc ON cc.contribution_id = c.id
WHERE c.id = ANY($1::bigint[])`, int64Array(ids))
	if err != nil {
		return nil, fmt.Errorf("load contributions: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]search.Row, len(ids))
	for rows.Next() {
		var r search.Row
		if err := rows.Scan(&r.ID, &r.ConsultationID, &r.Entry, &r.AxisID, &r.HubID,
			&r.AuthorCategory, &r.RegionID, &r.DepartementID, &r.Status, &r.Title, &r.Body, &r.CreatedAt,
			&r.Supports, &r.Reactions[0], &r.Reactions[1], &r.Reactions[2], &r.Reactions[3]); err != nil {
			return nil, fmt.Errorf("load contributions: %w", err)
		}
		out[r.ID] = r
	}
	return out, rows.Err()
}

// split turns the current rows of ids into documents to index and ids to
// delete (withdrawn, hidden or gone).
func split(ids []int64, rows map[int64]search.Row) (docs []search.Document, deletes []int64) {
	for _, id := range ids {
		r, ok := rows[id]
		if ok && r.Indexed() {
			docs = append(docs, search.DocumentOf(r))
		} else {
			deletes = append(deletes, id)
		}
	}
	return docs, deletes
}

// lockNamespace is the first key of the advisory locks that serialise the
// writes of one document to the engines (pg_advisory_xact_lock(int, int)).
const lockNamespace = 0x53524348 // "SRCH"

// lockKey is the second key: the contribution id folded into an int4.
const lockKey = `(%s %% 2147483647)::int`

func int64Array(ids []int64) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte('}')
	return b.String()
}
