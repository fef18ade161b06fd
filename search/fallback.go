package search

import (
	"context"
	"errors"
)

// FallbackObserver hears how the primary engine of a fallback answers.
// *Monitor is one.
type FallbackObserver interface {
	PrimaryFailed(err error)
	PrimaryOK()
}

// Fallback returns an engine that searches with primary and, when primary
// fails (Meilisearch down), with secondary (the PostgreSQL engine, which
// reads the database directly), so that search stays up. onError, when not
// nil, hears each primary failure. Writes and rebuilds go to primary only.
func Fallback(primary, secondary Engine, onError func(error)) Engine {
	return FallbackObserved(primary, secondary, funcObserver(onError))
}

// FallbackObserved is Fallback with an observer of every primary answer
// (a *Monitor shows the fallback in the log, /readyz and /metrics).
func FallbackObserved(primary, secondary Engine, obs FallbackObserver) Engine {
	f := fallback{primary, secondary, obs}
	if rb, ok := primary.(Rebuilder); ok {
		return fallbackRebuilder{f, rb}
	}
	return f
}

type funcObserver func(error)

func (f funcObserver) PrimaryFailed(err error) {
	if f != nil {
		f(err)
	}
}

func (funcObserver) PrimaryOK() {}

type fallback struct {
	Engine
	secondary Engine
	obs       FallbackObserver
}

func (f fallback) Search(ctx context.Context, q Query) (Result, error) {
	res, err := f.Engine.Search(ctx, q)
	if err == nil {
		f.obs.PrimaryOK()
		return res, nil
	}
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return res, err
	}
	f.obs.PrimaryFailed(err)
	return f.secondary.Search(ctx, q)
}

type fallbackRebuilder struct {
	fallback
	Rebuilder
}

func (f fallbackRebuilder) Name() string { return f.fallback.Name() }

func (f fallbackRebuilder) Search(ctx context.Context, q Query) (Result, error) {
	return f.fallback.Search(ctx, q)
}

func (f fallbackRebuilder) Index(ctx context.Context, docs []Document) error {
	return f.fallback.Index(ctx, docs)
}

func (f fallbackRebuilder) Delete(ctx context.Context, ids []int64) error {
	return f.fallback.Delete(ctx, ids)
}
