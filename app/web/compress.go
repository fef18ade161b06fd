package web

import (
	"bytes"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/klauspost/compress/gzip"
	"github.com/valyala/fasthttp"
)

// Dynamic compression levels: fast ones, since every page is compressed as
// it is served (static files are compressed at build time, at the highest
// level). On HTML they still divide the size by five or more. gzip's level 2
// (klauspost/compress 1.20) was measured on the same pages: 2 % smaller and,
// one page at a time, faster (a contribution page 30 against 37 µs), but
// 10 to 20 % slower with both cores compressing at once (its larger tables),
// which is how a server compresses; level 1 stays.
const (
	pageBrotliLevel = 2
	pageGzipLevel   = 1
	minCompressSize = 1024 // below this, the headers cost more than the gain
)

// compressPages compresses HTML pages (and htmx fragments) with brotli or gzip
// when the browser accepts it, and says so in Vary. Streamed answers
// (exports), other media types and bodies already encoded are left alone.
func compressPages(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err
	}
	resp := c.Response()
	// A streamed answer (an export) is left alone, and checked first:
	// reading its Body would pull the whole stream into memory.
	if resp.IsBodyStream() {
		return nil
	}
	body := resp.Body()
	if len(body) < minCompressSize || len(resp.Header.ContentEncoding()) > 0 ||
		!strings.HasPrefix(string(resp.Header.ContentType()), fiber.MIMETextHTML) {
		return nil
	}
	resp.Header.Add(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
	req := &c.Request().Header
	// gzip first, even for browsers that also take brotli: on pages made
	// for each request, brotli (level 2) took three to five times the CPU
	// of gzip (level 1, pooled writers) for 5 to 10 % fewer bytes (a
	// contribution page: 101 µs for 2.9 KB against 36 µs for 3.1 KB; a list:
	// 406 µs for 8.8 KB against 82 µs for 9.7 KB). Static files keep brotli,
	// compressed once at build time at the highest level.
	switch {
	case req.HasAcceptEncoding("gzip"):
		resp.SetBodyRaw(gzipBytes(body))
		resp.Header.Set(fiber.HeaderContentEncoding, "gzip")
	case req.HasAcceptEncoding("br"):
		resp.SetBodyRaw(fasthttp.AppendBrotliBytesLevel(nil, body, pageBrotliLevel))
		resp.Header.Set(fiber.HeaderContentEncoding, "br")
	}
	return nil
}

// gzipWriters are reused: a gzip writer's tables cost more to set up than a
// contribution page costs to compress. (fasthttp's AppendGzipBytesLevel
// took a third longer on a list page, through its extra layers.)
var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, pageGzipLevel) // the level is valid: no error
	return w
}}

// gzipBytes returns body compressed with gzip at pageGzipLevel.
func gzipBytes(body []byte) []byte {
	out := bytes.NewBuffer(make([]byte, 0, len(body)/4+64))
	w := gzipWriters.Get().(*gzip.Writer)
	w.Reset(out)
	_, _ = w.Write(body) // writes to a bytes.Buffer do not fail
	_ = w.Close()
	gzipWriters.Put(w)
	return out.Bytes()
}
