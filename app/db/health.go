package db

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// health remembers since when every check of the primary has failed.
type health struct {
	mu        sync.Mutex
	downSince time.Time // zero while the last check succeeded
	lastErr   error
}

// record notes the outcome of one check of the primary at now. It reports
// whether the database just went down, and, when it just came back, for how
// long it was down (0 otherwise).
func (h *health) record(err error, now time.Time) (wentDown bool, downFor time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lastErr = err
	switch {
	case err != nil && h.downSince.IsZero():
		h.downSince = now
		return true, 0
	case err == nil && !h.downSince.IsZero():
		downFor = max(now.Sub(h.downSince), time.Nanosecond)
		h.downSince = time.Time{}
		return false, downFor
	}
	return false, 0
}

// Unreachable returns how long every check of the primary (Ping, Watch) has
// failed, and the last error; 0 and nil when the last check succeeded.
func (d *DB) Unreachable() (time.Duration, error) {
	d.health.mu.Lock()
	defer d.health.mu.Unlock()
	if d.health.downSince.IsZero() {
		return 0, nil
	}
	return time.Since(d.health.downSince), d.health.lastErr
}

// Watch checks the primary every interval until ctx ends, so that
// Unreachable stays current between health probes, and logs when the
// database becomes unreachable and when it answers again. The pool replaces
// broken connections by itself (pgx reports them as bad to database/sql), so
// service resumes as soon as the server accepts connections again.
func (d *DB) Watch(ctx context.Context, interval time.Duration, log *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		pctx, cancel := context.WithTimeout(ctx, max(interval, 2*time.Second))
		err := d.SQL().PingContext(pctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		down, downFor := d.health.record(err, time.Now())
		switch {
		case down:
			log.Error("database unreachable", "err", err)
		case downFor > 0:
			log.Warn("database reachable again", "down_for", downFor.Round(time.Millisecond))
		}
	}
}
