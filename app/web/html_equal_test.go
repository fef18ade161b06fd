package web

import (
	"html/template"
	"strings"
	"testing"
)

// The pages written by Go instead of html/template (card_html.go,
// list_html.go, contribution_html.go, render_frame.go) are checked against
// their templates on these texts, made to be escaped.
var hostileTexts = []string{"", "Médiation & <b>inclusion</b>", `"guillemets" et 'apostrophes' + plus`, "nul\x00octet",
	"é€😀 > fin\n\nsecond paragraphe", "<script>alert(1)</script>", "a+b=c&d %41 /?#[]"}

// pageTemplate returns the parsed template set of the page name.
func pageTemplate(t *testing.T, name string) *template.Template {
	t.Helper()
	r, err := NewRenderer(viewsFS(), templateFuncs())
	if err != nil {
		t.Fatal(err)
	}
	return r.pages[name]
}

// sameHTML fails the test at the first line where got, written by Go,
// differs from want, written by the template.
func sameHTML(t *testing.T, what, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for l := range min(len(g), len(w)) {
		if g[l] != w[l] {
			t.Fatalf("%s: line %d differs:\n go:       %q\n template: %q", what, l+1, g[l], w[l])
		}
	}
	t.Fatalf("%s: %d lines from Go, %d from the template", what, len(g), len(w))
}
