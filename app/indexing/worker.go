package indexing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/cnr-numerique/concertation/search"
)

// Worker drains the transactional outbox (search_outbox) into a search
// engine. Every change of a contribution's search document (create, edit,
// withdraw, hide, support and reaction counts) inserts an outbox row in the
// transaction of the change; the worker then:
//
//   - takes a batch of due rows with SELECT … FOR UPDATE SKIP LOCKED, so
//     several workers (several app instances) share the outbox;
//   - takes, per contribution, a transaction-scoped advisory lock; a
//     contribution that another worker (or the rebuild) holds is left for a
//     later batch. One writer at a time per document, each one reading the
//     current row after the change it handles, and awaiting the engine's
//     acknowledgement before it lets go: updates of one document are never
//     reordered, and only its latest state is sent, however many rows it has;
//   - indexes the published ones and deletes the others (withdrawn, hidden,
//     gone), also into the target of a rebuild in progress;
//   - deletes the rows when the engine acknowledged, or keeps them with a
//     later next_attempt_at (exponential backoff) when it failed: nothing is
//     lost while the engine is down, and retrying stops once it is back.
type Worker struct {
	DB     *sql.DB
	Engine search.Engine
	Log    *slog.Logger
	// BatchSize is the number of outbox rows taken at once (100 when 0).
	BatchSize int
	// Idle is the pause when nothing is due (1 s when 0).
	Idle time.Duration
	// Backoff is the wait before the attempt that follows attempt n (from
	// 1); exponential from 1 s to 5 min, with jitter, when nil.
	Backoff func(n int) time.Duration
	// Probe, when set, tells whether the engine answers again (Meilisearch:
	// GET /health). After a failure, Run probes at each idle pause and, as
	// soon as the engine is back, makes the postponed rows due at once:
	// the index catches up within a pause, not after the backoff (up to
	// 5 min).
	Probe func(ctx context.Context) error
}

// Backoff is the default retry delay after n failed attempts.
func Backoff(n int) time.Duration {
	d := time.Second << min(n-1, 9) // 1 s … 512 s
	d = min(d, 5*time.Minute)
	return d/2 + rand.N(d/2+1) // jitter, so instances do not retry in step
}

// Run drains the outbox until ctx ends. Engine failures are logged and
// retried; it returns only when ctx is done.
func (w *Worker) Run(ctx context.Context) {
	idle := w.Idle
	if idle == 0 {
		idle = time.Second
	}
	log := w.log()
	log.Info("search outbox worker started", "engine", w.Engine.Name())
	failing := false
	for {
		n, err := w.Drain(ctx)
		switch {
		case ctx.Err() != nil:
			log.Info("search outbox worker stopped")
			return
		case errors.Is(err, ErrEngine):
			failing = true
			log.Warn("search outbox: will retry", "err", err)
		case err != nil:
			log.Warn("search outbox: will retry", "err", err)
		}
		if n > 0 && err == nil {
			if failing { // the engine answers again: the postponed changes go now too
				w.retryPostponed(ctx)
				failing = false
			}
			continue
		}
		select {
		case <-ctx.Done():
			log.Info("search outbox worker stopped")
			return
		case <-time.After(idle):
		}
		if failing && w.Probe != nil && w.Probe(ctx) == nil {
			failing = !w.retryPostponed(ctx)
		}
	}
}

// retryPostponed makes the postponed outbox rows due now, once the engine
// answers again; it reports whether that worked.
func (w *Worker) retryPostponed(ctx context.Context) bool {
	res, err := w.DB.ExecContext(ctx, `UPDATE search_outbox SET next_attempt_at = now() WHERE next_attempt_at > now()`)
	if err != nil {
		w.log().Warn("search outbox: postponed changes not retried early", "err", err)
		return false
	}
	n, _ := res.RowsAffected()
	w.log().Info("search engine answers again: retrying the postponed changes now", "rows", n)
	return true
}

func (w *Worker) log() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

// ErrEngine wraps an engine failure reported by Drain; the rows stay in the
// outbox for a later attempt.
var ErrEngine = errors.New("search engine failed")

// Drain handles one batch of due outbox rows and returns how many rows it
// consumed (0 when nothing was due or every due document was busy).
func (w *Worker) Drain(ctx context.Context) (int, error) {
	tx, err := w.DB.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("search outbox: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit
	batch := w.BatchSize
	if batch <= 0 {
		batch = 100
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, contribution_id, attempts FROM search_outbox
WHERE next_attempt_at <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, batch)
	if err != nil {
		return 0, fmt.Errorf("search outbox: select: %w", err)
	}
	var ids []int64
	attempts, found := 0, 0
	for rows.Next() {
		var id, contribution int64
		var a int
		if err := rows.Scan(&id, &contribution, &a); err != nil {
			rows.Close()
			return 0, fmt.Errorf("search outbox: select: %w", err)
		}
		found++
		if !slices.Contains(ids, contribution) {
			ids = append(ids, contribution)
		}
		attempts = max(attempts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("search outbox: select: %w", err)
	}
	if found == 0 {
		return 0, nil
	}
	mine, err := lockDocuments(ctx, tx, ids)
	if err != nil {
		return 0, err
	}
	if len(mine) == 0 {
		return 0, nil
	}
	// Every row of these documents committed so far is consumed by the read
	// that follows, including rows beyond the batch.
	done, text, err := rowsOf(ctx, tx, mine)
	if err != nil {
		return 0, err
	}
	current, err := loadRows(ctx, tx, mine)
	if err != nil {
		return 0, err
	}
	docs, deletes := split(mine, current)
	for i := range docs {
		docs[i].CountsOnly = !text[docs[i].ID]
	}
	if err := w.apply(ctx, tx, docs, deletes); err != nil {
		n := attempts + 1
		backoff := w.Backoff
		if backoff == nil {
			backoff = Backoff
		}
		msg := err.Error()
		if len(msg) > 1000 {
			msg = msg[:1000]
		}
		if _, uerr := tx.ExecContext(ctx, `UPDATE search_outbox SET attempts = attempts + 1,
	next_attempt_at = now() + make_interval(secs => $2), last_error = $3 WHERE id = ANY($1::bigint[])`,
			int64Array(done), backoff(n).Seconds(), msg); uerr != nil {
			return 0, fmt.Errorf("search outbox: postpone: %w (after %w)", uerr, err)
		}
		if cerr := tx.Commit(); cerr != nil {
			return 0, fmt.Errorf("search outbox: postpone: %w (after %w)", cerr, err)
		}
		return 0, fmt.Errorf("%w: %d documents postponed (attempt %d): %w", ErrEngine, len(mine), n, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_outbox WHERE id = ANY($1::bigint[])`, int64Array(done)); err != nil {
		return 0, fmt.Errorf("search outbox: delete: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("search outbox: commit: %w", err)
	}
	return len(done), nil
}

// lockDocuments takes the advisory locks of the contributions it can and
// returns them; the others are being written by someone else.
func lockDocuments(ctx context.Context, tx *sql.Tx, ids []int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT c FROM unnest($1::bigint[]) c
WHERE pg_try_advisory_xact_lock(%d, `+lockKey+`)`, lockNamespace, "c"), int64Array(ids))
	if err != nil {
		return nil, fmt.Errorf("search outbox: lock: %w", err)
	}
	defer rows.Close()
	var mine []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("search outbox: lock: %w", err)
		}
		mine = append(mine, id)
	}
	return mine, rows.Err()
}

// rowsOf locks and returns the outbox rows of the documents ids, leaving
// out those another worker holds, and the documents whose text may have
// changed (a row of theirs is not counts_only).
func rowsOf(ctx context.Context, tx *sql.Tx, ids []int64) (out []int64, text map[int64]bool, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, contribution_id, counts_only FROM search_outbox
WHERE contribution_id = ANY($1::bigint[]) ORDER BY id FOR UPDATE SKIP LOCKED`, int64Array(ids))
	if err != nil {
		return nil, nil, fmt.Errorf("search outbox: select: %w", err)
	}
	defer rows.Close()
	text = map[int64]bool{}
	for rows.Next() {
		var id, contribution int64
		var countsOnly bool
		if err := rows.Scan(&id, &contribution, &countsOnly); err != nil {
			return nil, nil, fmt.Errorf("search outbox: select: %w", err)
		}
		out = append(out, id)
		text[contribution] = text[contribution] || !countsOnly
	}
	return out, text, rows.Err()
}

// apply sends the documents to the live index and, during a rebuild, to its
// target index too.
func (w *Worker) apply(ctx context.Context, tx *sql.Tx, docs []search.Document, deletes []int64) error {
	// FOR SHARE, before any write: the end of a rebuild (Reindex.finish)
	// locks the table in EXCLUSIVE mode, so it waits for these writes, and
	// writes that come after it see no target: a swapped (deleted) target is
	// never written again, which would create it anew.
	var target string
	rb, rebuilds := w.Engine.(search.Rebuilder)
	if rebuilds {
		err := tx.QueryRowContext(ctx, `SELECT target FROM search_reindex WHERE engine = $1 FOR SHARE`, w.Engine.Name()).Scan(&target)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("search outbox: rebuild state: %w", err)
		}
	}
	if err := w.Engine.Index(ctx, docs); err != nil {
		return err
	}
	if err := w.Engine.Delete(ctx, deletes); err != nil {
		return err
	}
	if target == "" {
		return nil
	}
	if err := rb.IndexInto(ctx, target, docs); err != nil {
		return err
	}
	return rb.DeleteFrom(ctx, target, deletes)
}
