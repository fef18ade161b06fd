package openid

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds the configured providers, in configuration order.
type Registry struct {
	list    []*Provider
	byName  map[string]*Provider
	mu      sync.Mutex             // serialises refresh
	targets atomic.Pointer[string] // FormTargets, space-separated
}

// CallbackPath is the platform's callback address for a provider.
func CallbackPath(name string) string { return "/connexion/oidc/" + name + "/retour" }

// NewRegistry builds the providers of cfgs, with callbacks under baseURL.
func NewRegistry(cfgs []Config, baseURL *url.URL) (*Registry, error) {
	r := &Registry{byName: map[string]*Provider{}}
	for _, c := range cfgs {
		if _, dup := r.byName[c.Name]; dup {
			return nil, fmt.Errorf("OIDC_PROVIDERS: %q listed twice", c.Name)
		}
		p := New(c, baseURL.String()+CallbackPath(c.Name))
		p.onDiscover = r.refresh
		r.list = append(r.list, p)
		r.byName[c.Name] = p
	}
	return r, nil
}

// Get returns the provider called name.
func (r *Registry) Get(name string) (*Provider, bool) {
	if r == nil {
		return nil, false
	}
	p, ok := r.byName[name]
	return p, ok
}

// List returns the providers in configuration order.
func (r *Registry) List() []*Provider {
	if r == nil {
		return nil
	}
	return r.list
}

// Discover fetches the metadata of every provider that lacks it, at once,
// and returns the failures joined. Call it at start-up (and again until it
// succeeds): the pages' Content-Security-Policy can only let forms go to a
// provider whose endpoints are known.
func (r *Registry) Discover(ctx context.Context) error {
	if r == nil {
		return nil
	}
	errs := make([]error, len(r.list))
	var wg sync.WaitGroup
	for i, p := range r.list {
		if p.Discovered() {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = p.Discover(ctx)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// FormTargets returns the origins of the discovered providers'
// authorization and end-session endpoints, sorted, space-separated: the
// sources the pages' CSP form-action must allow besides 'self'. It reads a
// value kept up to date as discoveries succeed: no network, no lock.
func (r *Registry) FormTargets() string {
	if r == nil {
		return ""
	}
	if t := r.targets.Load(); t != nil {
		return *t
	}
	return ""
}

// refresh recomputes FormTargets after a discovery succeeded.
func (r *Registry) refresh() {
	r.mu.Lock()
	defer r.mu.Unlock()
	var all []string
	for _, p := range r.list {
		all = append(all, p.FormTargets()...)
	}
	slices.Sort(all)
	t := strings.Join(slices.Compact(all), " ")
	r.targets.Store(&t)
}
