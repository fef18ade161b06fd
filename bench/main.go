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
