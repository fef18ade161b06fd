package openid

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/markbates/goth"
	"golang.org/x/oauth2"
)

// Provider is a goth.Provider for one OpenID Connect provider. Discovery is
// done at first use and cached; a failure is retried at the next sign-in.
type Provider struct {
	cfg         Config
	callbackURL string

	disc       atomic.Pointer[discovered] // set once discovery succeeded
	mu         sync.Mutex                 // guards inflight, failedAt and failErr
	inflight   *discovery                 // the discovery under way, if any
	failedAt   time.Time                  // when the last discovery failed
	failErr    error                      // and why
	onDiscover func()                     // called once discovery succeeded (the registry's refresh)
}

// discoveryRetry is how long a failed discovery is not tried again: while a
// provider is down, sign-in pages and buttons answer at once instead of
// each waiting for it.
var discoveryRetry = 10 * time.Second

// discovery is one attempt at discovery, shared by the sign-ins that wait
// for it; done is closed once d and err are set.
type discovery struct {
	done chan struct{}
	d    *discovered
	err  error
}

var _ goth.Provider = (*Provider)(nil)

type discovered struct {
	op         *oidc.Provider
	verifier   *oidc.IDTokenVerifier
	oauth      oauth2.Config
	endSession string
}

// defaultHTTPClient is the client of providers configured without one: its
// timeout also bounds the key (JWKS) fetches go-oidc does later, outside any
// request context.
var defaultHTTPClient = &http.Client{Timeout: requestTimeout}

// New returns the provider of cfg; callbackURL is the absolute address of
// the platform's callback for it. Without cfg.HTTPClient, defaultHTTPClient
// is used for every call: discovery, keys, token and userinfo.
func New(cfg Config, callbackURL string) *Provider {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = defaultHTTPClient
	}
	return &Provider{cfg: cfg, callbackURL: callbackURL}
}

// Name is the provider's identifier, used in URLs.
func (p *Provider) Name() string { return p.cfg.Name }

// SetName renames the provider (goth.Provider).
func (p *Provider) SetName(name string) { p.cfg.Name = name }

// Label is the provider's name shown to people.
func (p *Provider) Label() string { return p.cfg.Label }

// Kind is "franceconnect", "proconnect" or "" (which button to show).
func (p *Provider) Kind() string { return p.cfg.Kind }

// Debug is part of goth.Provider; the provider logs nothing.
func (p *Provider) Debug(bool) {}

// RefreshTokenAvailable is false: the platform keeps no provider tokens.
func (p *Provider) RefreshTokenAvailable() bool { return false }

// RefreshToken is not supported.
func (p *Provider) RefreshToken(string) (*oauth2.Token, error) {
	return nil, errors.New("openid: refresh tokens are not used")
}

// requestTimeout bounds every call to the provider.
const requestTimeout = 15 * time.Second

func (p *Provider) context() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	client := p.cfg.HTTPClient
	if client == nil {
		client = defaultHTTPClient
	}
	// oidc.ClientContext sets oauth2.HTTPClient: the token exchange uses it too.
	return oidc.ClientContext(ctx, client), cancel
}

// discover returns the provider's metadata, fetched once. No lock is held
// during the network call: sign-ins arriving meanwhile wait for the same
// attempt (or their own deadline), and a failed attempt is retried by the
// first sign-in discoveryRetry after it.
func (p *Provider) discover(ctx context.Context) (*discovered, error) {
	if d := p.disc.Load(); d != nil {
		return d, nil
	}
	p.mu.Lock()
	if d := p.disc.Load(); d != nil {
		p.mu.Unlock()
		return d, nil
	}
	if p.inflight == nil && !p.failedAt.IsZero() && time.Since(p.failedAt) < discoveryRetry {
		err := p.failErr
		p.mu.Unlock()
		return nil, err
	}
	if call := p.inflight; call != nil {
		p.mu.Unlock()
		select {
		case <-call.done:
			return call.d, call.err
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %s: discovery: %w", ErrUnavailable, p.cfg.Name, ctx.Err())
		}
	}
	call := &discovery{done: make(chan struct{})}
	p.inflight = call
	p.mu.Unlock()

	call.d, call.err = p.fetchDiscovery(ctx)
	p.mu.Lock()
	if call.err == nil {
		p.disc.Store(call.d)
		p.failedAt, p.failErr = time.Time{}, nil
	} else {
		p.failedAt, p.failErr = time.Now(), call.err
	}
	p.inflight = nil
	p.mu.Unlock()
	if call.err == nil && p.onDiscover != nil {
		p.onDiscover()
	}
	close(call.done)
	return call.d, call.err
}

// Discover fetches the provider's metadata now, unless it already has it.
func (p *Provider) Discover(ctx context.Context) error {
	_, err := p.discover(ctx)
	return err
}

// Discovered reports whether the provider's metadata is known.
func (p *Provider) Discovered() bool { return p.disc.Load() != nil }

// FormTargets are the origins ("https://host[:port]") that the browser is
// sent to by a form of the platform's pages: the authorization endpoint (the
// sign-in button) and the end-session endpoint (the sign-out button). Empty
// until discovery succeeded.
func (p *Provider) FormTargets() []string {
	d := p.disc.Load()
	if d == nil {
		return nil
	}
	var out []string
	for _, raw := range []string{d.oauth.Endpoint.AuthURL, d.endSession} {
		if o := origin(raw); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// origin is the scheme://host[:port] of an http(s) address, "" otherwise.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

func (p *Provider) fetchDiscovery(ctx context.Context) (*discovered, error) {
	// go-oidc keeps only ctx's HTTP client for fetching keys later.
	op, err := oidc.NewProvider(ctx, p.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: discovery: %w", ErrUnavailable, p.cfg.Name, err)
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = op.Claims(&extra)
	return &discovered{
		op:       op,
		verifier: op.Verifier(&oidc.Config{ClientID: p.cfg.ClientID}),
		oauth: oauth2.Config{
			ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret,
			Endpoint: op.Endpoint(), RedirectURL: p.callbackURL, Scopes: p.cfg.Scopes,
		},
		endSession: extra.EndSession,
	}, nil
}

func random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// BeginAuth starts a sign-in: a fresh nonce and PKCE verifier, kept in the
// returned session, and the address of the provider's login page.
func (p *Provider) BeginAuth(state string) (goth.Session, error) {
	ctx, cancel := p.context()
	defer cancel()
	d, err := p.discover(ctx)
	if err != nil {
		return nil, err
	}
	s := &Session{Nonce: random(32), Verifier: oauth2.GenerateVerifier()}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(s.Nonce), oauth2.S256ChallengeOption(s.Verifier)}
	if len(p.cfg.ACR) > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", p.cfg.ACR[0]))
	}
	s.AuthURL = d.oauth.AuthCodeURL(state, opts...)
	return s, nil
}

// UnmarshalSession reads a session written by Session.Marshal.
func (p *Provider) UnmarshalSession(data string) (goth.Session, error) {
	s := &Session{}
	if err := json.Unmarshal([]byte(data), s); err != nil {
		return nil, fmt.Errorf("openid: session: %w", err)
	}
	return s, nil
}

// FetchUser reads the userinfo (JSON, or a JWT whose signature is checked
// against the provider's keys), checks that its sub is the ID token's, and
// returns the person with only what the platform uses: subject, address,
// whether it is verified, first name, and the ID token (for sign-out).
func (p *Provider) FetchUser(gs goth.Session) (goth.User, error) {
	s, ok := gs.(*Session)
	if !ok || s.IDToken == "" || s.Subject == "" {
		return goth.User{}, errors.New("openid: session not authorized")
	}
	ctx, cancel := p.context()
	defer cancel()
	d, err := p.discover(ctx)
	if err != nil {
		return goth.User{}, err
	}
	claims := s.Claims
	if d.op.UserInfoEndpoint() != "" {
		ui, err := d.op.UserInfo(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: s.AccessToken, TokenType: "Bearer"}))
		if err != nil {
			return goth.User{}, fmt.Errorf("openid %s: userinfo: %w", p.cfg.Name, unavailable(err))
		}
		if ui.Subject != s.Subject {
			return goth.User{}, fmt.Errorf("openid %s: userinfo sub %q is not the ID token's", p.cfg.Name, ui.Subject)
		}
		var uc userClaims
		if err := ui.Claims(&uc); err != nil {
			return goth.User{}, fmt.Errorf("openid %s: userinfo claims: %w", p.cfg.Name, err)
		}
		if uc.Issuer != "" && uc.Issuer != d.issuer() {
			return goth.User{}, fmt.Errorf("openid %s: userinfo from issuer %q", p.cfg.Name, uc.Issuer)
		}
		if len(uc.Audience) > 0 && !contains(uc.Audience, p.cfg.ClientID) {
			return goth.User{}, fmt.Errorf("openid %s: userinfo for another audience", p.cfg.Name)
		}
		uc.EmailVerified = uc.EmailVerified || flexBool(ui.EmailVerified)
		claims = claims.merge(uc)
	}
	verified := bool(claims.EmailVerified) || (p.cfg.TrustEmail && claims.Email != "")
	name := claims.GivenName
	if name == "" {
		name = strings.TrimSpace(claims.Name)
	}
	if name == "" {
		name = claims.PreferredUsername
	}
	return goth.User{
		Provider: p.cfg.Name, UserID: s.Subject, Email: claims.Email, FirstName: claims.GivenName, Name: name,
		IDToken: s.IDToken, RawData: map[string]any{"email_verified": verified, "acr": s.ACR},
	}, nil
}

func (d *discovered) issuer() string {
	var c struct {
		Issuer string `json:"issuer"`
	}
	_ = d.op.Claims(&c)
	return c.Issuer
}

// EndSessionURL is the provider's sign-out address for idToken, sending the
// person back to postLogout; ok is false when the provider has none.
func (p *Provider) EndSessionURL(idToken, postLogout, state string) (string, bool) {
	ctx, cancel := p.context()
	defer cancel()
	d, err := p.discover(ctx)
	if err != nil || d.endSession == "" || idToken == "" {
		return "", false
	}
	u, err := url.Parse(d.endSession)
	if err != nil {
		return "", false
	}
	q := u.Query()
	q.Set("id_token_hint", idToken)
	q.Set("post_logout_redirect_uri", postLogout)
	q.Set("state", state)
	u.RawQuery = q.Encode()
	return u.String(), true
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
