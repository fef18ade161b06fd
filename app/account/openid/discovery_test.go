package openid

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/config"
	"golang.org/x/oauth2"
)

// TestProviderHTTPClientHasTimeout: without a configured client, every call
// (discovery, keys, token, userinfo) goes through a client with a timeout.
func TestProviderHTTPClientHasTimeout(t *testing.T) {
	p := New(Config{OIDCProvider: config.OIDCProvider{Name: "x", Issuer: "http://127.0.0.1:1", ClientID: "id"}}, "http://localhost/cb")
	ctx, cancel := p.context()
	defer cancel()
	c, ok := ctx.Value(oauth2.HTTPClient).(*http.Client)
	if !ok || c == nil || c == http.DefaultClient {
		t.Fatalf("context client %v", c)
	}
	if c.Timeout != requestTimeout {
		t.Errorf("client timeout %v, want %v", c.Timeout, requestTimeout)
	}
	own := &http.Client{Timeout: time.Second}
	p = New(Config{OIDCProvider: config.OIDCProvider{Name: "x", Issuer: "http://127.0.0.1:1", ClientID: "id"}, HTTPClient: own}, "http://localhost/cb")
	ctx, cancel = p.context()
	defer cancel()
	if ctx.Value(oauth2.HTTPClient) != own {
		t.Error("the configured client is not used")
	}
}

// fakeIssuer answers discovery; block, when not nil, holds every answer
// until closed; fail makes the first n answers fail.
func fakeIssuer(t *testing.T, block chan struct{}, fail int32) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if block != nil {
			<-block
		}
		if n <= fail {
			http.Error(w, "panne", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": srv.URL, "authorization_endpoint": srv.URL + "/auth", "token_endpoint": srv.URL + "/token",
			"jwks_uri": srv.URL + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256"},
		})
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// TestDiscoverDoesNotSerialiseSignIns: while a discovery hangs, another
// sign-in gives up at its own deadline instead of queueing behind it; both
// share one attempt.
func TestDiscoverDoesNotSerialiseSignIns(t *testing.T) {
	block := make(chan struct{})
	srv, calls := fakeIssuer(t, block, 0)
	var release sync.Once
	unblock := func() { release.Do(func() { close(block) }) }
	t.Cleanup(unblock) // before the server closes, even on failure
	p := New(Config{OIDCProvider: config.OIDCProvider{Name: "x", Issuer: srv.URL, ClientID: "id"}}, "http://localhost/cb")
	first := make(chan error, 1)
	go func() {
		_, err := p.discover(oidcCtx(t, 10*time.Second))
		first <- err
	}()
	for calls.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	_, err := p.discover(oidcCtx(t, 200*time.Millisecond))
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("second sign-in waited %v (err %v)", time.Since(start), err)
	}
	unblock()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if _, err := p.discover(oidcCtx(t, time.Second)); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d discovery requests, want 1", n)
	}
}

// TestDiscoverRetriesAfterFailure: a failed discovery is not cached for
// good; it is tried again discoveryRetry after the failure, not before.
func TestDiscoverRetriesAfterFailure(t *testing.T) {
	srv, calls := fakeIssuer(t, nil, 1)
	p := New(Config{OIDCProvider: config.OIDCProvider{Name: "x", Issuer: srv.URL, ClientID: "id"}}, "http://localhost/cb")
	if _, err := p.discover(oidcCtx(t, time.Second)); err == nil || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("first discovery: %v, want ErrUnavailable", err)
	}
	if _, err := p.discover(oidcCtx(t, time.Second)); err == nil || calls.Load() != 1 {
		t.Fatalf("right after the failure: %v after %d requests, want the same failure without a request", err, calls.Load())
	}
	p.mu.Lock()
	p.failedAt = p.failedAt.Add(-discoveryRetry)
	p.mu.Unlock()
	if _, err := p.discover(oidcCtx(t, time.Second)); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d discovery requests, want 2", n)
	}
}

func oidcCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// TestUnavailableIsTheProvidersFault: network errors, timeouts and 5xx
// answers are ErrUnavailable; refusals of the sign-in itself are not.
func TestUnavailableIsTheProvidersFault(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{&url.Error{Op: "Post", URL: "http://x/token", Err: errors.New("connection refused")}, true},
		{context.DeadlineExceeded, true},
		{&oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusServiceUnavailable}}, true},
		{&oauth2.RetrieveError{Response: &http.Response{StatusCode: http.StatusBadRequest}, ErrorCode: "invalid_grant"}, false},
		{errors.New("503 Service Unavailable: panne"), true},
		{errors.New("401 Unauthorized: invalid token"), false},
		{ErrNonce, false},
	} {
		if got := errors.Is(unavailable(tt.err), ErrUnavailable); got != tt.want {
			t.Errorf("unavailable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
