package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
)

// Renderer holds one parsed template set per page: the layout, the partials and
// the page file, which defines the blocks "title" and "main".
type Renderer struct {
	pages  map[string]*template.Template
	pool   sync.Pool
	frame  *template.Template // the layout with a marker for main (render_frame.go)
	frames frames
}

// NewRenderer parses every page found under fsys (files in sub-folders other
// than partials/). A page is named by its path without extension, e.g.
// "site/home".
func NewRenderer(fsys fs.FS, funcs template.FuncMap) (*Renderer, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys, "layout.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	r := &Renderer{pages: map[string]*template.Template{}}
	r.pool.New = func() any { return new(bytes.Buffer) }
	if r.frame, err = base.Clone(); err != nil {
		return nil, err
	}
	if _, err = r.frame.New("frame-main").Parse(`{{define "main"}}` + frameMain + `{{end}}`); err != nil {
		return nil, fmt.Errorf("parse frame: %w", err)
	}
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") || !strings.Contains(p, "/") || strings.HasPrefix(p, "partials/") {
			return err
		}
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if _, err := t.ParseFS(fsys, p); err != nil {
			return fmt.Errorf("parse %s: %w", p, err)
		}
		r.pages[strings.TrimSuffix(p, path.Ext(p))] = t
		return nil
	})
	return r, err
}

// Pages lists the names of the parsed pages.
func (r *Renderer) Pages() []string {
	names := make([]string, 0, len(r.pages))
	for n := range r.pages {
		names = append(names, n)
	}
	return names
}

// Render writes the page name with data into a buffer first, so that a
// template error gives a clean error page and never half a page.
func (r *Renderer) Render(c *fiber.Ctx, status int, name string, data any) error {
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("render: no page %q", name)
	}
	buf := r.pool.Get().(*bytes.Buffer)
	buf.Reset()
	defer r.pool.Put(buf)
	if err := r.execute(buf, t, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Response().SetBody(buf.Bytes()) // copies: buf goes back to the pool
	return nil
}

// execute writes the page t with data: for anonymous visitors, its main part
// inside the layout's frame; otherwise the whole layout through html/template.
func (r *Renderer) execute(buf *bytes.Buffer, t *template.Template, data any) error {
	if pd, ok := data.(pageHolder); ok {
		if p := pd.page(); p.User == nil {
			if f := r.frameFor(&p); f != nil {
				return f.write(buf, &p, func() error { return t.ExecuteTemplate(buf, "main", data) })
			}
		}
	}
	return t.ExecuteTemplate(buf, "layout.html", data)
}
