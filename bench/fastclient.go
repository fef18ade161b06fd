package main

import (
	"net/url"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// agent is a browser of the national benchmark on fasthttp's client: net/http
// cost the load generator about a core at 30,000 requests a second on this
// 2-core machine, taken from the server it measures. It keeps the cookies
// it is given, asks for compressed pages as browsers do, and never follows
// redirects.
type agent struct {
	c       *fasthttp.Client
	mu      sync.Mutex
	cookies map[string]string
}

// sharedClient holds the connections of every agent.
var sharedClient = &fasthttp.Client{MaxConnsPerHost: 1024, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second,
	MaxResponseBodySize: 64 << 20}

func newAgent() *agent { return &agent{c: sharedClient, cookies: map[string]string{}} }

// setCookie gives the agent a cookie, as a signed-in browser has.
func (a *agent) setCookie(name, value string) {
	a.mu.Lock()
	a.cookies[name] = value
	a.mu.Unlock()
}

func (a *agent) do(method, u string, form url.Values) (int, []byte, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(u)
	req.Header.SetMethod(method)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	a.mu.Lock()
	for k, v := range a.cookies {
		req.Header.SetCookie(k, v)
	}
	a.mu.Unlock()
	if form != nil {
		req.Header.SetContentType("application/x-www-form-urlencoded")
		req.SetBodyString(form.Encode())
	}
	if err := a.c.Do(req, resp); err != nil {
		return 0, nil, err
	}
	resp.Header.VisitAllCookie(func(k, v []byte) {
		c := fasthttp.AcquireCookie()
		defer fasthttp.ReleaseCookie(c)
		if c.ParseBytes(v) == nil {
			a.mu.Lock()
			a.cookies[string(k)] = string(c.Value())
			a.mu.Unlock()
		}
	})
	return resp.StatusCode(), nil, nil // pages are read and dropped: only their status counts
}

// page returns the decoded body of u (for the CSRF token of a page).
func (a *agent) page(u string) (int, []byte, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(u)
	a.mu.Lock()
	for k, v := range a.cookies {
		req.Header.SetCookie(k, v)
	}
	a.mu.Unlock()
	if err := a.c.Do(req, resp); err != nil {
		return 0, nil, err
	}
	resp.Header.VisitAllCookie(func(k, v []byte) {
		c := fasthttp.AcquireCookie()
		defer fasthttp.ReleaseCookie(c)
		if c.ParseBytes(v) == nil {
			a.mu.Lock()
			a.cookies[string(k)] = string(c.Value())
			a.mu.Unlock()
		}
	})
	return resp.StatusCode(), append([]byte(nil), resp.Body()...), nil
}

func (a *agent) get(u string) (int, error) {
	code, _, err := a.do(fasthttp.MethodGet, u, nil)
	return code, err
}

func (a *agent) post(u, csrf string) (int, error) {
	code, _, err := a.do(fasthttp.MethodPost, u, url.Values{"_csrf": {csrf}})
	return code, err
}
