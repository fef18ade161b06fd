package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/cnr-numerique/concertation/app/accessibility"
)

// auditAutomatedFile is the automated part of the accessibility declaration,
// embedded by app/accessibility.
func auditAutomatedFile() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "accessibility", "audit_automated.json")
}

// TestAccessibilityAuditInBrowser runs the axe-core rules mapped to RGAA
// criteria (and the doctype check) on every page of the declaration's sample,
// turns them into a result per criterion and page, and compares with the
// automated part that the declaration shows (app/accessibility/
// audit_automated.json): the test fails when the pages and the declaration
// differ. UPDATE_AUDIT=1 rewrites the file from this run.
func TestAccessibilityAuditInBrowser(t *testing.T) {
	f := newModFix(t)
	author := f.user("Autrice")
	contribution := f.contribution(author, "Former les aidants numériques dans chaque département")
	f.argument(contribution, author, "Les aidants manquent de temps pour se former.")
	sample, err := accessibility.Sample()
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, f.testApp)
	_, file, _, _ := runtime.Caller(0)
	axeSrc, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core missing (npm ci installs it): %v", err)
	}
	rules, err := json.Marshal(accessibility.AxeRules())
	if err != nil {
		t.Fatal(err)
	}
	got := accessibility.Automated{Pages: map[string]map[string]accessibility.AutomatedCheck{}}
	signedIn := false
	for _, p := range sample {
		if p.Key == "formulaire" && !signedIn {
			sess, err := f.deps.Sessions.Create(t.Context(), &author, nil)
			if err != nil {
				t.Fatal(err)
			}
			b.run(chromedp.Navigate(b.base+"/accessibilite"),
				chromedp.Evaluate[chromedp.Void](fmt.Sprintf("document.cookie = 'session=%s; path=/'", sess.Token)))
			signedIn = true
		}
		path := strings.ReplaceAll(p.Path, "{contribution}", fmt.Sprint(contribution))
		b.run(chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS("footer")), chromedp.Evaluate[chromedp.Void](string(axeSrc)))
		raw := b.eval(`axe.run(document, {runOnly: {type: 'rule', values: ` + string(rules) + `}, resultTypes: ['violations']}).then(r => JSON.stringify({
			version: axe.version,
			violation: r.violations.map(x => x.id), pass: r.passes.map(x => x.id),
			incomplete: r.incomplete.map(x => x.id), inapplicable: r.inapplicable.map(x => x.id),
			doctype: !!document.doctype && document.doctype.name === 'html'}))`)
		var res struct {
			Version                                   string
			Violation, Pass, Incomplete, Inapplicable []string
			Doctype                                   bool
		}
		if err := json.Unmarshal([]byte(raw), &res); err != nil {
			t.Fatalf("%s: axe result: %v", p.Key, err)
		}
		got.Axe = res.Version
		outcomes := map[string]string{"doctype": accessibility.AxeViolation}
		if res.Doctype {
			outcomes["doctype"] = accessibility.AxePass
		}
		// Ordered so that a rule both passed and undecided counts as undecided,
		// and a violation wins over everything.
		for _, group := range []struct {
			ids     []string
			outcome string
		}{{res.Inapplicable, accessibility.AxeInapplicant}, {res.Pass, accessibility.AxePass},
			{res.Incomplete, accessibility.AxeIncomplete}, {res.Violation, accessibility.AxeViolation}} {
			for _, id := range group.ids {
				outcomes[id] = group.outcome
			}
		}
		got.Pages[p.Key] = accessibility.FromAxe(outcomes)
	}
	out, err := json.MarshalIndent(got, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, '\n')
	if os.Getenv("UPDATE_AUDIT") != "" {
		if err := os.WriteFile(auditAutomatedFile(), out, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", auditAutomatedFile())
		return
	}
	want, err := os.ReadFile(auditAutomatedFile())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, out) {
		t.Errorf("the automated part of the accessibility declaration (%s) no longer matches the pages: check the difference, then run UPDATE_AUDIT=1 go test ./app/web -run TestAccessibilityAuditInBrowser\nthis run:\n%s", auditAutomatedFile(), out)
	}
	audit, err := accessibility.Current()
	if err != nil {
		t.Fatal(err)
	}
	if audit.NotTested > 0 {
		for _, r := range audit.Rows {
			if r.Overall == accessibility.NotTested {
				t.Errorf("criterion %s is decided neither by axe-core nor by the manual review", r.ID)
			}
		}
	}
}
