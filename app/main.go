// Command concertation runs the platform of the national concertation on
// digital inclusion: concertation serve | migrate | seed | version | help.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/config"
	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/query"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/app/seed/synthetic"
	"github.com/cnr-numerique/concertation/app/synthesis"
	"github.com/cnr-numerique/concertation/app/web"
	"github.com/cnr-numerique/concertation/migrations"
	"github.com/cnr-numerique/concertation/seeds"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `concertation – plateforme de la concertation nationale sur l'inclusion numérique

Usage :
  concertation serve      migre, charge les données de référence si la base est vide, puis sert le site
  concertation migrate    applique les migrations en attente
  concertation seed       charge les données de référence (idempotent)
  concertation seed --synthetic N [--supports M]
                          ajoute N contributions synthétiques (et M soutiens, 10 × N par défaut) pour les essais de charge
  concertation reindex    reconstruit l'index de recherche puis le met en service (reprend s'il a été interrompu)
  concertation recount    recompte les totaux (par axe, catégorie, territoire, statut), la liste et les compteurs,
                          corrige ce qui diffère et dit ce qui différait
  concertation user grant|revoke EMAIL ROLE [--hub SLUG]
                          donne ou retire un rôle (rapporteur, moderator, admin, hub-member)
  concertation user grant EMAIL mediateur --structure-type TYPE --structure NOM --territoire CODE
                          nomme un médiateur numérique (TYPE : france-services, conseiller-numerique,
                          association, autre ; CODE : département 29 ou région region:53)
  concertation version    affiche la version
  concertation help       affiche cette aide

Configuration par variables d'environnement : voir README.md.
`

// exitError carries the exit status of a failed command: 2 for a wrong
// configuration or usage, 1 otherwise.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	if err == nil {
		return
	}
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	fmt.Fprintln(os.Stderr, "concertation: "+oneLine(err.Error()))
	os.Exit(code)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func run(args []string, stdout, stderr io.Writer) error {
	cmd := "help"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "version", "--version":
		fmt.Fprintln(stdout, "concertation", version)
		return nil
	case "serve", "migrate", "seed", "reindex", "recount", "user":
	default:
		fmt.Fprint(stderr, usage)
		return &exitError{2, fmt.Errorf("commande inconnue %q", cmd)}
	}
	var synthetic synthetic.Options
	if cmd == "seed" {
		var perr error
		if synthetic, perr = parseSeedArgs(args[1:]); perr != nil {
			return &exitError{2, perr}
		}
		args = args[:1]
	}
	var ua userArgs
	if cmd == "user" {
		var perr error
		if ua, perr = parseUserArgs(args[1:]); perr != nil {
			fmt.Fprintln(stderr, userUsage)
			return &exitError{2, fmt.Errorf("user : %w", perr)}
		}
		args = args[:1]
	}
	if len(args) > 1 {
		return &exitError{2, fmt.Errorf("%s : argument inattendu %q", cmd, args[1])}
	}
	cfg, err := config.Load(os.Getenv)
	if err == nil {
		// The rule names are the rate limiter's: checked before any start-up.
		_, err = rateLimitRules(cfg)
	}
	if err != nil {
		return &exitError{2, fmt.Errorf("configuration : %w", err)}
	}
	log := newLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	d, closeDB, err := openDatabase(ctx, cfg, log, cmd == "serve")
	if err != nil {
		return err
	}
	defer closeDB()

	switch cmd {
	case "migrate":
		_, err := d.Migrate(ctx, migrations.FS, log)
		return err
	case "reindex":
		return reindexCmd(ctx, cfg, log, d, stdout, stderr)
	case "recount":
		if _, err := d.Migrate(ctx, migrations.FS, log); err != nil {
			return err
		}
		return recountCmd(ctx, d, stdout)
	case "user":
		if _, err := d.Migrate(ctx, migrations.FS, log); err != nil {
			return err
		}
		msg, err := applyUser(ctx, d, ua)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, msg)
		return nil
	case "seed":
		if _, err := d.Migrate(ctx, migrations.FS, log); err != nil {
			return err
		}
		if err := seed.Reference(ctx, d, seeds.FS); err != nil {
			return err
		}
		log.Info("reference data loaded")
		return runSynthetic(ctx, cfg, d, synthetic, stderr, log)
	default:
		return serve(ctx, cfg, log, d)
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// openDatabase connects to DATABASE_URL, or starts the embedded PostgreSQL
// under DATA_DIR when it is unset. The returned func closes the pool and stops
// the embedded server.
func openDatabase(ctx context.Context, cfg config.Config, log *slog.Logger, serve bool) (*db.DB, func(), error) {
	if cfg.DatabaseURL != "" {
		d, err := db.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, nil, &exitError{2, fmt.Errorf("DATABASE_URL : connexion impossible : %w", err)}
		}
		if cfg.DatabaseReplicaURL != "" {
			if err := d.UseReplica(ctx, cfg.DatabaseReplicaURL, 0, log); err != nil {
				_ = d.Close()
				return nil, nil, &exitError{2, fmt.Errorf("DATABASE_REPLICA_URL : %w", err)}
			}
		}
		stopWatch := watch(ctx, d, log)
		return d, func() { stopWatch(); _ = d.Close() }, nil
	}
	emb := &db.Embedded{Dir: cfg.DataDir, Log: log, Bin: cfg.PGBin, Prewarm: serve}
	log.Info("starting the embedded PostgreSQL", "dir", cfg.DataDir)
	if err := emb.Start(ctx); err != nil {
		if errors.Is(err, db.ErrBusy) {
			return nil, nil, &exitError{2, err}
		}
		return nil, nil, fmt.Errorf("base de données intégrée : %w", err)
	}
	log.Info("embedded PostgreSQL ready", "cluster", emb.Cluster())
	d, err := db.Open(ctx, emb.URL(emb.Database))
	if err != nil {
		_ = emb.Stop()
		return nil, nil, err
	}
	stopWatch := watch(ctx, d, log)
	return d, func() {
		stopWatch()
		_ = d.Close()
		if err := emb.Stop(); err != nil {
			log.Error("stop the embedded PostgreSQL", "err", err)
			return
		}
		log.Info("embedded PostgreSQL stopped")
	}, nil
}

// watch checks the database every second (db.Watch) until the returned
// func is called.
func watch(ctx context.Context, d *db.DB, log *slog.Logger) func() {
	ctx, cancel := context.WithCancel(ctx)
	go d.Watch(ctx, time.Second, log)
	return cancel
}

// pagesEvery is how often the stored contribution pages that changed are
// rendered again (until then, their visitors get them rendered afresh).
const pagesEvery = 500 * time.Millisecond

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, d *db.DB) error {
	debug.SetGCPercent(cfg.GCPercent) // pages allocate much and briefly: collect less often
	if err := cfg.EnsureSessionSecret(); err != nil {
		return &exitError{2, fmt.Errorf("configuration : %w", err)}
	}
	if _, err := d.Migrate(ctx, migrations.FS, log); err != nil {
		return err
	}
	consultations := consultation.NewStore(d)
	if _, err := consultations.Current(ctx); errors.Is(err, consultation.ErrNotFound) {
		log.Info("empty database: loading the reference data")
		if err := seed.Reference(ctx, d, seeds.FS); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	parts, err := newAccountParts(ctx, cfg, log, d)
	if err != nil {
		return err
	}
	engines := searchEngines(cfg, d, log)
	contributions := contribution.NewStore(d)
	lists := query.New(d, contributions, engines.Searcher)
	lists.Log = log
	go func() {
		// The copy of the listing's orders that lists walk (until it is
		// read, lists walk the database's indexes).
		start := time.Now()
		if err := lists.WarmLists(ctx); err != nil {
			log.Warn("lists: copy of the listing not read; lists read the database", "err", err)
			return
		}
		log.Info("lists: copy of the listing read", "took", time.Since(start).Round(time.Millisecond))
	}()
	deps := web.Deps{
		Contributions: contributions,
		Query:         lists,
		Config:        cfg,
		Log:           log,
		DB:            d,
		Consultations: consultations,
		Hubs:          hub.NewStore(d),
		Accounts:      account.NewStore(d),
		Sessions:      account.NewSessions(d, nil),
		Mailer:        parts.mailer,
		Mailbox:       parts.mailbox,
		Limiter:       parts.limiter,
		OIDC:          parts.oidc,
		Search:        engines.Searcher,
		SearchMonitor: engines.Monitor,
	}
	app, pages, err := web.NewWithPages(deps)
	if err != nil {
		return err
	}
	go pages.Run(ctx, pagesEvery) // contribution pages rendered in advance
	startSearchWorker(ctx, cfg, d, log, engines)
	go synthesis.NewStore(d, cfg.BaseURL).RunThemeWorker(ctx, log, 2*time.Second) // theme analyses, one at a time
	errc := make(chan error, 1)
	go func() { errc <- app.Listen(cfg.Addr) }()
	log.Info("serving", "addr", cfg.Addr, "url", cfg.BaseURL.String())
	select {
	case err := <-errc:
		return &exitError{2, fmt.Errorf("ADDR : écoute impossible sur %s : %w", cfg.Addr, err)}
	case <-ctx.Done():
	}
	log.Info("shutting down")
	return app.ShutdownWithTimeout(20 * time.Second)
}
