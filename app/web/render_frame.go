package web

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// The layout around the main part of a page (head, header, navigation,
// phase banner, footer) is the same for every anonymous visitor but for the
// page's title and the CSRF token. It is rendered once by html/template with
// markers in their place, cut at the markers, and then written around each
// anonymous page's main part with the two values escaped as html/template
// escapes them. Walking the layout's template took a sixth of the CPU of a
// contribution page. TestFrameEqualsLayout compares both ways on hostile
// titles, every phase and every navigation entry.

const (
	frameCSRF  = "\ue000csrf\ue000" // private-use characters: no escaper touches them
	frameTitle = "\ue000title\ue000"
	frameMain  = "\ue000main\ue000"
)

// frame is the layout cut at its markers: head, CSRF, mid, title, beforeMain,
// main, tail (mid and the title are joined when the page has no title).
type frame struct {
	head, mid, beforeMain, tail string
	titled                      bool

	deflateOnce sync.Once
	deflated    *frameDeflated
}

// frameDeflated is a frame's fixed parts compressed for gzipPage, around a
// main part written as the template "main" of a contribution page writes
// its HTML (a line before and after).
type frameDeflated struct {
	head, mid, beforeMain, tail deflated
	size                        int // their compressed bytes
}

// deflatedParts returns f's parts compressed, compressing them once.
func (f *frame) deflatedParts() *frameDeflated {
	f.deflateOnce.Do(func() {
		z := &frameDeflated{head: deflate(f.head), mid: deflate(f.mid), beforeMain: deflate(f.beforeMain + "\n"), tail: deflate("\n" + f.tail)}
		z.size = len(z.head.data) + len(z.mid.data) + len(z.beforeMain.data) + len(z.tail.data)
		f.deflated = z
	})
	return f.deflated
}

// frames keeps the frames by what changes them: the navigation entry of the
// path, whether the page has a title, the phase and the consultation's axes
// and dates.
type frames struct {
	mu sync.RWMutex
	m  map[string]*frame
}

// pageHolder is implemented by every page's data through its embedded Page.
type pageHolder interface{ page() Page }

func (p Page) page() Page { return p }

// frameKey is what the layout of p depends on.
func frameKey(p *Page) string {
	var b strings.Builder
	b.Grow(96)
	b.WriteString(navPath(p))
	b.WriteByte('|')
	if p.Title != "" {
		b.WriteByte('t')
	}
	b.WriteByte('|')
	b.WriteString(strconv.Itoa(int(p.Phase)))
	b.WriteByte('|')
	b.WriteString(strconv.FormatInt(p.Consultation.ID, 10))
	b.WriteByte('|')
	b.WriteString(strconv.FormatInt(p.Consultation.OpensAt.UnixNano(), 10))
	for _, a := range p.Consultation.Axes {
		b.WriteByte('|')
		b.WriteString(strconv.Itoa(a.Position))
		b.WriteByte(':')
		b.WriteString(a.Slug)
	}
	return b.String()
}

// navPath is the path as the navigation sees it: the entry it marks as
// current, or "" for any other page.
func navPath(p *Page) string {
	switch p.Path {
	case "/", "/contributions", "/hubs", "/statistiques":
		return p.Path
	}
	if slug, ok := strings.CutPrefix(p.Path, "/axes/"); ok {
		for _, a := range p.Consultation.Axes {
			if a.Slug == slug {
				return p.Path
			}
		}
	}
	return ""
}

// frameFor returns the frame for the anonymous page p, building it once;
// nil when the layout does not cut cleanly (then the page is rendered whole).
func (r *Renderer) frameFor(p *Page) *frame {
	key := frameKey(p)
	r.frames.mu.RLock()
	f, ok := r.frames.m[key]
	r.frames.mu.RUnlock()
	if ok {
		return f
	}
	f, err := r.buildFrame(p)
	if err != nil {
		f = nil // rendered whole, as before frames
	}
	r.frames.mu.Lock()
	if r.frames.m == nil {
		r.frames.m = map[string]*frame{}
	}
	if len(r.frames.m) > 1000 { // consultation edits make new keys: never grow without end
		clear(r.frames.m)
	}
	r.frames.m[key] = f
	r.frames.mu.Unlock()
	return f
}

func (r *Renderer) buildFrame(p *Page) (*frame, error) {
	if r.frame == nil {
		return nil, fmt.Errorf("no frame template")
	}
	fp := Page{Path: navPath(p), Consultation: p.Consultation, Phase: p.Phase, CSRF: frameCSRF}
	if p.Title != "" {
		fp.Title = frameTitle
	}
	var buf bytes.Buffer
	if err := r.frame.ExecuteTemplate(&buf, "layout.html", fp); err != nil {
		return nil, err
	}
	s := buf.String()
	cut := func(marker string) (string, error) {
		if strings.Count(s, marker) != 1 {
			return "", fmt.Errorf("frame: marker %q found %d times", marker, strings.Count(s, marker))
		}
		before, after, _ := strings.Cut(s, marker)
		s = after
		return before, nil
	}
	f := &frame{titled: p.Title != ""}
	var err error
	if f.head, err = cut(frameCSRF); err != nil {
		return nil, err
	}
	if f.titled {
		if f.mid, err = cut(frameTitle); err != nil {
			return nil, err
		}
	}
	if f.beforeMain, err = cut(frameMain); err != nil {
		return nil, err
	}
	f.tail = s
	return f, nil
}

// write writes the page: the frame around the main part that main writes.
func (f *frame) write(buf *bytes.Buffer, p *Page, main func() error) error {
	buf.WriteString(f.head)
	escapeHTML(buf, p.CSRF)
	buf.WriteString(f.mid)
	if f.titled {
		escapeHTML(buf, p.Title)
	}
	buf.WriteString(f.beforeMain)
	if err := main(); err != nil {
		return err
	}
	buf.WriteString(f.tail)
	return nil
}
