package web

import (
	"hash/crc32"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// pageETag gives every page answered 200 to a GET an ETag, a checksum of its
// HTML before compression (weak, since the compressed forms differ), and
// answers 304 Not Modified, without the page, when the browser already holds
// that version (If-None-Match). A page without Cache-Control gets "private,
// no-cache": the browser keeps it but asks each time, and a shared cache never
// keeps it (pages carry the visitor's form token). Pages marked no-store and
// streamed answers (exports) are left alone.
func pageETag(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err
	}
	resp := c.Response()
	if c.Method() != fiber.MethodGet || resp.StatusCode() != fiber.StatusOK || resp.IsBodyStream() ||
		!strings.HasPrefix(string(resp.Header.ContentType()), fiber.MIMETextHTML) {
		return nil
	}
	cc := string(resp.Header.Peek(fiber.HeaderCacheControl))
	if strings.Contains(cc, "no-store") {
		return nil
	}
	if cc == "" {
		resp.Header.Set(fiber.HeaderCacheControl, "private, no-cache")
	}
	etag := string(resp.Header.Peek(fiber.HeaderETag)) // set by a handler that wrote its page compressed (writeStored)
	if etag == "" {
		body := resp.Body()
		etag = htmlETag(len(body), crc32.ChecksumIEEE(body))
		resp.Header.Set(fiber.HeaderETag, etag)
	}
	if etagMatches(c.Get(fiber.HeaderIfNoneMatch), etag) {
		resp.ResetBody()
		resp.SetStatusCode(fiber.StatusNotModified)
	}
	return nil
}

// htmlETag is the ETag of a page of size bytes and CRC-32 crc, uncompressed.
func htmlETag(size int, crc uint32) string {
	return `W/"` + strconv.Itoa(size) + "-" + strconv.FormatUint(uint64(crc), 36) + `"`
}

// etagMatches reports whether the If-None-Match header value names etag,
// comparing weakly (W/"x" matches "x") as RFC 9110 asks for GET.
func etagMatches(ifNoneMatch, etag string) bool {
	if ifNoneMatch == "" {
		return false
	}
	if strings.TrimSpace(ifNoneMatch) == "*" {
		return true
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, candidate := range strings.Split(ifNoneMatch, ",") {
		if strings.TrimPrefix(strings.TrimSpace(candidate), "W/") == want {
			return true
		}
	}
	return false
}
