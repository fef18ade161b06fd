package query

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// cache keeps values derived from lists (a rendered page for anonymous
// visitors, say) for a short time, per process. A fresh entry is served as
// is; an entry past its lifetime (but less than staleFor) is served while one
// background load refreshes it, so that an expiry never sends every
// concurrent request to the database at once; a missing entry is computed
// once for all the requests waiting for it.
//
// Entries carry the generation of the contribution store at which they were
// computed: a change made through this process (new, edited or withdrawn
// contribution, argument, moderation) moves it, so its author sees it at once.
type cache struct {
	gen func() uint64

	mu      sync.Mutex
	entries map[string]*cacheEntry
	group   singleflight.Group
}

type cacheEntry struct {
	gen        uint64
	expires    time.Time
	value      any
	refreshing bool
}

const (
	// cacheMaxEntries bounds the memory of the cache: an entry can be a
	// rendered list page (tens of kilobytes).
	cacheMaxEntries = 2000
	staleFor        = 5 * time.Second // bounds how old a served entry can be: TTL + staleFor
	refreshTimeout  = 30 * time.Second
)

// genFloorKey carries into a load the generation its value will be kept
// under, which the load lowers (readFrom) when it read data older than the
// generation it started at: a copy of the listing read before a change made
// through this process, which a list may use for a few milliseconds
// (mirrorGap). Such a value is served but not kept, so the next visit reads
// again rather than keep for the entry's lifetime a page without the change.
type genFloorKey struct{}

// readFrom tells the load of ctx that it read data of generation gen.
func readFrom(ctx context.Context, gen uint64) {
	f, ok := ctx.Value(genFloorKey{}).(*atomic.Uint64)
	if !ok {
		return
	}
	for {
		cur := f.Load()
		if gen >= cur || f.CompareAndSwap(cur, gen) {
			return
		}
	}
}

// loadAt runs load, and returns its value with the generation to keep it
// under: gen, or lower when load read older data (readFrom).
func loadAt(ctx context.Context, gen uint64, load func(context.Context) (any, error)) (any, uint64, error) {
	floor := new(atomic.Uint64)
	floor.Store(gen)
	v, err := load(context.WithValue(ctx, genFloorKey{}, floor))
	return v, floor.Load(), err
}

func newCache(gen func() uint64) *cache {
	return &cache{gen: gen, entries: map[string]*cacheEntry{}}
}

// fetch returns the value of key, computing it with load when needed. With
// ttl <= 0 it always calls load. With allowStale false an expired entry is
// recomputed in the request (for loads that must not outlive it).
func (c *cache) fetch(ctx context.Context, key string, ttl time.Duration, allowStale bool, load func(context.Context) (any, error)) (any, error) {
	if ttl <= 0 {
		return load(ctx)
	}
	now := time.Now()
	gen := c.gen()
	c.mu.Lock()
	if e, ok := c.entries[key]; ok && e.gen == gen {
		if now.Before(e.expires) {
			c.mu.Unlock()
			return e.value, nil
		}
		if allowStale && now.Before(e.expires.Add(staleFor)) {
			if !e.refreshing {
				e.refreshing = true
				go c.refresh(key, gen, ttl, load)
			}
			c.mu.Unlock()
			return e.value, nil
		}
	}
	c.mu.Unlock()
	v, err, _ := c.group.Do(key, func() (any, error) {
		v, at, err := loadAt(ctx, gen, load)
		if err == nil {
			c.put(key, at, ttl, v)
		}
		return v, err
	})
	return v, err
}

func (c *cache) refresh(key string, gen uint64, ttl time.Duration, load func(context.Context) (any, error)) {
	ctx, cancel := context.WithTimeout(context.Background(), refreshTimeout)
	defer cancel()
	v, at, err := loadAt(ctx, gen, load)
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		e.refreshing = false
	}
	c.mu.Unlock()
	if err == nil {
		c.put(key, at, ttl, v)
	}
}

func (c *cache) put(key string, gen uint64, ttl time.Duration, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen() {
		return // computed before a change: do not keep it
	}
	if _, ok := c.entries[key]; !ok && len(c.entries) >= cacheMaxEntries {
		c.evict()
	}
	c.entries[key] = &cacheEntry{gen: gen, expires: time.Now().Add(ttl), value: v}
}

// evict makes room when the cache is full: it drops the entries too old to be
// served, then, if that is not enough, about a tenth of the others (Go's map
// order: arbitrary ones), rather than everything. c.mu is held.
func (c *cache) evict() {
	now := time.Now()
	gen := c.gen()
	for k, e := range c.entries {
		if !e.refreshing && (e.gen != gen || now.After(e.expires.Add(staleFor))) {
			delete(c.entries, k)
		}
	}
	for k, e := range c.entries {
		if len(c.entries) < cacheMaxEntries*9/10 {
			break
		}
		if !e.refreshing {
			delete(c.entries, k)
		}
	}
}

// count returns the number of entries whose key starts with prefix.
func (c *cache) count(prefix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for k := range c.entries {
		if strings.HasPrefix(k, prefix) {
			n++
		}
	}
	return n
}
