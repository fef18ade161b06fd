package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

type server struct {
	cmd  *exec.Cmd
	logs *lockedBuffer
	url  string
}

func startServe(t *testing.T, dataDir string, env ...string) *server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CONCERTATION_RUN_MAIN=1", "CONCERTATION_ARGS=serve",
		"DATA_DIR="+dataDir, "ADDR="+addr, "DATABASE_URL=")
	cmd.Env = append(cmd.Env, env...)
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, logs: logs, url: "http://" + addr}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("serve not ready after 60 s; logs:\n%s", logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v; logs:\n%s", err, s.logs)
		}
	case <-time.After(60 * time.Second):
		_ = s.cmd.Process.Kill()
		t.Fatalf("serve did not stop on SIGTERM; logs:\n%s", s.logs)
	}
}

// TestServeOnEmbeddedDatabase runs the real program as `make run` does: with no
// DATABASE_URL it starts its own PostgreSQL, migrates, seeds and serves; a
// second instance on the same DATA_DIR is refused; after SIGTERM and a
// restart the data is still there and nothing is seeded again.
func TestServeOnEmbeddedDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL twice")
	}
	dataDir, err := os.MkdirTemp("", "serve-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dataDir) })
	if err := os.Chmod(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}

	s := startServe(t, dataDir)
	resp, err := http.Get(s.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"Gouvernance, finances et modèles économiques", "Comment hybrider les sources de financement ?"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("home lacks %q", want)
		}
	}
	if !strings.Contains(s.logs.String(), "loading the reference data") {
		t.Errorf("first start did not seed; logs:\n%s", s.logs)
	}
	// serve runs the renderer of the stored contribution pages.
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(s.logs.String(), "pages: stored pages rendered"); {
		if time.Now().After(deadline) {
			t.Fatalf("the stored pages were not rendered; logs:\n%s", s.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}

	code, _, errOut := runMain(t, "migrate", "DATA_DIR="+dataDir, "DATABASE_URL=")
	if code != 2 || !strings.Contains(errOut, "une autre instance utilise déjà ce dossier") {
		t.Errorf("second instance: exit %d, stderr %q; want 2 and a clear message", code, errOut)
	}

	s.stop(t)
	if !strings.Contains(s.logs.String(), "embedded PostgreSQL stopped") {
		t.Errorf("PostgreSQL not stopped cleanly; logs:\n%s", s.logs)
	}

	s = startServe(t, dataDir)
	defer s.stop(t)
	if strings.Contains(s.logs.String(), "loading the reference data") {
		t.Errorf("data did not survive the restart (seeded again); logs:\n%s", s.logs)
	}
	resp, err = http.Get(s.url + "/hubs/rhinocc")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("hub page after restart: %d", resp.StatusCode)
	}
}
