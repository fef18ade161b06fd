package metrics

import (
	"context"
	"time"

	"github.com/cnr-numerique/concertation/search"
)

// Instrument returns e with the duration of its calls recorded. A
// search.Rebuilder stays one, and so does a search.TargetCounter.
func Instrument(e search.Engine) search.Engine {
	in := instrumented{e}
	rb, ok := e.(search.Rebuilder)
	if !ok {
		return in
	}
	if c, ok := e.(search.TargetCounter); ok {
		return instrumentedCounter{instrumentedRebuilder{in, rb}, c}
	}
	return instrumentedRebuilder{in, rb}
}

type instrumented struct{ search.Engine }

func (i instrumented) Search(ctx context.Context, q search.Query) (search.Result, error) {
	start := time.Now()
	res, err := i.Engine.Search(ctx, q)
	Observe(i.Name(), "search", time.Since(start), err)
	return res, err
}

func (i instrumented) Index(ctx context.Context, docs []search.Document) error {
	start := time.Now()
	err := i.Engine.Index(ctx, docs)
	Observe(i.Name(), "index", time.Since(start), err)
	return err
}

func (i instrumented) Delete(ctx context.Context, ids []int64) error {
	start := time.Now()
	err := i.Engine.Delete(ctx, ids)
	Observe(i.Name(), "delete", time.Since(start), err)
	return err
}

type instrumentedRebuilder struct {
	instrumented
	search.Rebuilder
}

// Name, Search, Index and Delete come from instrumented.
func (r instrumentedRebuilder) Name() string { return r.instrumented.Name() }

func (r instrumentedRebuilder) Search(ctx context.Context, q search.Query) (search.Result, error) {
	return r.instrumented.Search(ctx, q)
}

func (r instrumentedRebuilder) Index(ctx context.Context, docs []search.Document) error {
	return r.instrumented.Index(ctx, docs)
}

func (r instrumentedRebuilder) Delete(ctx context.Context, ids []int64) error {
	return r.instrumented.Delete(ctx, ids)
}

// instrumentedCounter is an instrumented Rebuilder that counts its targets.
type instrumentedCounter struct {
	instrumentedRebuilder
	search.TargetCounter
}
