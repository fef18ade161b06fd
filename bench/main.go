// Command bench runs the benchmarks of the platform (make bench). They are not
// tests: they print figures. Each benchmark lives in its own file and adds
// itself to the list below.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/migrations"
	"github.com/cnr-numerique/concertation/seeds"
)

type benchmark struct {
	name  string
	run   func() error
	optIn bool // run only when asked for with -only (make bench-national)
}

// benchmarks is the list run by `make bench`, in order.
var benchmarks = []benchmark{}

func main() {
	if addr := os.Getenv("BENCH_HELLO_ADDR"); addr != "" {
		serveHelloChild(addr) // the hello-world process of the national benchmark
		return
	}
	only := flag.String("only", "", "run only the benchmarks whose name contains this")
	flag.Parse()
	failed := false
	for _, b := range benchmarks {
		if *only != "" && !strings.Contains(b.name, *only) || *only == "" && b.optIn {
			continue
		}
		fmt.Printf("== %s\n", b.name)
		if err := b.run(); err != nil {
			fmt.Fprintf(os.Stderr, "bench %s: %v\n", b.name, err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

// prepare migrates d and loads the reference data of the concertation, as
// `concertation seed` does, before a benchmark adds its synthetic rows.
func prepare(ctx context.Context, d *db.DB) error {
	if _, err := d.Migrate(ctx, migrations.FS, slog.New(slog.DiscardHandler)); err != nil {
		return err
	}
	return seed.Reference(ctx, d, seeds.FS)
}

// benchDB starts a throwaway embedded PostgreSQL in a new temporary folder,
// opens it and prepares it; stop closes and removes everything.
func benchDB(ctx context.Context, prefix string) (d *db.DB, url string, stop func(), err error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, "", nil, err
	}
	cleanup := []func(){func() { os.RemoveAll(dir) }}
	stop = func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}
	fail := func(err error) (*db.DB, string, func(), error) {
		stop()
		return nil, "", nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return fail(err)
	}
	emb := &db.Embedded{Dir: dir, Database: "bench", Fast: true}
	if err := emb.Start(ctx); err != nil {
		return fail(err)
	}
	cleanup = append(cleanup, func() { _ = emb.Stop() })
	url = emb.URL("bench")
	if d, err = db.Open(ctx, url); err != nil {
		return fail(err)
	}
	cleanup = append(cleanup, func() { d.Close() })
	if err := prepare(ctx, d); err != nil {
		return fail(err)
	}
	return d, url, stop, nil
}
