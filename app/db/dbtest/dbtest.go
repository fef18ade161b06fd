// Package dbtest gives each test package its own PostgreSQL server, started by
// the tests themselves on a private socket directory, and each test its own
// database cloned from a migrated template.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { dbtest.Main(m) }
//
// then dbtest.New(t) in a test.
package dbtest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/migrations"
)

const templateDB = "template_concertation"

var (
	server  *db.Embedded
	mu      sync.Mutex
	counter int
)

// Main starts the package's PostgreSQL server, migrates the template database,
// runs the tests and stops the server.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "concertation-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		return 1
	}
	ctx := context.Background()
	server = &db.Embedded{Dir: dir, Database: templateDB, Fast: true}
	if err := server.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest: start PostgreSQL:", err)
		return 1
	}
	defer func() {
		if err := server.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "dbtest: stop PostgreSQL:", err)
		}
	}()
	if err := migrateTemplate(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest: migrate template:", err)
		return 1
	}
	return m.Run()
}

func migrateTemplate(ctx context.Context) error {
	d, err := db.Open(ctx, server.URL(templateDB))
	if err != nil {
		return err
	}
	defer d.Close()
	_, err = d.Migrate(ctx, migrations.FS, slog.New(slog.DiscardHandler))
	return err
}

// URL returns the URL of a new, empty (unmigrated) database on the package's
// server, for tests of the migrations themselves.
func URL(t testing.TB) string {
	return newDatabase(t, "")
}

// New returns an open handle on a new migrated database for this test only,
// closed at the end of the test.
func New(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), newDatabase(t, templateDB))
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// NewURL returns the URL of a new migrated database for this test only.
func NewURL(t testing.TB) string {
	return newDatabase(t, templateDB)
}

func newDatabase(t testing.TB, template string) string {
	t.Helper()
	if server == nil {
		t.Fatal("dbtest: call dbtest.Main from TestMain")
	}
	mu.Lock() // CREATE DATABASE … TEMPLATE needs the template to be unused
	defer mu.Unlock()
	counter++
	name := fmt.Sprintf("test_%d", counter)
	if err := server.CreateDatabase(context.Background(), name, template); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	return server.URL(name)
}
