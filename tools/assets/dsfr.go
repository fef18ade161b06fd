package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// frClass matches a DSFR class name (fr-btn, fr-btn--secondary,
// fr-header__brand, fr-icon-add-line…) wherever it appears.
var frClass = regexp.MustCompile(`\bfr-[a-z0-9][a-z0-9_-]*`)

// iconClass matches the class of one DSFR icon.
var iconClass = regexp.MustCompile(`fr-(?:icon|fi)-[a-z0-9-]+`)

// usedClasses returns the fr-* classes written in the templates (.html) and
// in the handlers (.go, tests excluded) under dirs.
func usedClasses(dirs ...string) (map[string]bool, error) {
	used := map[string]bool{}
	for _, dir := range dirs {
		for _, ext := range []string{".html", ".go"} {
			err := fsWalkFiles(dir, ext, func(p string) error {
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				for _, c := range frClass.FindAllString(string(data), -1) {
					used[strings.TrimRight(c, "-_")] = true
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return used, nil
}

// usedIcons keeps the icon classes of used.
func usedIcons(used map[string]bool) map[string]bool {
	icons := map[string]bool{}
	for c := range used {
		if iconClass.MatchString(c) && iconClass.FindString(c) == c {
			icons[c] = true
		}
	}
	return icons
}

// dsfr describes the DSFR package: which classes each component defines and
// the dependencies its README lists.
type dsfr struct {
	dir    string
	owners map[string][]string // class → components whose rules start with it
	core   map[string]bool     // classes defined by the core
	cssDep map[string][]string // component → components to load first, itself last
	jsDep  map[string][]string // component → module scripts to load first, itself last
}

var (
	readmeCSS = regexp.MustCompile(`href="css/([a-z]+)/[a-z]+\.min\.css"`)
	readmeJS  = regexp.MustCompile(`type="module" src="js/([a-z]+)/[a-z]+\.module\.min\.js"`)
)

func loadDSFR(dir string) (*dsfr, error) {
	d := &dsfr{dir: dir, owners: map[string][]string{}, core: map[string]bool{},
		cssDep: map[string][]string{}, jsDep: map[string][]string{}}
	core, err := os.ReadFile(filepath.Join(dir, "core", "core.main.min.css"))
	if err != nil {
		return nil, fmt.Errorf("DSFR missing (npm ci installs it): %w", err)
	}
	for c := range leadingClasses(string(core)) {
		d.core[c] = true
	}
	entries, err := os.ReadDir(filepath.Join(dir, "component"))
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		css, err := os.ReadFile(componentCSS(dir, name))
		if err != nil {
			return nil, err
		}
		for c := range leadingClasses(string(css)) {
			d.owners[c] = append(d.owners[c], name)
		}
		readme, err := os.ReadFile(filepath.Join(dir, "component", name, "README.md"))
		if err != nil {
			return nil, err
		}
		for _, m := range readmeCSS.FindAllStringSubmatch(string(readme), -1) {
			if m[1] != "core" {
				d.cssDep[name] = append(d.cssDep[name], m[1])
			}
		}
		for _, m := range readmeJS.FindAllStringSubmatch(string(readme), -1) {
			if m[1] != "core" {
				d.jsDep[name] = append(d.jsDep[name], m[1])
			}
		}
	}
	return d, nil
}

// components returns the components that define a used class, with their
// dependencies, each after the ones it needs.
func (d *dsfr) components(used map[string]bool) []string {
	need := map[string]bool{}
	for c := range used {
		if d.core[c] {
			continue
		}
		for _, comp := range d.owners[c] {
			need[comp] = true
		}
	}
	names := make([]string, 0, len(need))
	for n := range need {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		deps := d.cssDep[n]
		if len(deps) == 0 {
			deps = []string{n}
		}
		for _, dep := range deps {
			if !seen[dep] {
				seen[dep] = true
				out = append(out, dep)
			}
		}
	}
	return out
}

// moduleJS is the core module script, the scheme's and those of comps (with
// the scripts they need), each in its own block so that their top-level
// names do not collide once in one file.
func (d *dsfr) moduleJS(comps []string) ([]byte, error) {
	files := []string{filepath.Join(d.dir, "core", "core.module.min.js"), filepath.Join(d.dir, "scheme", "scheme.module.min.js")}
	seen := map[string]bool{}
	for _, c := range comps {
		for _, dep := range d.jsDep[c] {
			f := filepath.Join(d.dir, "component", dep, dep+".module.min.js")
			if seen[dep] {
				continue
			}
			seen[dep] = true
			if _, err := os.Stat(f); err == nil {
				files = append(files, f)
			}
		}
	}
	var out bytes.Buffer
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			out.Write(data) // the core defines window.dsfr for the others
			out.WriteString("\n")
			continue
		}
		out.WriteString("{\n")
		out.Write(data)
		out.WriteString("\n}\n")
	}
	return out.Bytes(), nil
}

// leadingClasses returns the classes that start a selector of css (".fr-btn"
// in ".fr-btn--secondary:hover", but not ".fr-btn" in ".fr-header .fr-btn"):
// the classes a stylesheet defines rather than adjusts.
func leadingClasses(css string) map[string]bool {
	out := map[string]bool{}
	walkRules(css, func(selectors string) {
		for _, sel := range strings.Split(selectors, ",") {
			sel = strings.TrimSpace(sel)
			if end := strings.IndexAny(sel, " >+~"); end >= 0 {
				sel = sel[:end]
			}
			for _, m := range frClass.FindAllString(sel, -1) {
				if strings.Contains(sel, "."+m) {
					out[m] = true
				}
			}
		}
	})
	return out
}

// walkRules calls fn with the selectors of every style rule of css, inside
// @media and @supports blocks too.
func walkRules(css string, fn func(selectors string)) {
	filterRules(css, func(selectors string) bool { fn(selectors); return true })
}

// filterRules returns css without the style rules whose selectors keep
// refuses; conditional at-rules (@media, @supports) are filtered inside and
// dropped when empty; comments and other at-rules (@font-face, @keyframes)
// are kept whole.
func filterRules(css string, keep func(selectors string) bool) string {
	var out strings.Builder
	i := 0
	for i < len(css) {
		switch {
		case css[i] == ' ' || css[i] == '\n' || css[i] == '\t' || css[i] == '\r':
			i++
		case strings.HasPrefix(css[i:], "/*"):
			end := strings.Index(css[i+2:], "*/")
			if end < 0 {
				return out.String() + css[i:]
			}
			out.WriteString(css[i : i+2+end+2])
			i += 2 + end + 2
		case css[i] == '@':
			open := indexOutsideStrings(css, i, "{;")
			if open < 0 {
				return out.String() + css[i:]
			}
			if css[open] == ';' {
				out.WriteString(css[i : open+1])
				i = open + 1
				continue
			}
			close := matchBrace(css, open)
			prelude := css[i:open]
			if strings.HasPrefix(prelude, "@media") || strings.HasPrefix(prelude, "@supports") || strings.HasPrefix(prelude, "@layer") || strings.HasPrefix(prelude, "@container") {
				if inner := filterRules(css[open+1:close], keep); strings.TrimSpace(inner) != "" {
					out.WriteString(prelude + "{" + inner + "}")
				}
			} else {
				out.WriteString(css[i : close+1])
			}
			i = close + 1
		default:
			open := indexOutsideStrings(css, i, "{")
			if open < 0 {
				return out.String()
			}
			close := matchBrace(css, open)
			if keep(css[i:open]) {
				out.WriteString(css[i : close+1])
			}
			i = close + 1
		}
	}
	return out.String()
}

// indexOutsideStrings returns the index of the first byte of any in css at or
// after from that is not inside a quoted string, or -1.
func indexOutsideStrings(css string, from int, any string) int {
	var quote byte
	for i := from; i < len(css); i++ {
		c := css[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case strings.IndexByte(any, c) >= 0:
			return i
		}
	}
	return -1
}

// matchBrace returns the index of the brace closing the one at open (the end
// of css when unbalanced), skipping strings and comments.
func matchBrace(css string, open int) int {
	depth := 0
	var quote byte
	for i := open; i < len(css); i++ {
		c := css[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '/' && i+1 < len(css) && css[i+1] == '*':
			if end := strings.Index(css[i+2:], "*/"); end >= 0 {
				i += end + 3
			}
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(css) - 1
}

// componentCSS is the stylesheet of a component without the rules for old
// browsers (.main.min.css), or its only stylesheet when it has no such split.
func componentCSS(dir, name string) string {
	main := filepath.Join(dir, "component", name, name+".main.min.css")
	if _, err := os.Stat(main); err == nil {
		return main
	}
	return filepath.Join(dir, "component", name, name+".min.css")
}
