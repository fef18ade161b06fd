package web

import (
	"bufio"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// wantSecurityHeaders checks the headers every answer carries.
func wantSecurityHeaders(t *testing.T, name string, h http.Header, https bool) {
	t.Helper()
	for k, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "strict-origin-when-cross-origin",
		"X-Frame-Options":         "DENY",
		"Permissions-Policy":      "camera=()",
	} {
		if got := h.Get(k); !strings.Contains(got, want) {
			t.Errorf("%s: %s = %q, want it to contain %q", name, k, got, want)
		}
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("%s: CSP %q", name, csp)
	}
	if hsts := h.Get("Strict-Transport-Security"); (hsts != "") != https {
		t.Errorf("%s: Strict-Transport-Security %q with https=%v", name, hsts, https)
	}
}

// TestSecurityHeadersOnEveryAnswer sends raw requests to the platform served
// on a real port: error pages that fasthttp writes before any handler (a
// request it cannot read, too large a body, too large headers), Fiber's own
// answer to an unknown method, 404, 405, 500 and a panic carry the security
// headers like a page does; HSTS only when BASE_URL is https.
func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	for _, https := range []bool{false, true} {
		a := newTestApp(t, nil)
		if https {
			a.deps.Config.BaseURL.Scheme = "https"
		}
		app, err := build(a.deps, []route{
			{"GET", "/boom", func(c *fiberCtx) error { panic("secret internal detail") }},
			{"GET", "/fail", func(c *fiberCtx) error { return errFake }},
		})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = app.Listener(ln) }()
		t.Cleanup(func() { _ = app.Shutdown() })
		big := strings.Repeat("a", 2<<20)
		htmx, err := assetURL("htmx/htmx.js") // fingerprinted name
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name   string
			raw    string
			status int
		}{
			{"page", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200},
			{"static file", "GET " + htmx + " HTTP/1.1\r\nHost: x\r\n\r\n", 200},
			{"unreadable request", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: douze\r\n\r\n", 400},
			{"unknown method", "DANSER / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
			{"body too large", "POST /connexion HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
				strconv.Itoa(len(big)) + "\r\n\r\n" + big, 413},
			{"headers too large", "GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + strings.Repeat("b", 16<<10) + "\r\n\r\n", 431},
			{"not found", "GET /nulle-part HTTP/1.1\r\nHost: x\r\n\r\n", 404},
			{"method not allowed", "GET /deconnexion HTTP/1.1\r\nHost: x\r\n\r\n", 405},
			{"server error", "GET /fail HTTP/1.1\r\nHost: x\r\n\r\n", 500},
			{"panic", "GET /boom HTTP/1.1\r\nHost: x\r\n\r\n", 500},
		} {
			resp := rawRequest(t, ln.Addr().String(), tt.raw)
			if resp.StatusCode != tt.status {
				t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
			}
			wantSecurityHeaders(t, tt.name, resp.Header, https)
		}
	}
}

// rawRequest writes raw on a new connection to addr and reads the answer.
func rawRequest(t *testing.T, addr, raw string) *http.Response {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	go func() { _, _ = conn.Write([]byte(raw)) }() // the server may answer before reading everything
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read the answer to %.40q: %v", raw, err)
	}
	_ = resp.Body.Close()
	return resp
}
