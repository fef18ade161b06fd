package web

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// fakeFC is a small FranceConnect-like OpenID provider: ES256-signed ID
// tokens with acr, a userinfo answered as a signed JWT (application/jwt)
// carrying more identity than the platform needs, PKCE, and end_session.
// Its knobs make it misbehave the way an attacker or a broken provider would.
type fakeFC struct {
	t        testing.TB
	srv      *httptest.Server
	issuer   string
	clientID string
	secret   string
	key      *ecdsa.PrivateKey
	rogue    *ecdsa.PrivateKey // same key id, not published

	mu     sync.Mutex
	grants map[string]fakeGrant // by code
	tokens map[string]string    // access token → sub

	// Knobs, for the next token and userinfo answers.
	sub, email      string
	nonce           *string // replaces the request's nonce
	aud             string  // replaces the client id in aud
	acr             string
	rogueIDToken    bool
	rogueUserinfo   bool
	userinfoSub     string
	tokenStatus     int // when not 0, the token endpoint fails with this status
	lastNonce       string
	endSessionCalls []url.Values
}

type fakeGrant struct {
	nonce, challenge, redirect string
}

func newFakeFC(t testing.TB) *fakeFC {
	f := &fakeFC{t: t, clientID: "client-plateforme", secret: "secret-plateforme", acr: "eidas1",
		sub: "fc-sub-0001", email: "camille.dupont@exemple.fr", grants: map[string]fakeGrant{}, tokens: map[string]string{}}
	f.key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	f.rogue, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v2/.well-known/openid-configuration", f.discovery)
	mux.HandleFunc("GET /api/v2/authorize", f.authorize)
	mux.HandleFunc("POST /api/v2/token", f.token)
	mux.HandleFunc("GET /api/v2/userinfo", f.userinfo)
	mux.HandleFunc("GET /api/v2/jwks", f.jwks)
	mux.HandleFunc("GET /api/v2/session/end", f.endSession)
	f.srv = httptest.NewServer(mux)
	f.issuer = f.srv.URL + "/api/v2"
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeFC) writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeFC) discovery(w http.ResponseWriter, r *http.Request) {
	f.writeJSON(w, map[string]any{
		"issuer": f.issuer, "authorization_endpoint": f.issuer + "/authorize", "token_endpoint": f.issuer + "/token",
		"userinfo_endpoint": f.issuer + "/userinfo", "jwks_uri": f.issuer + "/jwks", "end_session_endpoint": f.issuer + "/session/end",
		"id_token_signing_alg_values_supported": []string{"ES256"}, "userinfo_signing_alg_values_supported": []string{"ES256"},
		"acr_values_supported": []string{"eidas1", "eidas2"}, "response_types_supported": []string{"code"},
	})
}

func (f *fakeFC) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != f.clientID || q.Get("response_type") != "code" || q.Get("acr_values") != "eidas1" ||
		len(q.Get("state")) < 32 || len(q.Get("nonce")) < 32 || q.Get("code_challenge_method") != "S256" ||
		!strings.Contains(q.Get("scope"), "openid") {
		http.Error(w, "bad authorization request: "+r.URL.RawQuery, http.StatusBadRequest)
		return
	}
	code := randomState()
	f.mu.Lock()
	f.grants[code] = fakeGrant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
	f.lastNonce = q.Get("nonce")
	f.mu.Unlock()
	to, _ := url.Parse(q.Get("redirect_uri"))
	v := url.Values{"code": {code}, "state": {q.Get("state")}}
	to.RawQuery = v.Encode()
	http.Redirect(w, r, to.String(), http.StatusFound)
}

func (f *fakeFC) sign(claims map[string]any, rogue bool) string {
	key := f.key
	if rogue {
		key = f.rogue
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		f.t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := signer.Sign(payload)
	if err != nil {
		f.t.Fatal(err)
	}
	s, _ := obj.CompactSerialize()
	return s
}

func (f *fakeFC) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tokenStatus != 0 {
		http.Error(w, "panne", f.tokenStatus)
		return
	}
	g, known := f.grants[r.PostFormValue("code")]
	delete(f.grants, r.PostFormValue("code"))
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	if id != f.clientID || secret != f.secret || !known || g.redirect != r.PostFormValue("redirect_uri") ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		w.WriteHeader(http.StatusBadRequest)
		f.writeJSON(w, map[string]string{"error": "invalid_grant"})
		return
	}
	nonce := g.nonce
	if f.nonce != nil {
		nonce = *f.nonce
	}
	aud := f.clientID
	if f.aud != "" {
		aud = f.aud
	}
	now := time.Now()
	idToken := f.sign(map[string]any{
		"iss": f.issuer, "sub": f.sub, "aud": aud, "exp": now.Add(time.Minute).Unix(), "iat": now.Unix(),
		"nonce": nonce, "acr": f.acr, "amr": []string{"pwd"},
	}, f.rogueIDToken)
	access := randomState()
	f.tokens[access] = f.sub
	f.writeJSON(w, map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 60, "id_token": idToken})
}

func (f *fakeFC) userinfo(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sub, ok := f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	if !ok {
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	if f.userinfoSub != "" {
		sub = f.userinfoSub
	}
	jwt := f.sign(map[string]any{
		"iss": f.issuer, "aud": f.clientID, "sub": sub, "email": f.email, "given_name": "Camille",
		"family_name": "Dupont-Sensible", "birthdate": "1980-07-14", "birthplace": "75107", "gender": "female",
	}, f.rogueUserinfo)
	w.Header().Set("Content-Type", "application/jwt")
	_, _ = w.Write([]byte(jwt))
}

func (f *fakeFC) jwks(w http.ResponseWriter, r *http.Request) {
	f.writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &f.key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
}

func (f *fakeFC) endSession(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.endSessionCalls = append(f.endSessionCalls, r.URL.Query())
	f.mu.Unlock()
	to := r.URL.Query().Get("post_logout_redirect_uri")
	http.Redirect(w, r, to+"?state="+url.QueryEscape(r.URL.Query().Get("state")), http.StatusFound)
}
