package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/config"
	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/seed/synthetic"
	"github.com/cnr-numerique/concertation/app/web"
)

// parseSeedArgs reads the options of `seed`: --synthetic N [--supports M].
func parseSeedArgs(args []string) (synthetic.Options, error) {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	n := fs.Int("synthetic", 0, "")
	supports := fs.Int("supports", 0, "")
	users := fs.Int("users", 0, "")
	if err := fs.Parse(args); err != nil {
		return synthetic.Options{}, fmt.Errorf("seed : options attendues : [--synthetic N [--supports M] [--users U]], avec des nombres entiers")
	}
	if fs.NArg() > 0 {
		return synthetic.Options{}, fmt.Errorf("seed : argument inattendu %q", fs.Arg(0))
	}
	if *n < 0 || *supports < 0 || *users < 0 || *n > 10_000_000 {
		return synthetic.Options{}, fmt.Errorf("seed : nombres attendus entre 0 et 10 000 000")
	}
	return synthetic.Options{Contributions: *n, Supports: *supports, Users: *users, Seed: uint64(time.Now().UnixNano())}, nil
}

// runSynthetic adds the synthetic data asked for, if any, with a progress bar.
func runSynthetic(ctx context.Context, cfg config.Config, d *db.DB, opt synthetic.Options, progress io.Writer, log *slog.Logger) error {
	if opt.Contributions == 0 {
		return nil
	}
	opt.Progress = progress
	start := time.Now()
	res, err := synthetic.Load(ctx, d, opt)
	if err != nil {
		return err
	}
	fmt.Fprintln(progress)
	log.Info("synthetic data added", "users", res.Users, "contributions", res.Contributions,
		"supports", res.Supports, "arguments", res.Arguments, "took", time.Since(start).Round(time.Millisecond))
	return renderPages(ctx, cfg, d, log)
}

// renderPages renders the stored contribution pages (web.Pages), so that a
// server started on fresh data serves them at once rather than render them
// while it serves.
func renderPages(ctx context.Context, cfg config.Config, d *db.DB, log *slog.Logger) error {
	start := time.Now()
	pages, err := web.NewPages(web.Deps{Config: cfg, Log: log, DB: d, Consultations: consultation.NewStore(d),
		Hubs: hub.NewStore(d), Accounts: account.NewStore(d), Sessions: account.NewSessions(d, nil)})
	if err != nil {
		return err
	}
	n, err := pages.RenderAll(ctx, 2*runtime.GOMAXPROCS(0))
	if err != nil {
		return fmt.Errorf("pages : %w", err)
	}
	log.Info("contribution pages rendered", "pages", n, "took", time.Since(start).Round(time.Millisecond))
	return nil
}
