package web

import (
	"bufio"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// TestPageMiddlewaresLeaveStreamsAlone checks that pages are compressed and
// given an ETag, while a streamed answer (an export of a million rows) goes
// through both middlewares unread: reading its body there would pull the
// whole stream into memory (2.7 GB for the 1,000,000-row CSV).
func TestPageMiddlewaresLeaveStreamsAlone(t *testing.T) {
	page := "<!doctype html><p>" + strings.Repeat("Contribution libre sur la médiation numérique. ", 200) + "</p>"
	var readEarly, streamed atomic.Bool
	var stillStream atomic.Bool
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error { // outside both: sees what they left
		err := c.Next()
		stillStream.Store(c.Response().IsBodyStream())
		readEarly.Store(streamed.Load())
		return err
	})
	app.Use(compressPages)
	app.Use(pageETag)
	app.Get("/page", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.SendString(page)
	})
	app.Get("/export", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8) // the content type that both middlewares act on
		c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
			streamed.Store(true)
			for range 1000 {
				w.WriteString(page) //nolint:errcheck // test stream
			}
		})
		return nil
	})

	req := httptest.NewRequest("GET", "/page", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	etag := resp.Header.Get("ETag")
	if resp.Header.Get("Content-Encoding") != "gzip" || etag == "" {
		t.Fatalf("page: Content-Encoding %q, ETag %q", resp.Header.Get("Content-Encoding"), etag)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(zr); string(got) != page {
		t.Fatalf("page: %d bytes after gzip, want %d", len(got), len(page))
	}
	req = httptest.NewRequest("GET", "/page", nil)
	req.Header.Set("If-None-Match", etag)
	if resp, err = app.Test(req, -1); err != nil || resp.StatusCode != fiber.StatusNotModified {
		t.Fatalf("page again with its ETag: %v %v, want 304", resp.StatusCode, err)
	}

	req = httptest.NewRequest("GET", "/export", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err = app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if !stillStream.Load() || readEarly.Load() {
		t.Fatalf("export: still a stream after the middlewares %v, read by them %v", stillStream.Load(), readEarly.Load())
	}
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("ETag") != "" {
		t.Errorf("export: Content-Encoding %q, ETag %q, want neither", resp.Header.Get("Content-Encoding"), resp.Header.Get("ETag"))
	}
	if n, _ := io.Copy(io.Discard, resp.Body); n != int64(1000*len(page)) {
		t.Errorf("export: %d bytes, want %d", n, 1000*len(page))
	}
}

// TestGzipBytesConcurrently compresses different pages at once through the
// pool of writers and checks every one decompresses to its own page.
func TestGzipBytesConcurrently(t *testing.T) {
	var failed atomic.Int32
	done := make(chan struct{})
	for g := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 200 {
				page := strings.Repeat("Médiation numérique n° "+strings.Repeat("x", g)+" ", 20+i*(g+1))
				zr, err := gzip.NewReader(strings.NewReader(string(gzipBytes([]byte(page)))))
				if err != nil {
					failed.Add(1)
					return
				}
				got, err := io.ReadAll(zr)
				if err != nil || string(got) != page {
					failed.Add(1)
					return
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
	if n := failed.Load(); n > 0 {
		t.Fatalf("%d goroutines got a page that did not decompress to itself", n)
	}
}
