package web

import (
	"html/template"
	"strings"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/frtime"
	"github.com/cnr-numerique/concertation/app/synthesis"
)

// Page is what the layout needs on every page. Page data structs embed it.
type Page struct {
	Title        string // the page's own title; the site name is appended
	Path         string // current path, for the navigation's aria-current
	Consultation consultation.Consultation
	Phase        consultation.Phase
	CSRF         string
	User         *account.Viewer
	Flash        string
	// Easy-to-read (FALC) version: chosen, the address that switches, the
	// easy page texts by key when chosen (easy_read.go).
	Easy       bool
	EasySwitch string
	EasyTexts  map[string]string
}

// Open reports whether the consultation accepts contributions now.
func (p Page) Open() bool { return p.Phase == consultation.PhaseOpen }

// Closed reports whether the consultation is closed.
func (p Page) Closed() bool { return p.Phase == consultation.PhaseClosed }

// Upcoming reports whether the consultation has not opened yet.
func (p Page) Upcoming() bool { return p.Phase == consultation.PhaseUpcoming }

var paris = frtime.Paris

var (
	frenchDate     = frtime.Date
	frenchDateTime = frtime.DateTime
)

// paragraphs splits plain text on blank lines into escaped paragraphs.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"frenchDate":     frenchDate,
		"frenchDateTime": frenchDateTime,
		"paragraphs":     paragraphs,
		"plural":         pluralWord, // French plural: 0 and 1 take the singular
		"count":          countWord,  // "1 soutien", "12 345 soutiens"
		"add":            func(a, b int) int { return a + b },
		"number":         formatNumber,   // 12 345 (synthesis)
		"score":          formatScore,    // 1,25 (synthesis)
		"countsTable":    newCountsTable, // (synthesis report)
		"dict":           orderedPairs,   // ordered key/value pairs for a range
		"chartSVG":       chartSVG,       // (synthesis report)
		"chartByID":      chartByID,      // (synthesis report)
		"mapSVG":         mapSVG,         // choropleth of the départements
		"rowsTable":      newRowsTable,   // (synthesis report)
		"rate":           synthesis.FormatRate,
		"perInhabitant":  perInhabitant, // figures per 100,000 inhabitants (statistics)

		"asset":               assetURL,            // fingerprinted address of a static file (static.go)
		"accessibilityStatus": accessibilityStatus, // the audit's conformity, for the footer
		"filterHint":          filterHint,          // the example under a list filter's label
		"errorText":           errorText,           // a form field's error message (RGAA 11.10)
		"invalid":             invalidAttrs,        // on that field: aria-invalid and aria-describedby
	}
}

// errorText is the error message msg of the form field id, as the DSFR shows
// it, with the id that invalidAttrs points the field to: a screen reader then
// reads the message on the field (RGAA 11.10). Nothing when msg is empty.
func errorText(id, msg string) template.HTML {
	if msg == "" {
		return ""
	}
	return template.HTML(`<p id="` + template.HTMLEscapeString(id) + `-erreur" class="fr-error-text">` + template.HTMLEscapeString(msg) + `</p>`)
}

// invalidAttrs marks the form field id invalid and describes it by its error
// message (errorText), when msg is not empty.
func invalidAttrs(id, msg string) template.HTMLAttr {
	if msg == "" {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + template.HTMLEscapeString(id) + `-erreur"`)
}
