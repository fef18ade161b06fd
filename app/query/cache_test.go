package query

import (
	"context"
	"testing"
	"time"
)

// TestCacheKeepsNoValueReadFromOlderData checks that a value whose load read
// data older than the generation it started at (a copy of the listing read
// before a change made through this process) is served but not kept, and
// that a value read at the current generation is kept.
func TestCacheKeepsNoValueReadFromOlderData(t *testing.T) {
	gen := uint64(5)
	c := newCache(func() uint64 { return gen })
	ctx := context.Background()
	loads := 0
	load := func(from uint64) func(context.Context) (any, error) {
		return func(ctx context.Context) (any, error) {
			loads++
			readFrom(ctx, from)
			return loads, nil
		}
	}
	if v, _ := c.fetch(ctx, "k", time.Minute, true, load(4)); v != 1 {
		t.Fatalf("first load: %v", v)
	}
	if v, _ := c.fetch(ctx, "k", time.Minute, true, load(5)); v != 2 {
		t.Fatalf("a value read from older data was kept: %v", v)
	}
	if v, _ := c.fetch(ctx, "k", time.Minute, true, load(5)); v != 2 {
		t.Fatalf("a value read at the current generation was not kept: %v", v)
	}
	readFrom(ctx, 1) // outside a load: nothing to lower
}
