// Command assets builds static/dist, the files the server sends under /static
// (make assets runs it after npm ci):
//
//   - dsfr/dsfr.css: the DSFR core, the scheme (light/dark) and only the
//     components and icons that the templates and handlers use, found by
//     scanning views/ and app/web/ for fr-* classes;
//   - dsfr/dsfr.module.js: the DSFR core script and the scripts of those
//     components only; dsfr/dsfr.nomodule.js stays whole, for the old
//     browsers that ignore type="module" (modern ones never download it);
//   - the platform's own css/ and js/, htmx, the favicons, and every font
//     and icon file the CSS refers to, with url() rewritten.
//
// Every file gets a fingerprinted name (name.<10 hex of SHA-256>.ext), a
// brotli (.br) and a gzip (.gz) copy when that is smaller, and an entry in
// dist/manifest.json mapping the logical name (dsfr/dsfr.css) to the
// fingerprinted one. The server serves the variant the browser accepts.
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/andybalholm/brotli"
)

func main() {
	root := flag.String("root", ".", "repository root")
	flag.Parse()
	b := &builder{
		root:     *root,
		dsfr:     filepath.Join(*root, "node_modules", "@gouvfr", "dsfr", "dist"),
		out:      filepath.Join(*root, "static", "dist"),
		manifest: map[string]string{},
	}
	if err := b.run(); err != nil {
		log.Fatalf("assets: %v", err)
	}
}

type builder struct {
	root, dsfr, out string
	manifest        map[string]string // logical name → fingerprinted name
	sizes           []string          // report lines
}

func (b *builder) run() error {
	if err := os.RemoveAll(b.out); err != nil {
		return err
	}
	used, err := usedClasses(filepath.Join(b.root, "views"), filepath.Join(b.root, "app", "web"))
	if err != nil {
		return err
	}
	d, err := loadDSFR(b.dsfr)
	if err != nil {
		return err
	}
	comps := d.components(used)
	icons := usedIcons(used)
	log.Printf("assets: DSFR components %s; %d icons", strings.Join(comps, " "), len(icons))

	css, err := b.dsfrCSS(d, comps, icons)
	if err != nil {
		return err
	}
	if err := b.add("dsfr/dsfr.css", css); err != nil {
		return err
	}
	js, err := d.moduleJS(comps)
	if err != nil {
		return err
	}
	if err := b.add("dsfr/dsfr.module.js", js); err != nil {
		return err
	}
	copies := map[string]string{
		"dsfr/dsfr.nomodule.js":             filepath.Join(b.dsfr, "dsfr.nomodule.min.js"),
		"dsfr/favicon/favicon.svg":          filepath.Join(b.dsfr, "favicon", "favicon.svg"),
		"dsfr/favicon/favicon.ico":          filepath.Join(b.dsfr, "favicon", "favicon.ico"),
		"dsfr/favicon/apple-touch-icon.png": filepath.Join(b.dsfr, "favicon", "apple-touch-icon.png"),
		"htmx/htmx.js":                      filepath.Join(b.root, "node_modules", "htmx.org", "dist", "htmx.min.js"),
	}
	for _, dir := range []string{"css", "js"} {
		entries, err := os.ReadDir(filepath.Join(b.root, "static", dir))
		if err != nil {
			return err
		}
		for _, e := range entries {
			copies[dir+"/"+e.Name()] = filepath.Join(b.root, "static", dir, e.Name())
		}
	}
	names := make([]string, 0, len(copies))
	for n := range copies {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		data, err := os.ReadFile(copies[n])
		if err != nil {
			return err
		}
		if strings.HasSuffix(n, ".css") {
			if data, err = b.rewriteURLs(data, copies[n]); err != nil {
				return err
			}
		}
		if err := b.add(n, data); err != nil {
			return err
		}
	}
	m, err := json.MarshalIndent(b.manifest, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(b.out, "manifest.json"), m, 0o644); err != nil {
		return err
	}
	for _, s := range b.sizes {
		log.Print(s)
	}
	return nil
}

// dsfrCSS is the core, the scheme, the components in dependency order and the
// rules of the used icons, with every url() pointing at a fingerprinted file.
func (b *builder) dsfrCSS(d *dsfr, comps []string, icons map[string]bool) ([]byte, error) {
	var out bytes.Buffer
	files := []string{filepath.Join(b.dsfr, "core", "core.main.min.css"), filepath.Join(b.dsfr, "scheme", "scheme.min.css")}
	for _, c := range comps {
		files = append(files, componentCSS(b.dsfr, c))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		data, err = b.rewriteURLs(data, f)
		if err != nil {
			return nil, err
		}
		out.Write(data)
		out.WriteByte('\n')
	}
	iconFile := filepath.Join(b.dsfr, "utility", "icons", "icons.main.min.css")
	data, err := os.ReadFile(iconFile)
	if err != nil {
		return nil, err
	}
	kept := filterRules(string(data), func(selectors string) bool {
		names := iconClass.FindAllString(selectors, -1)
		if len(names) == 0 {
			return true // generic rule of the icon utility
		}
		for _, n := range names {
			if icons[n] {
				return true
			}
		}
		return false
	})
	rewritten, err := b.rewriteURLs([]byte(kept), iconFile)
	if err != nil {
		return nil, err
	}
	out.Write(rewritten)
	return out.Bytes(), nil
}

var cssURL = regexp.MustCompile(`url\(\s*(['"]?)([^'")]+)(['"]?)\s*\)`)

// rewriteURLs replaces each relative url() of the CSS file src with the
// fingerprinted address of the file it names, adding that file to the build.
func (b *builder) rewriteURLs(css []byte, src string) ([]byte, error) {
	var firstErr error
	out := cssURL.ReplaceAllFunc(css, func(m []byte) []byte {
		sub := cssURL.FindSubmatch(m)
		ref := string(sub[2])
		if strings.HasPrefix(ref, "data:") || strings.Contains(ref, "://") || strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "#") {
			return m
		}
		suffix := ""
		if i := strings.IndexAny(ref, "?#"); i >= 0 {
			ref, suffix = ref[:i], ref[i:]
		}
		file := filepath.Clean(filepath.Join(filepath.Dir(src), ref))
		logical, err := b.logicalName(file)
		if err != nil {
			firstErr = err
			return m
		}
		if _, done := b.manifest[logical]; !done {
			data, err := os.ReadFile(file)
			if err != nil {
				firstErr = err
				return m
			}
			if err := b.add(logical, data); err != nil {
				firstErr = err
				return m
			}
		}
		return []byte("url(/static/" + b.manifest[logical] + suffix + ")")
	})
	return out, firstErr
}

// logicalName names a file of the DSFR or of static/ as it is served.
func (b *builder) logicalName(file string) (string, error) {
	if rel, err := filepath.Rel(b.dsfr, file); err == nil && !strings.HasPrefix(rel, "..") {
		return "dsfr/" + filepath.ToSlash(rel), nil
	}
	if rel, err := filepath.Rel(filepath.Join(b.root, "static"), file); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel), nil
	}
	return "", fmt.Errorf("%s is outside the DSFR and static/", file)
}

// compressible lists the extensions worth a brotli and a gzip copy (fonts
// and PNG images are compressed already).
var compressible = map[string]bool{".css": true, ".js": true, ".svg": true, ".ico": true, ".json": true, ".webmanifest": true}

// add writes data under its fingerprinted name, with its compressed copies.
func (b *builder) add(logical string, data []byte) error {
	sum := sha256.Sum256(data)
	ext := path.Ext(logical)
	name := strings.TrimSuffix(logical, ext) + "." + hex.EncodeToString(sum[:])[:10] + ext
	file := filepath.Join(b.out, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return err
	}
	b.manifest[logical] = name
	line := fmt.Sprintf("assets: %-40s %8d", logical, len(data))
	if compressible[ext] {
		var br, gz bytes.Buffer
		bw := brotli.NewWriterLevel(&br, brotli.BestCompression)
		gw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		for _, w := range []interface {
			Write([]byte) (int, error)
			Close() error
		}{bw, gw} {
			if _, err := w.Write(data); err != nil {
				return err
			}
			if err := w.Close(); err != nil {
				return err
			}
		}
		for suffix, c := range map[string][]byte{".br": br.Bytes(), ".gz": gz.Bytes()} {
			if len(c) < len(data) {
				if err := os.WriteFile(file+suffix, c, 0o644); err != nil {
					return err
				}
			}
		}
		line += fmt.Sprintf("  br %7d  gzip %7d", br.Len(), gz.Len())
	}
	if ext == ".css" || ext == ".js" {
		b.sizes = append(b.sizes, line)
	}
	return nil
}

// fsWalkFiles calls fn for every regular file under dir whose name ends in ext.
func fsWalkFiles(dir, ext string, fn func(path string) error) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ext) || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		return fn(p)
	})
}
