package web

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestOpenDataFilesWrittenOncePerTTL: concurrent first downloads wait for one
// writing; later ones within the TTL read the same file without writing;
// past the TTL the stale file is served at once while one new writing runs;
// a failed writing is reported and tried again; no temporary file is left.
func TestOpenDataFilesWrittenOncePerTTL(t *testing.T) {
	dir := t.TempDir()
	var clock atomic.Int64
	clock.Store(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	files := newOpenDataFiles(dir, 10*time.Minute, now, slog.New(slog.DiscardHandler))
	var writes atomic.Int32
	release := make(chan struct{})
	content := atomic.Value{}
	content.Store("version 1\n")
	write := func(ctx context.Context, w *bufio.Writer) error {
		writes.Add(1)
		<-release
		_, err := w.WriteString(content.Load().(string))
		return err
	}
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	paths := make([]string, 8)
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, _, _, err := files.get(ctx, "contributions.csv", write)
			if err != nil {
				t.Error(err)
			}
			paths[i] = p
		}()
	}
	close(release)
	wg.Wait()
	if n := writes.Load(); n != 1 {
		t.Fatalf("%d writings for 8 concurrent first downloads", n)
	}
	for _, p := range paths {
		if read(p) != "version 1\n" {
			t.Fatalf("download read %q", read(p))
		}
	}
	content.Store("version 2\n")
	clock.Add(int64(9 * time.Minute))
	p, written, _, err := files.get(ctx, "contributions.csv", write)
	if err != nil || read(p) != "version 1\n" || writes.Load() != 1 {
		t.Fatalf("within the TTL: %q, %d writings, %v", read(p), writes.Load(), err)
	}
	clock.Add(int64(2 * time.Minute))
	p, _, _, err = files.get(ctx, "contributions.csv", write)
	if err != nil || read(p) != "version 1\n" {
		t.Fatalf("past the TTL, the stale file is served at once: %q %v", read(p), err)
	}
	files.mu.Lock()
	writing := files.byID["contributions.csv"].writing
	files.mu.Unlock()
	if writing == nil {
		t.Fatal("no writing started past the TTL")
	}
	<-writing
	p, again, _, err := files.get(ctx, "contributions.csv", write)
	if err != nil || read(p) != "version 2\n" || !again.After(written) || writes.Load() != 2 {
		t.Fatalf("after the new writing: %q, written %v (before %v), %d writings, %v", read(p), again, written, writes.Load(), err)
	}
	// A failing first writing is an error for its downloads, then retried.
	fail := true
	flaky := func(ctx context.Context, w *bufio.Writer) error {
		if fail {
			fail = false
			return errors.New("base indisponible")
		}
		_, err := w.WriteString("soutiens\n")
		return err
	}
	if _, _, _, err := files.get(ctx, "soutiens.csv", flaky); err == nil || !strings.Contains(err.Error(), "base indisponible") {
		t.Fatalf("failed writing: %v", err)
	}
	if p, _, _, err := files.get(ctx, "soutiens.csv", flaky); err != nil || read(p) != "soutiens\n" {
		t.Fatalf("retry: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".ecriture-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestOpenDataDownloadFromFile downloads the open data through the app: the
// file comes whole with its length, date and cache headers, and a second
// download within the TTL reads the same file.
func TestOpenDataDownloadFromFile(t *testing.T) {
	a := newTestApp(t, nil)
	resp, body := a.get("/donnees/contributions.csv")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "id,url,") {
		t.Fatalf("download: %d %.80q", resp.StatusCode, body)
	}
	if resp.Header.Get("Last-Modified") == "" || resp.Header.Get("Cache-Control") != "public, max-age=60" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "concertation-donnees-") {
		t.Errorf("headers %v", resp.Header)
	}
	if _, page := a.get("/donnees"); !strings.Contains(page, "mis à jour au plus toutes les 10 minutes") {
		t.Error("the open data page does not say how often the files are written")
	}
	resp2, body2 := a.get("/donnees/contributions.csv")
	if body2 != body || resp2.Header.Get("Last-Modified") != resp.Header.Get("Last-Modified") {
		t.Error("a second download within the TTL differs")
	}
}

func TestDurationFrench(t *testing.T) {
	for d, want := range map[time.Duration]string{time.Minute: "minutes", 10 * time.Minute: "10 minutes", time.Hour: "heures",
		2 * time.Hour: "2 heures", 90 * time.Second: "90 secondes", 30 * time.Second: "30 secondes"} {
		if got := durationFrench(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}
