package db

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestEmbeddedKeepsDataAcrossRestarts starts a private server, writes a row,
// stops it, starts it again on the same directory and reads the row back.
func TestEmbeddedKeepsDataAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "embedded-") // t.TempDir's parent is closed to the postgres user
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	e := &Embedded{Dir: dir, Database: "app"}
	if err := e.Start(ctx); err != nil {
		t.Fatalf("start: %v", err)
	}
	d, err := Open(ctx, e.URL("app"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SQL().ExecContext(ctx, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('conservé')`); err != nil {
		t.Fatal(err)
	}
	d.Close()

	second := &Embedded{Dir: dir, Database: "app"}
	if err := second.Start(ctx); !errors.Is(err, ErrBusy) {
		t.Fatalf("second instance on the same directory: err = %v, want ErrBusy", err)
	}

	if err := e.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	again := &Embedded{Dir: dir, Database: "app", Prewarm: true}
	if err := again.Start(ctx); err != nil {
		t.Fatalf("restart: %v", err)
	}
	defer again.Stop()
	d, err = Open(ctx, again.URL("app"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var v string
	if err := d.SQL().QueryRowContext(ctx, `SELECT v FROM kept`).Scan(&v); err != nil {
		t.Fatalf("data lost across restart: %v", err)
	}
	if v != "conservé" {
		t.Errorf("v = %q", v)
	}
	// With pg_prewarm in the binaries, a server started with Prewarm loads
	// it (its buffers are saved at the stop and read back at the next start);
	// the first start, without Prewarm, did not (nothing saved).
	if prewarmSettings(again.bin) != nil {
		var libs string
		if err := d.SQL().QueryRowContext(ctx, `SHOW shared_preload_libraries`).Scan(&libs); err != nil || libs != "pg_prewarm" {
			t.Errorf("shared_preload_libraries = %q, %v", libs, err)
		}
		saved := filepath.Join(again.cluster, "autoprewarm.blocks")
		if _, err := os.Stat(saved); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a server started without Prewarm saved its buffers: %v", err)
		}
		d.Close()
		if err := again.Stop(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(saved); err != nil {
			t.Errorf("no list of buffers saved at the stop: %v", err)
		}
	}
}
