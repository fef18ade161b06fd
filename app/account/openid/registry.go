package openid

import (
	"fmt"
	"net/url"
)

// Registry holds the configured providers, in configuration order.
type Registry struct {
	list   []*Provider
	byName map[string]*Provider
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
