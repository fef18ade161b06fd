package accessibility

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Results of a criterion on a page, as the RGAA names them.
const (
	Conform    = "C"  // conforme
	NotConform = "NC" // non conforme
	NotApplies = "NA" // non applicable
	NotTested  = "NT" // non testé: neither the browser tests nor the manual review decided
)

//go:embed rgaa.json audit_manual.json audit_automated.json
var auditFiles embed.FS

// Criterion is one RGAA 4.1 criterion.
type Criterion struct {
	ID    string `json:"id"` // "1.1"
	Theme string `json:"theme"`
	Title string `json:"title"`
}

// PageType is one page of the audit sample; its path may hold {contribution}
// (a published contribution's id), filled in by whoever visits it.
type PageType struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	Path string `json:"path"`
}

// ManualCheck is the result of a criterion checked by hand: the same on every
// page of the sample unless Pages gives it per page type.
type ManualCheck struct {
	Result string            `json:"result"`
	Pages  map[string]string `json:"pages,omitempty"`
	Method string            `json:"method"`
	Note   string            `json:"note,omitempty"`
	Plan   string            `json:"plan,omitempty"` // for a non-conformity: what will fix it, and when
}

// Manual is audit_manual.json: the sample, the context of the audit and the
// criteria checked by hand.
type Manual struct {
	Date         string                 `json:"date"`
	Auditor      string                 `json:"auditor"`
	Pages        []PageType             `json:"pages"`
	Technologies []string               `json:"technologies"`
	Environment  []string               `json:"environment"`
	Tools        []string               `json:"tools"`
	Derogations  []string               `json:"derogations"`
	NotInScope   []string               `json:"not_in_scope"`
	Criteria     map[string]ManualCheck `json:"criteria"`
}

// AutomatedCheck is the result of a criterion on a page from axe-core's rules
// (and a few checks of the browser test), with the rules that decided it.
type AutomatedCheck struct {
	Result string   `json:"result"`
	Rules  []string `json:"rules"`
}

// Automated is audit_automated.json, written by the browser test
// TestAccessibilityAuditInBrowser (UPDATE_AUDIT=1) and checked by it on every
// run, so the declaration cannot drift from the pages.
type Automated struct {
	Axe   string                               `json:"axe"`
	Pages map[string]map[string]AutomatedCheck `json:"pages"` // page key → criterion → check
}

// Cell is the result of one criterion on one page, and how it was decided.
type Cell struct {
	Result string
	By     string // "axe-core", "revue manuelle", "axe-core et revue manuelle"
}

// Row is one criterion of the grid: its result on each page of the sample and
// over the whole sample.
type Row struct {
	Criterion
	Cells   []Cell // in the order of Audit.Pages
	Overall string
	Manual  *ManualCheck
}

// Audit is the grid of the declaration and what follows from it.
type Audit struct {
	Manual
	AxeVersion      string
	Rows            []Row
	Conform         int
	NotConform      int
	NotApplicable   int
	NotTested       int
	Rate            int // percentage of applicable criteria that are conform, rounded down
	NonConformities []Row
}

// Status is the conformity that the rate gives, in the words of the law:
// "totalement conforme" at 100 %, "partiellement conforme" from 50 %, "non
// conforme" below or when a criterion was not tested.
func (a Audit) Status() string {
	switch {
	case a.NotTested > 0 || len(a.Rows) == 0:
		return "non conforme"
	case a.Rate == 100:
		return "totalement conforme"
	case a.Rate >= 50:
		return "partiellement conforme"
	}
	return "non conforme"
}

// Criteria returns the 106 criteria of the RGAA 4.1 in order.
func Criteria() ([]Criterion, error) {
	var f struct {
		Criteria []Criterion `json:"criteria"`
	}
	if err := readJSON("rgaa.json", &f); err != nil {
		return nil, err
	}
	return f.Criteria, nil
}

// Sample returns the pages of the audit.
func Sample() ([]PageType, error) {
	var m Manual
	if err := readJSON("audit_manual.json", &m); err != nil {
		return nil, err
	}
	return m.Pages, nil
}

var current = sync.OnceValues(func() (Audit, error) {
	var m Manual
	if err := readJSON("audit_manual.json", &m); err != nil {
		return Audit{}, err
	}
	var auto Automated
	if err := readJSON("audit_automated.json", &auto); err != nil {
		return Audit{}, err
	}
	criteria, err := Criteria()
	if err != nil {
		return Audit{}, err
	}
	return Compute(criteria, m, auto)
})

// Current is the audit of this build, from the embedded files.
func Current() (Audit, error) { return current() }

// Compute builds the grid. On each page a criterion is non-conform when axe-core
// or the manual review found it so; otherwise the manual result decides, then
// the automated one. Over the sample (as the RGAA method and the State's
// audit tool do) a criterion is conform when conform on one page and conform
// or not applicable on all, non-conform when non-conform on one, not
// applicable when so on all. The rate is conform / (conform + non-conform).
func Compute(criteria []Criterion, m Manual, auto Automated) (Audit, error) {
	a := Audit{Manual: m, AxeVersion: auto.Axe}
	for id, mc := range m.Criteria {
		if !validResult(mc.Result) {
			return a, fmt.Errorf("audit_manual.json: criterion %s: result %q", id, mc.Result)
		}
		for p, r := range mc.Pages {
			if !validResult(r) {
				return a, fmt.Errorf("audit_manual.json: criterion %s, page %s: result %q", id, p, r)
			}
		}
	}
	for _, c := range criteria {
		row := Row{Criterion: c}
		if mc, ok := m.Criteria[c.ID]; ok {
			row.Manual = &mc
		}
		for _, p := range m.Pages {
			row.Cells = append(row.Cells, cell(row.Manual, auto.Pages[p.Key][c.ID], p.Key))
		}
		row.Overall = overall(row.Cells)
		switch row.Overall {
		case Conform:
			a.Conform++
		case NotConform:
			a.NotConform++
			a.NonConformities = append(a.NonConformities, row)
		case NotApplies:
			a.NotApplicable++
		default:
			a.NotTested++
		}
		a.Rows = append(a.Rows, row)
	}
	if a.Conform+a.NotConform > 0 {
		a.Rate = 100 * a.Conform / (a.Conform + a.NotConform)
	}
	sort.SliceStable(a.NonConformities, func(i, j int) bool { return criterionLess(a.NonConformities[i].ID, a.NonConformities[j].ID) })
	return a, nil
}

func cell(manual *ManualCheck, auto AutomatedCheck, page string) Cell {
	manualResult := ""
	if manual != nil {
		manualResult = manual.Result
		if r, ok := manual.Pages[page]; ok {
			manualResult = r
		}
	}
	switch {
	case auto.Result == NotConform && manualResult != "":
		return Cell{NotConform, "axe-core et revue manuelle"}
	case auto.Result == NotConform:
		return Cell{NotConform, "axe-core"}
	case manualResult != "" && auto.Result != "":
		return Cell{manualResult, "axe-core et revue manuelle"}
	case manualResult != "":
		return Cell{manualResult, "revue manuelle"}
	case auto.Result != "":
		return Cell{auto.Result, "axe-core"}
	}
	return Cell{NotTested, ""}
}

func overall(cells []Cell) string {
	conform, all := false, true
	for _, c := range cells {
		switch c.Result {
		case NotConform:
			return NotConform
		case NotTested:
			all = false
		case Conform:
			conform = true
		}
	}
	switch {
	case !all:
		return NotTested
	case conform:
		return Conform
	}
	return NotApplies
}

func validResult(r string) bool { return r == Conform || r == NotConform || r == NotApplies }

// criterionLess orders "2.10" after "2.9".
func criterionLess(a, b string) bool {
	at, an, _ := strings.Cut(a, ".")
	bt, bn, _ := strings.Cut(b, ".")
	ai, _ := strconv.Atoi(at)
	bi, _ := strconv.Atoi(bt)
	if ai != bi {
		return ai < bi
	}
	aj, _ := strconv.Atoi(an)
	bj, _ := strconv.Atoi(bn)
	return aj < bj
}

func readJSON(name string, v any) error {
	b, err := auditFiles.ReadFile(name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
