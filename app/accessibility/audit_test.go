package accessibility

import (
	"strings"
	"testing"
)

func TestComputeAggregatesPerCriterionOverTheSample(t *testing.T) {
	criteria := []Criterion{{ID: "1.1"}, {ID: "1.2"}, {ID: "2.1"}, {ID: "3.1"}, {ID: "3.2"}}
	m := Manual{
		Pages: []PageType{{Key: "a"}, {Key: "b"}},
		Criteria: map[string]ManualCheck{
			"1.2": {Result: NotApplies, Pages: map[string]string{"b": Conform}}, // C on one page, NA elsewhere: C
			"2.1": {Result: NotApplies},                                         // NA everywhere
			"3.1": {Result: Conform, Pages: map[string]string{"a": NotConform}}, // NC on one page: NC
		},
	}
	auto := Automated{Pages: map[string]map[string]AutomatedCheck{
		"a": {"1.1": {Result: Conform}, "3.2": {Result: Conform}},
		"b": {"1.1": {Result: NotApplies}, "3.2": {Result: NotConform}}, // axe's violation wins
	}}
	a, err := Compute(criteria, m, auto)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range a.Rows {
		got = append(got, r.ID+"="+r.Overall)
	}
	if strings.Join(got, " ") != "1.1=C 1.2=C 2.1=NA 3.1=NC 3.2=NC" {
		t.Errorf("overall results: %v", got)
	}
	if a.Conform != 2 || a.NotConform != 2 || a.NotApplicable != 1 || a.Rate != 50 || a.Status() != "partiellement conforme" {
		t.Errorf("C %d NC %d NA %d rate %d status %q", a.Conform, a.NotConform, a.NotApplicable, a.Rate, a.Status())
	}
	if a.Rows[4].Cells[1].By != "axe-core" || a.Rows[3].Cells[0].By != "revue manuelle" {
		t.Errorf("cells decided by %q and %q", a.Rows[4].Cells[1].By, a.Rows[3].Cells[0].By)
	}
	if len(a.NonConformities) != 2 || a.NonConformities[0].ID != "3.1" {
		t.Errorf("non-conformities: %+v", a.NonConformities)
	}
}

func TestStatusFollowsTheRate(t *testing.T) {
	for _, tc := range []struct {
		a    Audit
		want string
	}{
		{Audit{Rows: make([]Row, 1), Rate: 100}, "totalement conforme"},
		{Audit{Rows: make([]Row, 1), Rate: 99}, "partiellement conforme"},
		{Audit{Rows: make([]Row, 1), Rate: 50}, "partiellement conforme"},
		{Audit{Rows: make([]Row, 1), Rate: 49}, "non conforme"},
		{Audit{Rows: make([]Row, 1), Rate: 100, NotTested: 1}, "non conforme"},
		{Audit{}, "non conforme"},
	} {
		if got := tc.a.Status(); got != tc.want {
			t.Errorf("rate %d, not tested %d: %q, want %q", tc.a.Rate, tc.a.NotTested, got, tc.want)
		}
	}
}

func TestComputeRefusesAnUnknownResult(t *testing.T) {
	_, err := Compute(nil, Manual{Criteria: map[string]ManualCheck{"1.1": {Result: "OK"}}}, Automated{})
	if err == nil {
		t.Error("a manual result other than C, NC or NA was accepted")
	}
}

func TestFromAxe(t *testing.T) {
	got := FromAxe(map[string]string{
		"image-alt": AxePass, "role-img-alt": AxeViolation, // 1.1: a violation wins
		"color-contrast": AxeIncomplete,                          // 3.2: undecided, left to the manual review
		"link-name":      AxePass,                                // 6.2
		"label":          AxePass, "select-name": AxeInapplicant, // 11.1: pass
	})
	if c := got["1.1"]; c.Result != NotConform || strings.Join(c.Rules, ",") != "role-img-alt" {
		t.Errorf("1.1 = %+v", c)
	}
	if _, ok := got["3.2"]; ok {
		t.Errorf("3.2 decided by an incomplete rule: %+v", got["3.2"])
	}
	if got["6.2"].Result != Conform || got["11.1"].Result != Conform || got["2.1"].Result != NotApplies {
		t.Errorf("6.2 %+v, 11.1 %+v, 2.1 %+v", got["6.2"], got["11.1"], got["2.1"])
	}
}

// TestEmbeddedAuditIsComplete checks the audit shipped with this build: the
// 106 criteria, each decided, every manual non-conformity with its plan.
func TestEmbeddedAuditIsComplete(t *testing.T) {
	a, err := Current()
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Rows) != 106 || a.NotTested != 0 {
		t.Fatalf("%d criteria, %d not tested", len(a.Rows), a.NotTested)
	}
	known := map[string]bool{}
	for _, r := range a.Rows {
		known[r.ID] = true
	}
	for id, mc := range a.Criteria {
		if !known[id] {
			t.Errorf("audit_manual.json checks %s, which is not an RGAA 4.1 criterion", id)
		}
		if mc.Result == NotConform && mc.Plan == "" {
			t.Errorf("non-conformity %s has no plan", id)
		}
	}
	pages := " " + strings.Join(pageKeys(a.Pages), " ") + " "
	for id, mc := range a.Criteria {
		for page := range mc.Pages {
			if !strings.Contains(pages, " "+page+" ") {
				t.Errorf("criterion %s names an unknown page %q", id, page)
			}
		}
	}
	t.Logf("audit: %d conform, %d non-conform, %d not applicable: rate %d %%, %s", a.Conform, a.NotConform, a.NotApplicable, a.Rate, a.Status())
	if a.Status() != "partiellement conforme" {
		t.Errorf("status %q (rate %d %%)", a.Status(), a.Rate)
	}
}

func pageKeys(ps []PageType) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Key)
	}
	return out
}
