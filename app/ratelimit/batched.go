package ratelimit

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// batchedPrefixes are the rules counted in memory and written to PostgreSQL
// at most once per syncEvery and key: the limits of frequent actions
// (searching, supporting, writing), which every instance must share but not
// at the price of one write per request. Counting each search in its own
// transaction made every search from one address (a school, a mediation
// centre, a mobile operator's shared address) wait for the same row, one
// commit at a time: 8 ms each at 16 requests at once. The limits of the
// account flows (sign-in, sign-up, reset, claim) stay exact, request by
// request.
var batchedPrefixes = []string{"search:", "support:", "argue:", "contribute:", "report:"}

// syncEvery is how often a key's hits counted in this process are added to
// its row: the others instances' hits are seen that late at most.
const syncEvery = time.Second

func batched(key string) bool {
	for _, p := range batchedPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// local is the state of one key in this process.
type local struct {
	mu       sync.Mutex
	start    time.Time // window of cur and pending
	pending  int       // hits of this process not yet written
	cur      int       // hits of the window in the row when last synced (every instance)
	prev     int       // hits of the previous window (every instance)
	synced   time.Time // last sync; zero: never
	syncing  bool
	lastSeen time.Time
}

// locals holds the keys seen by this process.
type locals struct {
	mu   sync.Mutex
	keys map[string]*local
	seen int // calls since the last sweep
}

func (ls *locals) get(key string, now time.Time) *local {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.keys == nil {
		ls.keys = map[string]*local{}
	}
	ls.seen++
	if ls.seen >= 10000 { // forget keys unused for an hour (their windows are over)
		ls.seen = 0
		for k, v := range ls.keys {
			v.mu.Lock()
			old := now.Sub(v.lastSeen) > time.Hour && v.pending == 0
			v.mu.Unlock()
			if old {
				delete(ls.keys, k)
			}
		}
	}
	v, ok := ls.keys[key]
	if !ok {
		v = &local{}
		ls.keys[key] = v
	}
	return v
}

// allowBatched counts one attempt on key in memory and decides on the
// counts of every instance as last synced plus this process's own; the
// request that finds the key's sync older than syncEvery writes the pending
// hits (one statement) while the others go on.
func (l *Limiter) allowBatched(ctx context.Context, key string, lim Limit) (Decision, error) {
	now := l.now()
	win := lim.Window.Truncate(time.Second)
	start := now.Truncate(win)
	v := l.locals.get(key, now)
	v.mu.Lock()
	if !v.start.Equal(start) {
		if v.pending > 0 && !v.start.IsZero() {
			// The previous window ends with hits not written: write them.
			v.mu.Unlock()
			if err := l.sync(ctx, key, lim, v); err != nil {
				return Decision{}, err
			}
			v.mu.Lock()
		}
		if !v.start.Equal(start) {
			// A new window: the old one is its previous window if it was
			// the one just before (the next sync reads both from the row).
			if v.start.Equal(start.Add(-win)) {
				v.prev = v.cur
			} else {
				v.prev = 0
			}
			v.cur, v.start, v.synced = 0, start, time.Time{}
		}
	}
	v.pending++
	v.lastSeen = now
	d := decide(now, start, win, v.cur+v.pending, v.prev, float64(lim.Max))
	due := !v.syncing && now.Sub(v.synced) >= syncEvery
	v.mu.Unlock()
	if due {
		if err := l.sync(ctx, key, lim, v); err != nil {
			return Decision{}, err
		}
		v.mu.Lock()
		d = decide(now, start, win, v.cur+v.pending, v.prev, float64(lim.Max))
		v.mu.Unlock()
	}
	return d, nil
}

// sync adds the pending hits of v to its row and reads back the counts of
// every instance. One sync at a time per key and process.
func (l *Limiter) sync(ctx context.Context, key string, lim Limit, v *local) error {
	v.mu.Lock()
	if v.syncing {
		v.mu.Unlock()
		return nil
	}
	v.syncing = true
	add, start := v.pending, v.start
	v.pending = 0
	v.mu.Unlock()
	win := lim.Window.Truncate(time.Second)
	h := keyHash(key, win)
	var row struct {
		Cur  int
		Prev int
	}
	// "( ?" and not "(?": GORM expands a []byte placed right after "(".
	err := l.db.Conn(ctx).Raw(`
		WITH cur AS (
			INSERT INTO rate_limits (key_hash, window_start, hits, expires_at) VALUES ( ?, ?, ?, ?)
			ON CONFLICT (key_hash, window_start) DO UPDATE SET hits = rate_limits.hits + EXCLUDED.hits
			RETURNING hits)
		SELECT (SELECT hits FROM cur) AS cur,
		       coalesce((SELECT hits FROM rate_limits WHERE key_hash = ? AND window_start = ?), 0) AS prev`,
		h, start, add, start.Add(2*win), h, start.Add(-win)).Scan(&row).Error
	v.mu.Lock()
	defer v.mu.Unlock()
	v.syncing = false
	if err != nil {
		v.pending += add // counted again at the next sync
		return fmt.Errorf("rate limit: %w", err)
	}
	if v.start.Equal(start) {
		v.cur, v.prev, v.synced = row.Cur, row.Prev, l.now()
	}
	return nil
}
