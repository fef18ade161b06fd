package web

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser is a headless Chromium driving the platform served on a loopback
// port, for page journeys and accessibility checks with axe-core.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// newBrowser serves a's application on a free loopback port and starts a
// headless Chromium. Both stop at the end of the test.
func newBrowser(t *testing.T, a *testApp) *browser {
	t.Helper()
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				chromium = p
				break
			}
		}
	}
	if chromium == "" {
		t.Fatal("no Chromium found: install Debian's chromium package (.ci/run does) or set CHROMIUM")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.app.Listener(ln) }()
	t.Cleanup(func() { _ = a.app.Shutdown() })

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(ctx); err != nil { // starts the browser: no timeout on this first call
		cancelCtx()
		cancelAlloc()
		t.Fatalf("start Chromium: %v", err)
	}
	// A bound on the whole journey against a hang, not a measure: the
	// longest journeys (moderation, with axe-core on each page) once ran past
	// 90 s on the 2-core machine under the whole suite.
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return &browser{t: t, ctx: ctx, base: "http://" + ln.Addr().String()}
}

// run runs chromedp actions in order and fails the test on error.
func (b *browser) run(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// text returns the visible text of the first element matching the CSS selector.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatal(err)
	}
	return strings.TrimSpace(s)
}

// eval evaluates a JavaScript expression (awaiting a promise) and returns its
// result as a string.
func (b *browser) eval(expr string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any `json:"target"`
		} `json:"nodes"`
	} `json:"violations"`
}

// checkA11y runs axe-core (WCAG 2.1 A and AA rules) on the current page and
// fails the test for every violation.
func (b *browser) checkA11y(page string) {
	b.t.Helper()
	_, file, _, _ := runtime.Caller(0)
	axePath := filepath.Join(filepath.Dir(file), "..", "..", "node_modules", "axe-core", "axe.min.js")
	src, err := os.ReadFile(axePath)
	if err != nil {
		b.t.Fatalf("axe-core missing (npm ci installs it): %v", err)
	}
	b.run(chromedp.Evaluate[chromedp.Void](string(src)))
	raw := b.eval(`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then(r => JSON.stringify({violations: r.violations}))`)
	var res axeResult
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		b.t.Fatalf("axe result: %v", err)
	}
	for _, v := range res.Violations {
		var targets []string
		for _, n := range v.Nodes {
			for _, tg := range n.Target {
				if s, ok := tg.(string); ok {
					targets = append(targets, s)
				}
			}
		}
		b.t.Errorf("%s: accessibility violation %s (%s): %s at %s", page, v.ID, v.Impact, v.Help, strings.Join(targets, ", "))
	}
}
