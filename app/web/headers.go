package web

import "github.com/valyala/fasthttp"

// The security headers of every answer. Their constant part:
const (
	cspBase = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
		"connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
	// permissionsPolicy turns off the browser features no page uses, for
	// the page and anything it could embed.
	permissionsPolicy = "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), " +
		"magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

// csp is a Content-Security-Policy built for one set of form targets.
type csp struct {
	targets string
	header  string
}

// contentSecurityPolicy returns the policy of the pages. Its form-action
// allows 'self' and exactly the origins of the OpenID providers'
// authorization and end-session endpoints, as discovered.
//
// Chromium checks form-action against every address a form submission is
// redirected to, not only the form's action (w3c/webappsec-csp#8; WebKit is
// adding the same check): the sign-in button posts to /connexion/oidc/{p},
// which answers 303 to the provider's authorization endpoint, and the
// sign-out button posts to /deconnexion, which answers 303 to its
// end_session endpoint. With form-action 'self' alone Chromium blocks both
// redirects and the person stays on the page. Hops the provider makes on its
// own origin (authorize → its login page) are covered by the same origin.
// The policy that counts is the one of the page holding the form, so the
// providers are discovered at start-up (Registry.Discover).
func (s *Server) contentSecurityPolicy() string {
	targets := s.OIDC.FormTargets()
	if c := s.csp.Load(); c != nil && c.targets == targets {
		return c.header
	}
	c := &csp{targets: targets, header: cspBase}
	if targets != "" {
		c.header += " " + targets
	}
	s.csp.Store(c)
	return c.header
}

// setSecurityHeaders writes the security headers on h. It runs before any
// handler (securedHandler) and again in the error handler, which fasthttp
// calls on its own for requests it cannot read (400, 413, 431).
func (s *Server) setSecurityHeaders(h *fasthttp.ResponseHeader) {
	h.Set("Content-Security-Policy", s.contentSecurityPolicy())
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Permissions-Policy", permissionsPolicy)
	if s.Config.Secure() {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
}

// securedHandler wraps the application's fasthttp handler so that every
// answer starts with the security headers, those Fiber writes itself
// included (an unknown HTTP method gets its 400 without calling any handler).
func (s *Server) securedHandler(next fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		s.setSecurityHeaders(&ctx.Response.Header)
		next(ctx)
	}
}
