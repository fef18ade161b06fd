// Package web is the HTTP edge of the platform and the only importer of Fiber:
// the routes in one list (routes.go), one file per area, the middleware, the
// French error pages and the template functions.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/cnr-numerique/concertation/app/accessibility"
	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/account/openid"
	"github.com/cnr-numerique/concertation/app/answer"
	"github.com/cnr-numerique/concertation/app/config"
	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/mail"
	"github.com/cnr-numerique/concertation/app/mediation"
	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/cnr-numerique/concertation/app/query"
	"github.com/cnr-numerique/concertation/app/ratelimit"
	"github.com/cnr-numerique/concertation/app/synthesis"
	"github.com/cnr-numerique/concertation/search"
	"github.com/cnr-numerique/concertation/views"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
)

// Deps are what the handlers need, built once by the serve command.
type Deps struct {
	Config        config.Config
	Log           *slog.Logger
	DB            *db.DB
	Consultations *consultation.Store
	Hubs          *hub.Store
	Accounts      *account.Store
	Sessions      *account.Sessions
	// contributions: nil → contribution.NewStore(DB)
	Contributions *contribution.Store
	Synthesis     *synthesis.Store   // synthesis: nil → synthesis.NewStore(DB, Config.BaseURL)
	Answers       *answer.Store      // official answers: nil → answer.NewStore(DB)
	Moderation    *moderation.Store  // moderation: nil → moderation.NewStore(DB, Config.ModerationReportThreshold) mailing through Mailer
	Mailer        mail.Mailer        // accounts: nil → a local Mailbox
	Mailbox       *mail.Mailbox      // accounts: the local mailbox shown at /dev/mails (local runs only)
	Limiter       *ratelimit.Limiter // accounts and others: nil → DefaultRules on DB
	OIDC          *openid.Registry   // accounts: OpenID Connect providers; nil → none
	Search        search.Engine      // search: nil → the PostgreSQL engine on DB
	Query         *query.Service     // reads: nil → query.New(DB, Contributions, Search)
	SearchMonitor *search.Monitor    // search: the Meilisearch fallback shown by /readyz; nil with PostgreSQL alone
	Now           func() time.Time   // the clock; time.Now when nil

	// accessibility contact messages: nil → accessibility.NewStore(DB)
	Accessibility *accessibility.Store

	// médiation numérique: nil → mediation.New(DB, Contributions, Config.MediationLimits, Config.SessionSecret)
	Mediation *mediation.Service
}

// Server holds the dependencies of the handlers.
type Server struct {
	Deps
	render *Renderer
	csp    atomic.Pointer[csp] // the last Content-Security-Policy built
	// openFiles writes the open data files in the background (nil: every
	// download is read from the database, OPENDATA_TTL=0).
	openFiles *openDataFiles
	pageKeys  pageKeys // the key of the stored pages (contribution_pages.go)
	assets    *assetSet
}

// New builds the Fiber application with every route.
func New(d Deps) (*fiber.App, error) { return build(d, nil) }

// NewWithPages builds the Fiber application and the renderer of its stored
// contribution pages (Pages), on one server: they share the pages' key and
// the layout's compressed parts.
func NewWithPages(d Deps) (*fiber.App, *Pages, error) {
	s, err := newServer(d)
	if err != nil {
		return nil, nil, err
	}
	return s.app(nil), &Pages{s: s}, nil
}

// build builds the application with the routes of routes() and extra.
func build(d Deps, extra []route) (*fiber.App, error) {
	s, err := newServer(d)
	if err != nil {
		return nil, err
	}
	return s.app(extra), nil
}

// newServer fills the defaults of d and builds the server.
func newServer(d Deps) (*Server, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	d.accountDefaults()
	if d.Contributions == nil {
		d.Contributions = contribution.NewStore(d.DB)
	}
	if d.Accessibility == nil {
		d.Accessibility = accessibility.NewStore(d.DB)
	}
	if d.Mediation == nil {
		d.Mediation = mediation.New(d.DB, d.Contributions, d.Config.MediationLimits, d.Config.SessionSecret)
	}
	if d.Search == nil {
		d.Search = search.NewPostgres(d.DB.SQL())
	}
	if d.Query == nil {
		d.Query = query.New(d.DB, d.Contributions, d.Search)
		d.Query.Log = d.Log
	}
	if d.Synthesis == nil {
		d.Synthesis = synthesis.NewStore(d.DB, d.Config.BaseURL)
	}
	if d.Answers == nil {
		d.Answers = answer.NewStore(d.DB)
	}
	if d.Moderation == nil {
		d.Moderation = moderation.NewStore(d.DB, d.Config.ModerationReportThreshold, d.Contributions)
		d.Moderation.Mailer = d.Mailer
		if d.Config.BaseURL != nil {
			d.Moderation.BaseURL = d.Config.BaseURL.String()
		}
	}
	assets, err := builtAssets()
	if err != nil {
		return nil, err
	}
	r, err := NewRenderer(views.FS, templateFuncs())
	if err != nil {
		return nil, err
	}
	s := &Server{Deps: d, render: r, assets: assets}
	if dir := d.Config.OpenDataDir; d.Config.OpenDataTTL > 0 {
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "concertation-donnees-ouvertes")
		}
		s.openFiles = newOpenDataFiles(dir, d.Config.OpenDataTTL, d.Now, d.Log)
	}
	return s, nil
}

// app builds the Fiber application of s with the routes of routes() and
// extra.
func (s *Server) app(extra []route) *fiber.App {
	d := s.Deps
	app := fiber.New(fiber.Config{
		AppName:               "concertation",
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		BodyLimit:             1 << 20,
		ProxyHeader:           d.Config.ProxyHeader, // set only behind a trusted proxy
	})
	app.Server().Handler = s.securedHandler(app.Server().Handler)
	app.Use(s.logRequests)
	app.Use(recover.New(recover.Config{EnableStackTrace: false}))
	app.Use("/static", s.assets.serve)
	app.Use(compressPages) // outside pageETag: the ETag is computed on the HTML
	app.Use(pageETag)
	app.Use(noStoreArea)
	app.Use(rejectBadInput)
	app.Use(s.readYourWrites)
	app.Use(s.loadSession)
	app.Use(s.checkCSRF)
	for _, rt := range append(s.routes(), extra...) {
		app.Add(rt.method, rt.path, rt.handler)
	}
	// No catch-all: Fiber answers fiber.ErrNotFound, or ErrMethodNotAllowed
	// when the address exists for another method; handleError renders both.
	return app
}

// logRequests logs each request once, with its status and duration.
func (s *Server) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		// Let the error handler write the response now, so the status is known.
		if herr := s.handleError(c, err); herr != nil {
			s.Log.Error("error handler", "err", herr)
		}
	}
	status := c.Response().StatusCode()
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.Log.Log(c.UserContext(), level, "request",
		"method", c.Method(), "path", c.Path(), "status", status, "took", time.Since(start))
	return nil
}

// Error pages.
const (
	tplNotFound = "site/404"
	tplError    = "site/error"
)

type errorPage struct {
	Page
	Status  int
	Message string
}

// handleError turns any error into a French page. Internal details are
// logged, never shown.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	s.setSecurityHeaders(&c.Response().Header)
	var re *redirectError
	if errors.As(err, &re) {
		return re.send(c)
	}
	status := http.StatusInternalServerError
	message := ""
	var fe *fiber.Error
	var ue *UserError
	switch {
	case errors.As(err, &ue):
		status, message = ue.Status, ue.Message
	case errors.As(err, &fe):
		status = fe.Code
	case errors.Is(err, context.DeadlineExceeded):
		status = http.StatusServiceUnavailable
	}
	if status >= 500 {
		s.Log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	if message == "" {
		message = defaultMessage(status)
	}
	page := errorPage{Page: Page{Title: message, Path: c.Path(), User: viewer(c), CSRF: s.csrfToken(c)}, Status: status, Message: message}
	if cons, cerr := s.Consultations.Current(c.UserContext()); cerr == nil {
		page.Consultation, page.Phase = cons, cons.PhaseAt(s.Now())
	}
	tpl := tplError
	if status == http.StatusNotFound {
		tpl = tplNotFound
	}
	if rerr := s.render.Render(c, status, tpl, page); rerr != nil {
		s.Log.Error("render error page", "err", rerr)
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.Status(status).SendString(message)
	}
	return nil
}

// UserError is an error whose message is meant for the person: French, plain,
// with the HTTP status to answer.
type UserError struct {
	Status  int
	Message string
}

func (e *UserError) Error() string { return e.Message }

func defaultMessage(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "Nous n'avons pas compris la demande. Vérifiez l'adresse de la page, puis réessayez."
	case http.StatusForbidden:
		return "Vous n'avez pas accès à cette page."
	case http.StatusNotFound:
		return "Page non trouvée"
	case http.StatusMethodNotAllowed:
		return "Cette action n'est pas possible sur cette page."
	case http.StatusRequestEntityTooLarge:
		return "Le texte envoyé est trop long."
	case http.StatusTooManyRequests:
		return "Trop de demandes en peu de temps. Attendez un peu, puis réessayez."
	case http.StatusServiceUnavailable:
		return "Le site ne répond pas pour le moment. Réessayez dans quelques minutes."
	}
	if status >= 500 {
		return "Un problème est arrivé de notre côté."
	}
	return "La demande n'a pas marché."
}
