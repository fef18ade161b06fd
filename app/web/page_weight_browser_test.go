package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/cnr-numerique/concertation/app/seed/synthetic"
)

// transfer records what the browser downloads: the bytes received per
// request (headers and compressed body, as DevTools' "transferred").
type transfer struct {
	mu       sync.Mutex
	requests map[network.RequestID]*transferred
}

type transferred struct {
	url      string
	kind     network.ResourceType
	encoding string
	bytes    float64
	done     bool
}

func (tr *transfer) reset() {
	tr.mu.Lock()
	tr.requests = map[network.RequestID]*transferred{}
	tr.mu.Unlock()
}

func (tr *transfer) event(ev any) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		tr.requests[e.RequestID] = &transferred{url: e.Request.URL, kind: e.Type}
	case *network.EventResponseReceived:
		if r := tr.requests[e.RequestID]; r != nil {
			for k, v := range e.Response.Headers {
				if strings.EqualFold(k, "Content-Encoding") {
					r.encoding, _ = v.(string)
				}
			}
		}
	case *network.EventLoadingFinished:
		if r := tr.requests[e.RequestID]; r != nil {
			r.bytes, r.done = e.EncodedDataLength, true
		}
	case *network.EventLoadingFailed:
		if r := tr.requests[e.RequestID]; r != nil {
			r.done = true
		}
	}
}

// weight is what one page cost: bytes before fonts, font bytes, requests.
type weight struct {
	bytes, fonts float64
	requests     []*transferred
}

func (w weight) String() string {
	return fmt.Sprintf("%.1f KB (+ %.1f KB of fonts), %d requests", w.bytes/1000, w.fonts/1000, len(w.requests))
}

// measure loads url and returns what it transferred once every request ended.
func (tr *transfer) measure(t *testing.T, b *browser, url string) weight {
	t.Helper()
	tr.reset()
	b.run(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("footer")))
	deadline := time.Now().Add(30 * time.Second)
	for {
		tr.mu.Lock()
		var pending []string
		for _, r := range tr.requests {
			// The favicon is fetched by the browser itself, beside the page:
			// Chromium does not always report its end (about one load in
			// two here), so the page is not waited on for it.
			if !r.done && !(r.kind == network.ResourceTypeOther && strings.Contains(r.url, "/favicon")) {
				pending = append(pending, string(r.kind)+" "+r.url)
			}
		}
		tr.mu.Unlock()
		if len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d requests never ended: %v", url, len(pending), pending)
		}
		time.Sleep(20 * time.Millisecond) // polling the browser's requests
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var w weight
	for _, r := range tr.requests {
		w.requests = append(w.requests, r)
		if r.kind == network.ResourceTypeFont {
			w.fonts += r.bytes
		} else {
			w.bytes += r.bytes
		}
	}
	return w
}

// TestPageWeightInBrowser measures, in Chromium, what each kind of page
// transfers on a first visit (empty cache) and as a second page (after the
// home page), and the first contentful paint of a contribution page on a slow
// 3G connection (400 kbit/s, 400 ms). Budgets: home page first visit at most
// 200 KB before fonts, any second page at most 30 KB, first content of a
// contribution page under 5 s on slow 3G.
func TestPageWeightInBrowser(t *testing.T) {
	f := newModFix(t)
	ctx := context.Background()
	if _, err := synthetic.Load(ctx, f.deps.DB, synthetic.Options{Contributions: 300, Users: 300, Supports: 2000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	contribution := f.scalar(`SELECT id FROM contributions WHERE status = 'published' ORDER BY id LIMIT 1`)
	citizen := f.user("Camille")
	b := newBrowser(t, f.testApp)
	tr := &transfer{}
	tr.reset()
	if err := chromedp.Listen(b.ctx, tr.event); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	clearCache := func() {
		if _, err := chromedp.Call(b.ctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
	}
	pages := []struct{ kind, path string }{
		{"home", "/"},
		{"list", "/contributions"},
		{"contribution", fmt.Sprintf("/contributions/%d", contribution)},
		{"form", "/contributions/nouvelle"},
		{"statistics", "/statistiques"},
	}
	sess, err := f.deps.Sessions.Create(ctx, &citizen, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.run(chromedp.Navigate(b.base+"/accessibilite"),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf("document.cookie = 'session=%s; path=/'", sess.Token)))

	for _, p := range pages {
		clearCache()
		cold := tr.measure(t, b, b.base+p.path)
		clearCache()
		first := "/" // a first page, then this one as a second page
		if p.path == "/" {
			first = "/contributions"
		}
		tr.measure(t, b, b.base+first)
		warm := tr.measure(t, b, b.base+p.path)
		t.Logf("%-12s first visit: %s; as a second page: %s", p.kind, cold, warm)
		if p.kind == "home" && cold.bytes > 200_000 {
			t.Errorf("home page, first visit: %.1f KB before fonts, budget 200 KB", cold.bytes/1000)
		}
		if warm.bytes > 30_000 {
			t.Errorf("%s as a second page: %.1f KB, budget 30 KB", p.kind, warm.bytes/1000)
			for _, r := range warm.requests {
				t.Logf("  %s %.1f KB", r.url, r.bytes/1000)
			}
		}
		for _, r := range cold.requests {
			if strings.Contains(r.url, "nomodule") {
				t.Errorf("%s: a modern browser downloaded the nomodule script %s", p.kind, r.url)
			}
			// Static files come with brotli (compressed at build time), pages
			// with gzip (compressed per request: far cheaper, compress.go).
			if (strings.HasSuffix(r.url, ".css") || strings.HasSuffix(r.url, ".js")) && r.encoding != "br" {
				t.Errorf("%s: %s came with Content-Encoding %q, want br", p.kind, r.url, r.encoding)
			}
			if r.kind == network.ResourceTypeDocument && r.encoding != "gzip" {
				t.Errorf("%s: the page %s came with Content-Encoding %q, want gzip", p.kind, r.url, r.encoding)
			}
		}
	}

	// Slow 3G, empty cache, a contribution page.
	_, err = chromedp.Call(b.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Latency: 400, DownloadThroughput: 400_000 / 8, UploadThroughput: 400_000 / 8}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The best of two loads with an empty cache: the emulated network is
	// exact, but the browser shares the CPU with other tests.
	var slow weight
	ms := -1.0
	for range 2 {
		clearCache()
		slow = tr.measure(t, b, fmt.Sprintf("%s/contributions/%d", b.base, contribution))
		fcp := b.eval(`String(performance.getEntriesByName('first-contentful-paint').map(e => e.startTime)[0])`)
		var v float64
		if _, err := fmt.Sscan(fcp, &v); err != nil {
			t.Fatalf("first contentful paint: %q", fcp)
		}
		if ms < 0 || v < ms {
			ms = v
		}
	}
	t.Logf("contribution page on slow 3G (400 kbit/s, 400 ms), empty cache: first contentful paint %.0f ms (best of 2); %s", ms, slow)
	if ms >= 5000 {
		t.Errorf("first contentful paint on slow 3G: %.0f ms, budget 5000 ms", ms)
	}
}

// TestReducedDSFRScriptWorks checks that the DSFR script built from the core
// and the components the pages use still drives them: on a phone-sized
// screen the menu button opens the menu, and the breadcrumb button unfolds.
func TestReducedDSFRScriptWorks(t *testing.T) {
	a := newTestApp(t, nil)
	b := newBrowser(t, a)
	b.run(chromedp.EmulateViewport(375, 740),
		chromedp.Navigate(b.base+"/axes/formation-structuration-filiere"),
		chromedp.WaitVisible(chromedp.CSS("#bouton-menu")),
		chromedp.Click(chromedp.CSS("#bouton-menu")),
		chromedp.WaitVisible(chromedp.CSS(`#menu-principal a[href="/contributions"]`)),
		chromedp.Click(chromedp.CSS(`#menu-principal .fr-btn--close`)),
	)
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`!document.querySelector('#menu-principal').classList.contains('fr-modal--opened')`)); err != nil {
		t.Fatalf("the menu does not close: %v", err)
	}
	b.run(chromedp.Click(chromedp.CSS(`.fr-breadcrumb__button`)), chromedp.WaitVisible(chromedp.CSS(`#fil-ariane a[href="/"]`)))
	// The DSFR sets aria-expanded when its disclosure has run, a moment
	// after the links show: poll it.
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.querySelector('.fr-breadcrumb__button').getAttribute('aria-expanded') === 'true'`)); err != nil {
		t.Errorf("breadcrumb button aria-expanded = %q after a click: %v",
			b.eval(`document.querySelector('.fr-breadcrumb__button').getAttribute('aria-expanded')`), err)
	}
}

// TestSupportButtonEnhancedByHTMX checks that htmx, now loaded by the layout
// and driven by data-hx-* attributes (valid HTML), still enhances the support
// button: the count changes in place, the page is not reloaded.
func TestSupportButtonEnhancedByHTMX(t *testing.T) {
	f := newModFix(t)
	author, citizen := f.user("Autrice"), f.user("Citoyen")
	c := f.contribution(author, "Un atelier numérique dans chaque mairie")
	b := newBrowser(t, f.testApp)
	base, err := url.Parse(b.base)
	if err != nil {
		t.Fatal(err)
	}
	*f.deps.Config.BaseURL = *base // forms are checked against this origin
	sess, err := f.deps.Sessions.Create(context.Background(), &citizen, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.run(chromedp.Navigate(b.base+"/accessibilite"),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf("document.cookie = 'session=%s; path=/'", sess.Token)),
		chromedp.Navigate(fmt.Sprintf("%s/contributions/%d", b.base, c)),
		chromedp.WaitVisible(chromedp.CSS("form.support button")),
		chromedp.Evaluate[chromedp.Void]("window.marker = 'same page'"),
		chromedp.Click(chromedp.CSS("form.support button")),
	)
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.querySelector('.support__count strong').textContent === '1'`)); err != nil {
		t.Fatalf("the count did not change: %v", err)
	}
	if got := b.eval(`String(window.marker)`); got != "same page" {
		t.Errorf("the page was reloaded (marker %q): htmx did not take the click", got)
	}
	if n := f.scalar(`SELECT count(*) FROM supports WHERE contribution_id = ?`, c); n != 1 {
		t.Errorf("%d supports stored", n)
	}
}
