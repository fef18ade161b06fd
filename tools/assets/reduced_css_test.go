package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// classIn finds the class selectors of a stylesheet.
var classIn = regexp.MustCompile(`\.(fr-[a-zA-Z0-9_-]+)`)

// classToken finds class-like words in templates and Go source.
var classToken = regexp.MustCompile(`fr-[a-z0-9][a-z0-9_-]*[a-z0-9]`)

func cssClasses(t *testing.T, files ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("%v (run make assets)", err)
		}
		for _, m := range classIn.FindAllStringSubmatch(string(data), -1) {
			out[m[1]] = true
		}
	}
	return out
}

// missingClasses returns the used classes that the full DSFR defines but the
// reduced stylesheet lacks, sorted.
func missingClasses(used, full, reduced map[string]bool) []string {
	var out []string
	for c := range used {
		if full[c] && !reduced[c] {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// TestReducedCSSHasEveryClassTheTemplatesUse fails when a template or a
// handler uses a DSFR component or icon class that static/dist's reduced
// stylesheet lacks: the build missed a component, or make assets was not run
// after the template changed.
func TestReducedCSSHasEveryClassTheTemplatesUse(t *testing.T) {
	root := filepath.Join("..", "..")
	used := map[string]bool{}
	for _, dir := range []string{"views", filepath.Join("app", "web")} {
		err := filepath.Walk(filepath.Join(root, dir), func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() || strings.HasSuffix(p, "_test.go") || !(strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".go")) {
				return err
			}
			data, err := os.ReadFile(p)
			for _, c := range classToken.FindAllString(string(data), -1) {
				used[c] = true
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	dsfrDist := filepath.Join(root, "node_modules", "@gouvfr", "dsfr", "dist")
	full := cssClasses(t, filepath.Join(dsfrDist, "dsfr.main.min.css"), filepath.Join(dsfrDist, "utility", "icons", "icons.main.min.css"))
	raw, err := os.ReadFile(filepath.Join(root, "static", "dist", "manifest.json"))
	if err != nil {
		t.Fatalf("%v (run make assets)", err)
	}
	var manifest map[string]string
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatal(err)
	}
	reduced := cssClasses(t, filepath.Join(root, "static", "dist", filepath.FromSlash(manifest["dsfr/dsfr.css"])))
	if missing := missingClasses(used, full, reduced); len(missing) > 0 {
		t.Errorf("classes used by the templates but missing from the reduced DSFR stylesheet (run make assets; if it persists, tools/assets misses their component): %s", strings.Join(missing, " "))
	}
	if len(reduced) >= len(full) {
		t.Errorf("the reduced stylesheet defines %d classes, the whole DSFR %d: nothing was left out", len(reduced), len(full))
	}
}

func TestMissingClasses(t *testing.T) {
	used := map[string]bool{"fr-btn": true, "fr-accordion": true, "fr-icon-add-line": true, "fr-mine": true}
	full := map[string]bool{"fr-btn": true, "fr-accordion": true, "fr-icon-add-line": true, "fr-tabs": true}
	reduced := map[string]bool{"fr-btn": true}
	got := strings.Join(missingClasses(used, full, reduced), " ")
	if got != "fr-accordion fr-icon-add-line" {
		t.Errorf("missingClasses = %q", got)
	}
}

func TestFilterRulesKeepsUsedIconsOnly(t *testing.T) {
	css := `/*! c */.fr-icon-a:before{mask:url(a.svg)}.fr-icon-b:before,.fr-icon-b:after{content:"}{"}` +
		`@media (min-width:1px){.fr-icon-b{x:y}.fr-icon-a{x:z}}@font-face{font-family:M}.fr-icon--sm:before{w:1}`
	got := filterRules(css, func(sel string) bool { return !strings.Contains(sel, "fr-icon-b") })
	want := `/*! c */.fr-icon-a:before{mask:url(a.svg)}@media (min-width:1px){.fr-icon-a{x:z}}@font-face{font-family:M}.fr-icon--sm:before{w:1}`
	if got != want {
		t.Errorf("filterRules:\n got %s\nwant %s", got, want)
	}
}

func TestLeadingClasses(t *testing.T) {
	got := leadingClasses(`.fr-btn,.fr-btn--sm:hover{a:b}.fr-header .fr-btn{c:d}@media (x){a.fr-link>.fr-x{e:f}}`)
	var names []string
	for c := range got {
		names = append(names, c)
	}
	sort.Strings(names)
	if strings.Join(names, " ") != "fr-btn fr-btn--sm fr-header fr-link" {
		t.Errorf("leadingClasses = %v", names)
	}
}
