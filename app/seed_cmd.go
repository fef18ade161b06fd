package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/seed/synthetic"
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
func runSynthetic(ctx context.Context, d *db.DB, opt synthetic.Options, progress io.Writer, log *slog.Logger) error {
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
	return nil
}
