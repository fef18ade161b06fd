package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Dynamic compression levels: fast ones, since every page is compressed as
// it is served (static files are compressed at build time, at the highest
// level). On HTML they still divide the size by five or more.
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
	switch {
	case req.HasAcceptEncoding("br"):
		resp.SetBodyRaw(fasthttp.AppendBrotliBytesLevel(nil, body, pageBrotliLevel))
		resp.Header.Set(fiber.HeaderContentEncoding, "br")
	case req.HasAcceptEncoding("gzip"):
		resp.SetBodyRaw(fasthttp.AppendGzipBytesLevel(nil, body, pageGzipLevel))
		resp.Header.Set(fiber.HeaderContentEncoding, "gzip")
	}
	return nil
}
