package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/cnr-numerique/concertation/static"
	"github.com/gofiber/fiber/v2"
)

// The files under /static come from static/dist, built by make assets
// (tools/assets): each under a fingerprinted name, with a brotli (.br) and a
// gzip (.gz) copy when compressing helps, and manifest.json mapping the
// logical names that templates use ("dsfr/dsfr.css", through the asset
// template function) to the fingerprinted ones.

// cacheForever is the Cache-Control of a fingerprinted file: its name changes
// with its content, so browsers keep it a year without asking again.
const cacheForever = "public, max-age=31536000, immutable"

// assetFile is one file of static/dist with its compressed copies.
type assetFile struct {
	body, br, gz []byte
	contentType  string
	etag         string // of the identity body; suffixed per encoding
}

// assetSet is static/dist in memory.
type assetSet struct {
	files   map[string]*assetFile // fingerprinted name → file
	logical map[string]string     // logical name → fingerprinted name
}

// loadAssets reads every file of the dist folder of fsys.
func loadAssets(fsys fs.FS) (*assetSet, error) {
	dist, err := fs.Sub(fsys, "dist")
	if err != nil {
		return nil, err
	}
	raw, err := fs.ReadFile(dist, "manifest.json")
	if err != nil {
		return nil, fmt.Errorf("static/dist/manifest.json missing: run make assets: %w", err)
	}
	set := &assetSet{files: map[string]*assetFile{}}
	if err := json.Unmarshal(raw, &set.logical); err != nil {
		return nil, fmt.Errorf("static/dist/manifest.json: %w", err)
	}
	for _, name := range set.logical {
		f := &assetFile{contentType: contentType(name)}
		if f.body, err = fs.ReadFile(dist, name); err != nil {
			return nil, err
		}
		f.br, _ = fs.ReadFile(dist, name+".br") // absent when compressing does not help
		f.gz, _ = fs.ReadFile(dist, name+".gz")
		sum := sha256.Sum256(f.body)
		f.etag = hex.EncodeToString(sum[:8])
		set.files[name] = f
	}
	return set, nil
}

// contentType is the media type of a file served under name.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".woff2":
		return "font/woff2"
	case ".woff":
		return "font/woff"
	case ".webmanifest":
		return "application/manifest+json"
	case ".js":
		return "text/javascript; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// url returns the address of the fingerprinted file for a logical name.
func (a *assetSet) url(logical string) (string, error) {
	name, ok := a.logical[logical]
	if !ok {
		return "", fmt.Errorf("asset %q is not in static/dist/manifest.json (run make assets)", logical)
	}
	return "/static/" + name, nil
}

var builtAssets = sync.OnceValues(func() (*assetSet, error) { return loadAssets(static.FS) })

// assetURL is the template function asset: {{asset "dsfr/dsfr.css"}} gives
// /static/dsfr/dsfr.<fingerprint>.css.
func assetURL(logical string) (string, error) {
	set, err := builtAssets()
	if err != nil {
		return "", err
	}
	return set.url(logical)
}

// serve answers GET and HEAD under /static. A fingerprinted name is cached a
// year; a logical name (an old bookmark, a tool) is served too, revalidated
// each time. The body is the brotli or gzip copy when the browser accepts it.
func (a *assetSet) serve(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return fiber.ErrMethodNotAllowed
	}
	name := strings.TrimPrefix(c.Path(), "/static/")
	cacheControl := cacheForever
	f, ok := a.files[name]
	if !ok {
		fingerprinted, known := a.logical[name]
		if !known {
			return fiber.ErrNotFound
		}
		f, cacheControl = a.files[fingerprinted], "public, no-cache"
	}
	body, encoding := f.body, ""
	req := &c.Request().Header
	switch {
	case f.br != nil && req.HasAcceptEncoding("br"):
		body, encoding = f.br, "br"
	case f.gz != nil && req.HasAcceptEncoding("gzip"):
		body, encoding = f.gz, "gzip"
	}
	h := &c.Response().Header
	etag := `"` + f.etag + encoding + `"`
	h.Set(fiber.HeaderCacheControl, cacheControl)
	h.Set(fiber.HeaderETag, etag)
	if f.br != nil || f.gz != nil {
		h.Set(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
	}
	if etagMatches(c.Get(fiber.HeaderIfNoneMatch), etag) {
		return c.SendStatus(http.StatusNotModified)
	}
	h.SetContentType(f.contentType)
	if encoding != "" {
		h.Set(fiber.HeaderContentEncoding, encoding)
	}
	c.Response().SetBodyRaw(body) // shared, never written to
	return nil
}
