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
	"time"

	"github.com/cnr-numerique/concertation/app/config"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/migrations"
)

const templateDB = "template_concertation"

var (
	server  *db.Embedded
	mu      sync.Mutex
	counter int

	replicaOnce sync.Once
	replica     *db.Embedded
	replicaDir  string
	replicaErr  error
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
	if cfg, err := config.Load(os.Getenv); err == nil {
		server.Bin = cfg.PGBin
	}
	if err := server.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest: start PostgreSQL:", err)
		return 1
	}
	defer func() {
		if err := server.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "dbtest: stop PostgreSQL:", err)
		}
	}()
	defer func() {
		if replica != nil {
			if err := replica.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "dbtest: stop the replica:", err)
			}
		}
		if replicaDir != "" {
			_ = os.RemoveAll(replicaDir)
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
	return server.URL(newDatabaseName(t, template))
}

func newDatabaseName(t testing.TB, template string) string {
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
	return name
}

// Primary returns the package's server, for tests that stop or replicate it.
func Primary() *db.Embedded { return server }

// NewWithReplica returns an open handle on a new migrated database for this
// test only, whose reads (db.Read) go to a real streaming replica of the
// package's server: a second PostgreSQL started at first use from the same
// binaries (pg_basebackup -R) and stopped by Main. It returns once the replica
// has replayed the database and is in use. seed, when not nil, runs on the
// primary before the wait, so that the replica starts with its rows.
func NewWithReplica(t testing.TB, seed func(*db.DB) error) *db.DB {
	t.Helper()
	ctx := context.Background()
	name := newDatabaseName(t, templateDB)
	d, err := db.Open(ctx, server.URL(name))
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if seed != nil {
		if err := seed(d); err != nil {
			t.Fatalf("dbtest: seed: %v", err)
		}
	}
	replicaOnce.Do(func() {
		var err error
		replicaDir, err = os.MkdirTemp("", "concertation-replica-")
		if err == nil {
			err = os.Chmod(replicaDir, 0o755)
		}
		if err == nil {
			replica, err = server.StartReplica(ctx, replicaDir)
		}
		replicaErr = err
	})
	if replicaErr != nil {
		t.Fatalf("dbtest: start the replica: %v", replicaErr)
	}
	if err := d.UseReplica(ctx, replica.URL(name), 0, nil); err != nil {
		t.Fatalf("dbtest: use the replica: %v", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for st := d.CheckReplica(ctx); !st.Usable || st.LagBytes > 0; st = d.CheckReplica(ctx) {
		if time.Now().After(deadline) {
			t.Fatalf("dbtest: the replica is not in use after 60 s: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return d
}
