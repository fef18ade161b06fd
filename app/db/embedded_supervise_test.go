package db

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// logBuffer is a log destination shared by goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// openDir returns a new directory that the postgres system user can reach.
func openDir(t *testing.T, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix) // t.TempDir's parent is closed to the postgres user
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestEmbeddedRestartsAfterPostmasterKill kills the postmaster with SIGKILL
// and checks that the supervisor restarts it (crash recovery) within
// seconds, says so in the log, keeps every committed row, and that the pool
// opened before the crash serves again by itself: pgx reports the broken
// connections as bad and database/sql replaces them, the same for an
// external DATABASE_URL. Not Fast: commits are synchronous, as in production.
func TestEmbeddedRestartsAfterPostmasterKill(t *testing.T) {
	ctx := context.Background()
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	e := &Embedded{Dir: openDir(t, "supervised-"), Database: "app", Log: log}
	if err := e.Start(ctx); err != nil {
		t.Fatalf("start: %v", err)
	}
	defer e.Stop()
	d, err := Open(ctx, e.URL("app"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	watchCtx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() { defer close(watched); d.Watch(watchCtx, 50*time.Millisecond, log) }()
	defer func() { stopWatch(); <-watched }()

	if _, err := d.SQL().ExecContext(ctx, `CREATE TABLE kept (n int)`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 20 { // committed rows, and 20 connections left idle in the pool
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := d.SQL().ExecContext(ctx, `INSERT INTO kept SELECT $1::int FROM pg_sleep(0.05)`, i); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()

	pid := e.PID()
	if pid == 0 {
		t.Fatal("no postmaster")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	sawDown := false
	for !strings.Contains(logs.String(), "embedded PostgreSQL restarted") {
		if down, _ := d.Unreachable(); down > 0 {
			sawDown = true
		}
		if time.Since(killed) > time.Minute {
			b, _ := os.ReadFile(e.logFile)
			t.Fatalf("not restarted a minute after the kill; logs:\n%s\npostgres.log:\n%s", logs, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	restarted := time.Since(killed)
	for {
		qctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := d.SQL().ExecContext(qctx, `INSERT INTO kept VALUES (-1)`)
		cancel()
		if err == nil {
			break
		}
		if time.Since(killed) > time.Minute {
			t.Fatalf("no write accepted a minute after the kill: %v\nlogs:\n%s", err, logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("kill -9 of the postmaster: restarted after %v, writes accepted after %v (shared machine)",
		restarted.Round(time.Millisecond), time.Since(killed).Round(time.Millisecond))
	if newPID := e.PID(); newPID == 0 || newPID == pid {
		t.Errorf("postmaster after restart: pid %d (killed %d)", newPID, pid)
	}
	for _, want := range []string{"embedded PostgreSQL stopped unexpectedly", "embedded PostgreSQL restarted"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}

	// Every connection of the pool, stale ones included, serves again.
	errs := make(chan error, 40)
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := d.SQL().ExecContext(ctx, `SELECT pg_sleep(0.02)`)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("query on the pool after the restart: %v", err)
		}
	}
	var n, distinct int
	if err := d.SQL().QueryRowContext(ctx, `SELECT count(*), count(DISTINCT n) FILTER (WHERE n >= 0) FROM kept`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if distinct != 20 {
		t.Errorf("%d of the 20 rows committed before the kill are left", distinct)
	}
	waitLog := time.Now()
	for !strings.Contains(logs.String(), "database reachable again") {
		if time.Since(waitLog) > 10*time.Second {
			t.Fatalf("Watch did not log the recovery:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !sawDown && !strings.Contains(logs.String(), "database unreachable") {
		t.Error("the outage was never seen as unreachable")
	}
	if down, err := d.Unreachable(); down != 0 || err != nil {
		t.Errorf("Unreachable after recovery = %v, %v", down, err)
	}
}

// TestEmbeddedClusterOutsideAClosedDataDir starts the server as `make run`
// does from a clone in a home folder closed to others (mode 700): the
// "postgres" user cannot reach DATA_DIR, so the cluster goes under the
// fallback root, DATA_DIR/postgres links to it, the log names it, and a
// second start finds the same data.
func TestEmbeddedClusterOutsideAClosedDataDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root runs the server as another user")
	}
	ctx := context.Background()
	home := openDir(t, "home-")
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	dataDir := home + "/clone/data"
	root := openDir(t, "fallback-")
	logs := &logBuffer{}
	start := func() *Embedded {
		t.Helper()
		e := &Embedded{Dir: dataDir, Database: "app", Fast: true, FallbackRoot: root, Log: slog.New(slog.NewTextHandler(logs, nil))}
		if err := e.Start(ctx); err != nil {
			t.Fatalf("start: %v\nlogs:\n%s", err, logs)
		}
		return e
	}
	e := start()
	cluster := e.Cluster()
	if !strings.HasPrefix(cluster, root+"/clone-data-") {
		t.Errorf("cluster in %s, want under %s, named after DATA_DIR", cluster, root)
	}
	if target, err := os.Readlink(dataDir + "/postgres"); err != nil || target != cluster {
		t.Errorf("DATA_DIR/postgres links to %q (%v), want %s", target, err, cluster)
	}
	if !strings.Contains(logs.String(), "cluster="+cluster) {
		t.Errorf("the log does not name the cluster:\n%s", logs)
	}
	d, err := Open(ctx, e.URL("app"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SQL().ExecContext(ctx, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('conservé')`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}

	again := start()
	defer again.Stop()
	if again.Cluster() != cluster {
		t.Errorf("second start uses %s, want %s", again.Cluster(), cluster)
	}
	d, err = Open(ctx, again.URL("app"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var v string
	if err := d.SQL().QueryRowContext(ctx, `SELECT v FROM kept`).Scan(&v); err != nil || v != "conservé" {
		t.Errorf("data after restart: %q, %v", v, err)
	}
}

func TestFallbackHomeIsStablePerDataDir(t *testing.T) {
	a := (&Embedded{Dir: "/root/x/data", FallbackRoot: "/var/lib/concertation"}).fallbackHome()
	b := (&Embedded{Dir: "/root/x/data/", FallbackRoot: "/var/lib/concertation"}).fallbackHome()
	c := (&Embedded{Dir: "/root/y/data", FallbackRoot: "/var/lib/concertation"}).fallbackHome()
	if a != b || a == c || !strings.HasPrefix(a, "/var/lib/concertation/x-data-") {
		t.Errorf("fallback homes %s %s %s", a, b, c)
	}
	odd := (&Embedded{Dir: "/home/léa/mon projet/données"}).fallbackHome()
	if !strings.HasPrefix(odd, DefaultFallbackRoot+"/") || strings.ContainsAny(odd[len(DefaultFallbackRoot)+1:], " é/") {
		t.Errorf("fallback home %q is not a plain folder name", odd)
	}
}

// TestEmbeddedTakesOverAServerLeftRunning: when the app dies without
// stopping its PostgreSQL (kill -9 of the app), the next start stops that
// server and runs its own, supervised, on the same data.
func TestEmbeddedTakesOverAServerLeftRunning(t *testing.T) {
	ctx := context.Background()
	dir := openDir(t, "leftover-")
	logs := &logBuffer{}
	first := &Embedded{Dir: dir, Database: "app", Fast: true}
	if err := first.Start(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := Open(ctx, first.URL("app"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SQL().ExecContext(ctx, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('conservé')`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	leftover := first.PID()
	first.stopSupervising() // the app dies: no supervision, no stop, the lock released
	first.unlock()

	second := &Embedded{Dir: dir, Database: "app", Fast: true, Log: slog.New(slog.NewTextHandler(logs, nil))}
	if err := second.Start(ctx); err != nil {
		t.Fatalf("start over a server left running: %v", err)
	}
	defer second.Stop()
	if second.PID() == 0 || second.PID() == leftover {
		t.Errorf("postmaster %d, want a new one (left running: %d)", second.PID(), leftover)
	}
	if !strings.Contains(logs.String(), "left running by an earlier instance") {
		t.Errorf("log:\n%s", logs)
	}
	d, err = Open(ctx, second.URL("app"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var v string
	if err := d.SQL().QueryRowContext(ctx, `SELECT v FROM kept`).Scan(&v); err != nil || v != "conservé" {
		t.Errorf("data: %q, %v", v, err)
	}
}
