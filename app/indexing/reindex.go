package indexing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/cnr-numerique/concertation/search"
	"github.com/schollz/progressbar/v3"
)

// Reindex rebuilds the engine's index from the database into a new index,
// then swaps it in: searches keep using the live index meanwhile
// (concertation reindex).
//
// The rebuild is resumable: its target and the last contribution id sent
// are saved in search_reindex after every batch, so a new run after an
// interruption continues there. While it runs, the outbox worker writes
// every change to the target too, and each batch holds shared advisory
// locks on its documents, so a change is never overwritten by an older read.
// The target is swapped in only when it holds as many documents as there
// are published contributions (engines that can count: Meilisearch).
type Reindex struct {
	DB     *sql.DB
	Engine search.Engine // must be a search.Rebuilder
	Log    *slog.Logger
	// BatchSize is the number of contributions read and sent at once (1000 when 0).
	BatchSize int
	// Progress receives a progress bar; none when nil.
	Progress io.Writer
	// afterBatch is called after each saved batch (tests).
	afterBatch func(done int64)
}

// ReindexStats sums up a rebuild.
type ReindexStats struct {
	Target  string
	Resumed bool
	Sent    int64 // documents sent by this run
	Total   int64 // contributions read by the whole rebuild
	Took    time.Duration
}

// Run performs or resumes the rebuild.
func (r *Reindex) Run(ctx context.Context) (ReindexStats, error) {
	start := time.Now()
	rb, ok := r.Engine.(search.Rebuilder)
	if !ok {
		return ReindexStats{}, fmt.Errorf("reindex: the %s engine cannot rebuild", r.Engine.Name())
	}
	log := r.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st, err := r.begin(ctx, rb)
	if err != nil {
		return st, err
	}
	if st.Resumed {
		log.Info("resuming the rebuild", "engine", r.Engine.Name(), "target", st.Target, "done", st.Total)
	} else {
		log.Info("rebuilding the search index", "engine", r.Engine.Name(), "target", st.Target)
	}
	for pass := 1; ; pass++ {
		if err := r.fill(ctx, rb, &st); err != nil {
			return st, err
		}
		err := r.finish(ctx, rb, st.Target)
		var mismatch *CountMismatchError
		if errors.As(err, &mismatch) && pass == 1 {
			// The target lost or kept documents (an index deleted or filled
			// outside this rebuild): send everything once more.
			log.Warn("the new index does not hold what PostgreSQL says: sending every contribution again", "target", st.Target,
				"documents", mismatch.Got, "expected", mismatch.Want)
			if _, err := r.DB.ExecContext(ctx, `UPDATE search_reindex SET last_id = 0, done = 0, updated_at = now() WHERE engine = $1`, r.Engine.Name()); err != nil {
				return st, fmt.Errorf("reindex: %w", err)
			}
			st.Total = 0
			continue
		}
		if err != nil {
			return st, err
		}
		break
	}
	st.Took = time.Since(start)
	log.Info("search index rebuilt", "engine", r.Engine.Name(), "documents", st.Sent, "contributions", st.Total, "took", st.Took)
	return st, nil
}

// fill sends the contributions after the saved progress, batch by batch,
// with a progress bar.
func (r *Reindex) fill(ctx context.Context, rb search.Rebuilder, st *ReindexStats) error {
	var lastID int64
	if err := r.DB.QueryRowContext(ctx, `SELECT last_id FROM search_reindex WHERE engine = $1`, r.Engine.Name()).Scan(&lastID); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	var remaining int64
	if err := r.DB.QueryRowContext(ctx, `SELECT count(*) FROM contributions WHERE id > $1`, lastID).Scan(&remaining); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	bar := r.bar(st.Total + remaining)
	_ = bar.Set64(st.Total)
	for {
		n, sent, last, err := r.batch(ctx, rb, st.Target, lastID)
		if err != nil {
			_ = bar.Exit()
			return err
		}
		if n == 0 {
			break
		}
		lastID = last
		st.Sent += sent
		st.Total += n
		_ = bar.Add64(n)
		if r.afterBatch != nil {
			r.afterBatch(st.Total)
		}
	}
	_ = bar.Finish()
	return nil
}

// CountMismatchError is returned when the new index does not hold as many
// documents as there are published contributions: it is not swapped in.
type CountMismatchError struct {
	Target    string
	Got, Want int64
}

func (e *CountMismatchError) Error() string {
	return fmt.Sprintf("reindex: the new index %s holds %d documents, PostgreSQL has %d published contributions: not swapped", e.Target, e.Got, e.Want)
}

// finish brings the target up to date and swaps it in, in one transaction
// that keeps the outbox workers away from the target:
//   - LOCK TABLE search_reindex IN EXCLUSIVE MODE, first, before the
//     transaction's snapshot: it waits for the workers writing to the target
//     (they read it FOR SHARE) and holds back the next ones;
//   - in that snapshot, the changes still in the outbox are applied to the
//     target, so it holds exactly the published contributions of the
//     snapshot; with a search.TargetCounter engine, its document count must
//     equal theirs (else CountMismatchError, and no swap);
//   - the swap, then the end of the rebuild state; the workers then write
//     to the new live index only, starting with the changes made since the
//     snapshot, still in the outbox.
func (r *Reindex) finish(ctx context.Context, rb search.Rebuilder, target string) error {
	tx, err := r.DB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit
	if _, err := tx.ExecContext(ctx, `LOCK TABLE search_reindex IN EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("reindex: lock: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT contribution_id FROM search_outbox ORDER BY 1`)
	if err != nil {
		return fmt.Errorf("reindex: pending changes: %w", err)
	}
	var pending []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("reindex: pending changes: %w", err)
		}
		pending = append(pending, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reindex: pending changes: %w", err)
	}
	for chunk := range slices.Chunk(pending, max(r.BatchSize, 1000)) {
		current, err := loadRows(ctx, tx, chunk)
		if err != nil {
			return err
		}
		docs, deletes := split(chunk, current)
		if err := rb.IndexInto(ctx, target, docs); err != nil {
			return fmt.Errorf("reindex: pending changes: %w", err)
		}
		if err := rb.DeleteFrom(ctx, target, deletes); err != nil {
			return fmt.Errorf("reindex: pending changes: %w", err)
		}
	}
	if counter, ok := r.Engine.(search.TargetCounter); ok {
		var want int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM contributions WHERE status = $1`, search.StatusPublished).Scan(&want); err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
		got, err := counter.Count(ctx, target)
		if err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
		if got != want {
			return &CountMismatchError{Target: target, Got: got, Want: want}
		}
	}
	if err := rb.Swap(ctx, target); err != nil {
		return fmt.Errorf("reindex: swap: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_reindex WHERE engine = $1`, r.Engine.Name()); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	return nil
}

// begin reopens the rebuild in progress, or prepares a new target and
// records it (prepared first: the worker must never see a missing target).
func (r *Reindex) begin(ctx context.Context, rb search.Rebuilder) (ReindexStats, error) {
	var st ReindexStats
	err := r.DB.QueryRowContext(ctx, `SELECT target, done FROM search_reindex WHERE engine = $1`, r.Engine.Name()).Scan(&st.Target, &st.Total)
	switch {
	case err == nil:
		st.Resumed = true
		return st, rb.Prepare(ctx, st.Target)
	case !errors.Is(err, sql.ErrNoRows):
		return st, fmt.Errorf("reindex: %w", err)
	}
	st.Target = rb.NewTarget()
	if err := rb.Prepare(ctx, st.Target); err != nil {
		return st, fmt.Errorf("reindex: prepare: %w", err)
	}
	res, err := r.DB.ExecContext(ctx, `INSERT INTO search_reindex (engine, target) VALUES ($1, $2) ON CONFLICT DO NOTHING`, r.Engine.Name(), st.Target)
	if err != nil {
		return st, fmt.Errorf("reindex: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return st, errors.New("reindex: another rebuild started at the same time")
	}
	return st, nil
}

// batch sends the contributions after lastID and saves the progress, in one
// transaction holding shared locks on their documents. It returns the
// number of contributions read, of documents sent, and the last id.
func (r *Reindex) batch(ctx context.Context, rb search.Rebuilder, target string, lastID int64) (n, sent, last int64, err error) {
	size := r.BatchSize
	if size <= 0 {
		size = 1000
	}
	tx, err := r.DB.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("reindex: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit
	rows, err := tx.QueryContext(ctx, `SELECT id FROM contributions WHERE id > $1 ORDER BY id LIMIT $2`, lastID, size)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("reindex: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, 0, 0, fmt.Errorf("reindex: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return 0, 0, 0, err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`SELECT pg_advisory_xact_lock_shared(%d, `+lockKey+`) FROM unnest($1::bigint[]) c`,
		lockNamespace, "c"), int64Array(ids)); err != nil {
		return 0, 0, 0, fmt.Errorf("reindex: lock: %w", err)
	}
	current, err := loadRows(ctx, tx, ids)
	if err != nil {
		return 0, 0, 0, err
	}
	docs, deletes := split(ids, current)
	if err := rb.IndexInto(ctx, target, docs); err != nil {
		return 0, 0, 0, fmt.Errorf("reindex: %w", err)
	}
	// A target reopened after an interruption may hold an older state.
	if err := rb.DeleteFrom(ctx, target, deletes); err != nil {
		return 0, 0, 0, fmt.Errorf("reindex: %w", err)
	}
	last = ids[len(ids)-1]
	if _, err := tx.ExecContext(ctx, `UPDATE search_reindex SET last_id = $2, done = done + $3, updated_at = now() WHERE engine = $1`,
		r.Engine.Name(), last, len(ids)); err != nil {
		return 0, 0, 0, fmt.Errorf("reindex: save progress: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, 0, fmt.Errorf("reindex: save progress: %w", err)
	}
	return int64(len(ids)), int64(len(docs)), last, nil
}

func (r *Reindex) bar(total int64) *progressbar.ProgressBar {
	if r.Progress == nil {
		return progressbar.NewOptions64(total, progressbar.OptionSetVisibility(false))
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(r.Progress),
		progressbar.OptionSetDescription("Réindexation"),
		progressbar.OptionSetItsString("contributions"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(r.Progress) }),
	)
}
