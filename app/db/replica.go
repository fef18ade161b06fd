package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// DefaultReplicaMaxLag is the replay lag beyond which reads leave the replica
// for the primary until it catches up.
const DefaultReplicaMaxLag = 30 * time.Second

// replicaCheckEvery is the interval of the replica's state checks.
const replicaCheckEvery = time.Second

// replica is an optional PostgreSQL streaming replica that serves reads.
type replica struct {
	g      *gorm.DB
	maxLag time.Duration
	log    *slog.Logger
	ok     atomic.Bool // reads may go to the replica (last check)
	mu     sync.Mutex  // guards status
	status ReplicaStatus
	// checkMu serialises the checks and guards seen.
	checkMu sync.Mutex
	seen    []lsnSeen
	stop    context.CancelFunc
	done    chan struct{}
}

// ReplicaStatus is the state of the read replica at its last check.
type ReplicaStatus struct {
	Configured bool
	Reachable  bool
	InRecovery bool          // it is a standby (pg_is_in_recovery): it replays the primary's WAL
	LagBytes   int64         // WAL of the primary not yet replayed on the replica
	Lag        time.Duration // how long ago the primary was where the replica is now, to the check interval; 0 when caught up
	Usable     bool          // reads go to it: reachable, a standby, lag within the limit
	CheckedAt  time.Time
	Err        error
}

type primaryKey struct{}

// WithPrimary marks ctx so that Read uses the primary: the pages of a person
// who has just written read their own change even while the replica has not
// replayed it yet.
func WithPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

// OnPrimary reports whether Read uses the primary for ctx whatever the
// replica's state: ctx carries a transaction or was marked by WithPrimary.
func OnPrimary(ctx context.Context) bool {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return true
	}
	return ctx.Value(primaryKey{}) != nil
}

// UseReplica makes Read and ReadSQL use the streaming replica at url when it
// is reachable, a standby, and no more than maxLag behind (DefaultReplicaMaxLag
// when 0); otherwise they use the primary. Its state is checked every second
// until Close. A replica that is down at start is not an error: reads go to the
// primary until it answers. Call it once, before serving.
func (d *DB) UseReplica(ctx context.Context, url string, maxLag time.Duration, log *slog.Logger) error {
	if d.replica != nil {
		return fmt.Errorf("read replica already set")
	}
	g, err := openPool(url)
	if err != nil {
		return fmt.Errorf("read replica: %w", err)
	}
	if maxLag <= 0 {
		maxLag = DefaultReplicaMaxLag
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	r := &replica{g: g, maxLag: maxLag, log: log, stop: stop, done: make(chan struct{})}
	d.replica = r
	st := d.CheckReplica(ctx)
	log.Info("read replica", "usable", st.Usable, "in_recovery", st.InRecovery, "lag", st.Lag, "err", st.Err)
	go d.monitorReplica(mctx)
	return nil
}

// HasReplica reports whether a read replica is configured.
func (d *DB) HasReplica() bool { return d.replica != nil }

// Read returns the GORM handle for a read made with ctx: the transaction
// carried by ctx when there is one; the primary when ctx was marked by
// WithPrimary, when no replica is configured or when the replica is not
// usable; the replica otherwise. Data read through it may be up to the
// replica's lag old: use it for lists, search, statistics and exports, never
// to read before a write.
func (d *DB) Read(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	if r := d.readReplica(ctx); r != nil {
		return r.g.WithContext(ctx)
	}
	return d.g.WithContext(ctx)
}

// ReadSQL is Read for code that needs a *sql.DB (the search engine, bulk
// exports): the replica's pool or the primary's by the same rules. A
// transaction carried by ctx cannot be expressed as a *sql.DB: inside one, it
// returns the primary's pool and callers should use Conn instead.
func (d *DB) ReadSQL(ctx context.Context) *sql.DB {
	if r := d.readReplica(ctx); r != nil {
		s, _ := r.g.DB()
		return s
	}
	return d.SQL()
}

func (d *DB) readReplica(ctx context.Context) *replica {
	if d.replica == nil || OnPrimary(ctx) || !d.replica.ok.Load() {
		return nil
	}
	return d.replica
}

// ReplicaStatus returns the replica's state at its last check; Configured is
// false without a replica.
func (d *DB) ReplicaStatus() ReplicaStatus {
	if d.replica == nil {
		return ReplicaStatus{}
	}
	d.replica.mu.Lock()
	defer d.replica.mu.Unlock()
	return d.replica.status
}

// CheckReplica checks the replica now, updates the state that Read follows
// and returns it.
func (d *DB) CheckReplica(ctx context.Context) ReplicaStatus {
	r := d.replica
	if r == nil {
		return ReplicaStatus{}
	}
	r.checkMu.Lock()
	defer r.checkMu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st := ReplicaStatus{Configured: true, CheckedAt: time.Now()}
	st.Err = d.measureLag(ctx, r, &st)
	st.Usable = st.Err == nil && st.Lag <= r.maxLag
	r.mu.Lock()
	prev := r.status
	r.status = st
	r.mu.Unlock()
	r.ok.Store(st.Usable)
	if prev.CheckedAt.IsZero() || prev.Usable == st.Usable {
		return st
	}
	if st.Usable {
		r.log.Warn("read replica back in use", "lag", st.Lag)
	} else {
		r.log.Warn("read replica not used: reads go to the primary", "reachable", st.Reachable,
			"in_recovery", st.InRecovery, "lag", st.Lag, "err", st.Err)
	}
	return st
}

// lsnSeen is a WAL position of the primary and when a check saw it.
type lsnSeen struct {
	lsn int64
	at  time.Time
}

// measureLag fills st from the primary's WAL position and the replica's
// replay position. The lag in time is the age of the oldest primary position,
// among those seen by the checks, that the replica has not replayed yet: it
// stays 0 on an idle primary, and grows by the second while replay is behind.
func (d *DB) measureLag(ctx context.Context, r *replica, st *ReplicaStatus) error {
	var primary int64
	if err := d.g.WithContext(ctx).Raw(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint`).Scan(&primary).Error; err != nil {
		return fmt.Errorf("primary: %w", err)
	}
	var row struct {
		InRecovery bool
		Replayed   int64
	}
	err := r.g.WithContext(ctx).Raw(`SELECT pg_is_in_recovery() AS in_recovery,
	COALESCE(pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0'), 0)::bigint AS replayed`).Scan(&row).Error
	if err != nil {
		return fmt.Errorf("replica: %w", err)
	}
	st.Reachable, st.InRecovery = true, row.InRecovery
	if !row.InRecovery {
		r.seen = r.seen[:0]
		return errors.New("replica: not a standby (pg_is_in_recovery is false)")
	}
	st.LagBytes = max(primary-row.Replayed, 0)
	if len(r.seen) == 0 || r.seen[len(r.seen)-1].lsn < primary {
		if len(r.seen) >= 120 { // keep the oldest, which sets the lag
			r.seen = append(r.seen[:1], r.seen[2:]...)
		}
		r.seen = append(r.seen, lsnSeen{primary, st.CheckedAt})
	}
	pending := r.seen[:0]
	for _, s := range r.seen {
		if s.lsn > row.Replayed {
			pending = append(pending, s)
		}
	}
	r.seen = pending
	if len(pending) > 0 {
		st.Lag = st.CheckedAt.Sub(pending[0].at)
	}
	return nil
}

func (d *DB) monitorReplica(ctx context.Context) {
	defer close(d.replica.done)
	tick := time.NewTicker(replicaCheckEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			d.CheckReplica(ctx)
		}
	}
}

func (r *replica) close() {
	r.stop()
	<-r.done
	if s, err := r.g.DB(); err == nil {
		_ = s.Close()
	}
}

// Query runs a read statement (placeholders $1, $2…) with database/sql,
// without GORM's statement machinery, which cost a page showing one
// contribution a fifth of its time: in the transaction carried by ctx when
// there is one, else on the pool that Read would use.
func (d *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		if q, ok := tx.Statement.ConnPool.(interface {
			QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		}); ok {
			return q.QueryContext(ctx, query, args...)
		}
	}
	return d.ReadSQL(ctx).QueryContext(ctx, query, args...)
}
