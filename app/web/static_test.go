package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

var cssHref = regexp.MustCompile(`href="(/static/dsfr/dsfr\.[0-9a-f]{10}\.css)"`)

// TestStaticFilesPrecompressedAndCachedForever checks that the stylesheet the
// pages link to is fingerprinted, cached a year, sent as brotli or gzip as the
// browser accepts (the same bytes once decoded), revalidated with its ETag,
// and that unknown files are 404.
func TestStaticFilesPrecompressedAndCachedForever(t *testing.T) {
	a := newTestApp(t, nil)
	_, home := a.get("/")
	m := cssHref.FindStringSubmatch(home)
	if m == nil {
		t.Fatal("the home page links to no fingerprinted DSFR stylesheet")
	}
	fetch := func(path, encoding, ifNoneMatch string) (*http.Response, []byte) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		if ifNoneMatch != "" {
			req.Header.Set("If-None-Match", ifNoneMatch)
		}
		resp := a.do(req)
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	plainResp, plain := fetch(m[1], "", "")
	if plainResp.StatusCode != 200 || !bytes.Contains(plain, []byte(".fr-btn")) || plainResp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("identity: %d %q", plainResp.StatusCode, plainResp.Header.Get("Content-Encoding"))
	}
	if cc := plainResp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control = %q", cc)
	}
	if !strings.HasPrefix(plainResp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("Content-Type = %q", plainResp.Header.Get("Content-Type"))
	}
	decoders := map[string]func([]byte) ([]byte, error){
		"br": func(b []byte) ([]byte, error) { return io.ReadAll(brotli.NewReader(bytes.NewReader(b))) },
		"gzip": func(b []byte) ([]byte, error) {
			r, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, err
			}
			return io.ReadAll(r)
		},
	}
	for accept, want := range map[string]string{"gzip, deflate, br": "br", "gzip": "gzip"} {
		resp, body := fetch(m[1], accept, "")
		if got := resp.Header.Get("Content-Encoding"); got != want {
			t.Fatalf("Accept-Encoding %q: Content-Encoding %q, want %q", accept, got, want)
		}
		if resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s: Vary = %q", want, resp.Header.Get("Vary"))
		}
		if len(body)*4 > len(plain) {
			t.Errorf("%s: %d bytes for %d", want, len(body), len(plain))
		}
		decoded, err := decoders[want](body)
		if err != nil || !bytes.Equal(decoded, plain) {
			t.Errorf("%s body does not decode to the stylesheet: %v", want, err)
		}
		again, rest := fetch(m[1], accept, resp.Header.Get("ETag"))
		if again.StatusCode != http.StatusNotModified || len(rest) != 0 {
			t.Errorf("%s revalidation: %d with %d bytes", want, again.StatusCode, len(rest))
		}
	}
	logical, _ := fetch("/static/dsfr/dsfr.css", "", "")
	if logical.StatusCode != 200 || logical.Header.Get("Cache-Control") != "public, no-cache" {
		t.Errorf("logical name: %d %q", logical.StatusCode, logical.Header.Get("Cache-Control"))
	}
	for _, path := range []string{"/static/dsfr/dsfr.0000000000.css", "/static/../go.mod", "/static/manifest.json"} {
		if resp, _ := fetch(path, "", ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestPagesETagAndCompression checks that a page carries a weak ETag and is
// answered 304 without a body when the browser has it, is compressed for
// browsers that accept it, and that personal pages (no-store) get no ETag.
func TestPagesETagAndCompression(t *testing.T) {
	a := newTestApp(t, nil)
	a.get("/") // the form-token cookie
	get := func(path, accept, ifNoneMatch string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", accept)
		if ifNoneMatch != "" {
			req.Header.Set("If-None-Match", ifNoneMatch)
		}
		return a.do(req)
	}
	first := get("/", "br", "")
	etag := first.Header.Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) || first.Header.Get("Content-Encoding") != "br" || first.Header.Get("Cache-Control") != "private, no-cache" {
		t.Fatalf("home: ETag %q, Content-Encoding %q, Cache-Control %q", etag, first.Header.Get("Content-Encoding"), first.Header.Get("Cache-Control"))
	}
	html, err := io.ReadAll(brotli.NewReader(first.Body))
	if err != nil || !bytes.Contains(html, []byte("</html>")) {
		t.Fatalf("brotli page: %v", err)
	}
	second := get("/", "gzip", etag)
	if second.StatusCode != http.StatusNotModified || readBody(t, second) != "" {
		t.Errorf("revalidation: %d", second.StatusCode)
	}
	if other := get("/", "gzip", `W/"1-x", "2-y"`); other.StatusCode != 200 || other.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("another ETag: %d %q", other.StatusCode, other.Header.Get("Content-Encoding"))
	}
	u := a.newUser("etag@exemple.fr", "Etag")
	a.signIn(u.ID)
	if resp := get("/compte", "br", ""); resp.Header.Get("ETag") != "" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("account page: ETag %q, Cache-Control %q", resp.Header.Get("ETag"), resp.Header.Get("Cache-Control"))
	}
}

func TestETagMatches(t *testing.T) {
	for _, tc := range []struct {
		header, etag string
		want         bool
	}{
		{`W/"12-ab"`, `W/"12-ab"`, true},
		{`"12-ab"`, `W/"12-ab"`, true},
		{`"x", W/"12-ab"`, `W/"12-ab"`, true},
		{`*`, `W/"12-ab"`, true},
		{``, `W/"12-ab"`, false},
		{`W/"12-ac"`, `W/"12-ab"`, false},
	} {
		if got := etagMatches(tc.header, tc.etag); got != tc.want {
			t.Errorf("etagMatches(%q, %q) = %v", tc.header, tc.etag, got)
		}
	}
}
