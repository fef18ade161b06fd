package accessibility

import "sort"

// AxeCriteria maps each axe-core rule that tests an RGAA criterion (in whole
// or in part) to that criterion. The browser test runs these rules on every
// page of the sample; "doctype" is the test's own check (RGAA 8.1).
var AxeCriteria = map[string][]string{
	"image-alt": {"1.1"}, "input-image-alt": {"1.1"}, "area-alt": {"1.1"}, "role-img-alt": {"1.1"},
	"svg-img-alt": {"1.1"}, "object-alt": {"1.1"},
	"presentation-role-conflict": {"1.2"},
	"frame-title":                {"2.1"}, "frame-title-unique": {"2.2"},
	"color-contrast": {"3.2"},
	"video-caption":  {"4.3"}, "no-autoplay-audio": {"4.10"},
	"th-has-data-cells": {"5.6"}, "td-headers-attr": {"5.7"}, "scope-attr-valid": {"5.7"},
	"link-name":         {"6.2"},
	"aria-allowed-attr": {"7.1"}, "aria-required-attr": {"7.1"}, "aria-required-children": {"7.1"},
	"aria-required-parent": {"7.1"}, "aria-roles": {"7.1"}, "aria-valid-attr": {"7.1"},
	"aria-valid-attr-value": {"7.1"}, "aria-hidden-body": {"7.1"}, "aria-hidden-focus": {"7.1"},
	"aria-command-name": {"7.1"}, "aria-toggle-field-name": {"7.1"}, "aria-prohibited-attr": {"7.1"},
	"aria-conditional-attr": {"7.1"}, "aria-deprecated-role": {"7.1"}, "aria-tooltip-name": {"7.1"},
	"aria-progressbar-name": {"7.1"}, "aria-meter-name": {"7.1"}, "nested-interactive": {"7.1"},
	"scrollable-region-focusable": {"7.3"},
	"doctype":                     {"8.1"},
	"html-has-lang":               {"8.3"}, "html-lang-valid": {"8.4"}, "html-xml-lang-mismatch": {"8.4"},
	"document-title": {"8.5"},
	"valid-lang":     {"8.8"},
	"list":           {"9.3"}, "listitem": {"9.3"}, "definition-list": {"9.3"}, "dlitem": {"9.3"},
	"meta-viewport":        {"10.4"},
	"avoid-inline-spacing": {"10.12"},
	"link-in-text-block":   {"10.6"},
	"label":                {"11.1"}, "select-name": {"11.1"}, "aria-input-field-name": {"11.1"},
	"button-name": {"11.9"}, "input-button-name": {"11.9"},
	"autocomplete-valid": {"11.13"},
	"bypass":             {"12.7"},
	"meta-refresh":       {"13.1"},
	"blink":              {"13.8"}, "marquee": {"13.8"},
}

// AxeRules lists the rules of AxeCriteria that axe-core runs, sorted.
func AxeRules() []string {
	var out []string
	for r := range AxeCriteria {
		if r != "doctype" {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

// Outcomes of one axe-core rule on a page.
const (
	AxeViolation   = "violation"
	AxePass        = "pass"
	AxeIncomplete  = "incomplete" // axe could not decide: left to the manual review
	AxeInapplicant = "inapplicable"
)

// FromAxe turns the outcome of each rule on one page into a result per
// criterion: non-conform when a rule found a violation; conform when a rule
// passed and none is undecided; not applicable when every rule was
// inapplicable; nothing (the manual review decides) otherwise.
func FromAxe(outcomes map[string]string) map[string]AutomatedCheck {
	byCriterion := map[string]map[string][]string{} // criterion → outcome → rules
	for rule, criteria := range AxeCriteria {
		outcome, ok := outcomes[rule]
		if !ok {
			outcome = AxeInapplicant
		}
		for _, c := range criteria {
			if byCriterion[c] == nil {
				byCriterion[c] = map[string][]string{}
			}
			byCriterion[c][outcome] = append(byCriterion[c][outcome], rule)
		}
	}
	out := map[string]AutomatedCheck{}
	for c, o := range byCriterion {
		var check AutomatedCheck
		switch {
		case len(o[AxeViolation]) > 0:
			check = AutomatedCheck{NotConform, o[AxeViolation]}
		case len(o[AxeIncomplete]) > 0:
			continue
		case len(o[AxePass]) > 0:
			check = AutomatedCheck{Conform, o[AxePass]}
		default:
			check = AutomatedCheck{NotApplies, o[AxeInapplicant]}
		}
		sort.Strings(check.Rules)
		out[c] = check
	}
	return out
}
