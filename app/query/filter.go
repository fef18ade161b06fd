// Package query is the read side of the contributions: one filter, parsed
// from the URL by one function, and one service that answers every reader
// with it: the public lists (with their facets and keyset pages), the text
// search, the rapporteurs' workspace, the exports and the statistics.
//
// Counts come from the rollup of app/contribution (contribution_cells), kept
// in memory by each process; lists walk the narrow listing table through
// indexes that match their sort; what is heavier (distinct contributors,
// timelines) is computed in the background, once per interval, never in a
// request. The package never writes.
package query

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cnr-numerique/concertation/app/answer"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/frtime"
)

// MaxText is the longest text searched, in characters.
const MaxText = 200

// Statuses of a contribution, as stored.
const (
	StatusPublished = "published"
	StatusHidden    = "hidden"
	StatusWithdrawn = "withdrawn"
)

// statusParams maps the URL values of "statut" to stored statuses.
var statusParams = []struct{ param, status, label string }{
	{"publiee", StatusPublished, "publiée"},
	{"masquee", StatusHidden, "masquée par la modération"},
	{"retiree", StatusWithdrawn, "retirée par son auteur"},
}

// StatusLabel returns the French label of a stored status.
func StatusLabel(status string) string {
	for _, s := range statusParams {
		if s.status == status {
			return s.label
		}
	}
	return status
}

// Filter is one view of the contributions. The same Filter, parsed by Parse
// from the same URL, drives the public lists, the search, the workspace list,
// every export, the statistics and the report, so that an export always holds
// exactly the view on screen.
type Filter struct {
	ConsultationID int64
	Author         int64  // an author's page: their published free contributions (set by the page, not the URL)
	Public         bool   // published contributions only; rapporteur marks ignored
	Text           string // full-text search (q), in French, accents ignored
	Axes           []int64
	Entries        []string // entry kinds
	Categories     []string
	Regions        []int64 // territory ids
	Departements   []int64
	Hubs           []int64
	Assisted       []bool // contributions accompagnées (true) or not (false); empty: both
	ReactsTo       int64
	From, To       time.Time // [From, To): To is the day after the "au" date; zero = open
	Statuses       []string
	Tags           []string
	Retained       bool
	Answers        []answer.State // official answer states (URL reponse), public too

	query url.Values // canonical URL parameters of the view
	ids   []int64    // when not nil, only these (the best hits of a search)
}

// Workspace statuses when the URL does not choose: what is public, as on the
// public statistics; hidden and withdrawn contributions only on demand (and
// then labelled), so that every count agrees with /statistiques by default.
var defaultStatuses = []string{StatusPublished}

// Parse reads the view from URL parameters. The names are those of the
// public list (axe, entree, categorie, region, departement, hub, reagit_a, q,
// reponse: the state of the official answer, accompagnee: 1 or 0)
// plus, for the workspace, du and au (dates, AAAA-MM-JJ), statut, etiquette
// and retenue. Unknown parameters and unknown values are ignored. With public
// set, only published contributions are kept and the rapporteur parameters
// are ignored.
func Parse(q url.Values, refs Refs, public bool) Filter {
	f := Filter{ConsultationID: refs.ConsultationID, Public: public, query: url.Values{}}
	for _, v := range values(q, "axe") {
		for _, a := range refs.Axes {
			if v == a.Slug || v == strconv.Itoa(a.Position) {
				f.Axes = appendNew(f.Axes, a.ID)
				f.keep("axe", a.Slug)
			}
		}
	}
	for _, v := range values(q, "entree") {
		for _, e := range refs.Entries {
			if v == e.Slug || v == e.Kind {
				f.Entries = appendNew(f.Entries, e.Kind)
				f.keep("entree", e.Kind)
			}
		}
	}
	for _, v := range values(q, "categorie") {
		for _, c := range refs.Categories {
			if v == c.Code {
				f.Categories = appendNew(f.Categories, c.Code)
				f.keep("categorie", c.Code)
			}
		}
	}
	for _, v := range values(q, "region") {
		for _, t := range refs.Regions {
			if v == t.Code {
				f.Regions = appendNew(f.Regions, t.ID)
				f.keep("region", t.Code)
			}
		}
	}
	for _, v := range values(q, "departement") {
		for _, t := range refs.Departements {
			if strings.EqualFold(v, t.Code) {
				f.Departements = appendNew(f.Departements, t.ID)
				f.keep("departement", t.Code)
			}
		}
	}
	for _, v := range values(q, "hub") {
		for _, h := range refs.Hubs {
			if v == h.Slug {
				f.Hubs = appendNew(f.Hubs, h.ID)
				f.keep("hub", h.Slug)
			}
		}
	}
	for _, v := range values(q, "accompagnee") {
		if b, ok := parseYesNo(v); ok {
			f.Assisted = appendNew(f.Assisted, b)
			f.keep("accompagnee", map[bool]string{true: "1", false: "0"}[b])
		}
	}
	if v := first(q, "reagit_a"); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			f.ReactsTo = id
			f.keep("reagit_a", strconv.FormatInt(id, 10))
		}
	}
	if v, ok := contribution.CleanLine(first(q, "q")); ok && v != "" && utf8.RuneCountInString(v) <= MaxText {
		f.Text = v
		f.keep("q", v)
	}
	for _, v := range values(q, "reponse") {
		if st, ok := answer.ParseState(v); ok {
			f.Answers = appendNew(f.Answers, st)
			f.keep("reponse", st.Param())
		}
	}
	if public {
		// A period is a rapporteur's filter (the workspace offers it): on
		// public pages it would make every visitor's list count and facet
		// its rows in SQL, seconds at a million contributions, so it is
		// ignored there like any unknown parameter.
		f.Statuses = []string{StatusPublished}
		return f
	}
	if d, ok := parseDay(first(q, "du")); ok {
		f.From = d
		f.keep("du", d.Format(time.DateOnly))
	}
	if d, ok := parseDay(first(q, "au")); ok {
		f.To = d.AddDate(0, 0, 1)
		f.keep("au", d.Format(time.DateOnly))
	}
	for _, v := range values(q, "statut") {
		for _, s := range statusParams {
			if v == s.param || v == s.status {
				f.Statuses = appendNew(f.Statuses, s.status)
				f.keep("statut", s.param)
			}
		}
	}
	if len(f.Statuses) == 0 {
		f.Statuses = slices.Clone(defaultStatuses)
	}
	for _, v := range values(q, "etiquette") {
		if v = strings.TrimSpace(v); v != "" && len([]rune(v)) <= 60 {
			f.Tags = appendNew(f.Tags, v)
			f.keep("etiquette", v)
		}
	}
	switch first(q, "retenue") {
	case "1", "oui", "on", "true":
		f.Retained = true
		f.keep("retenue", "1")
	}
	return f
}

// Query returns the canonical URL parameters of the view (known values only),
// to build export links and saved filter sets.
func (f Filter) Query() url.Values {
	out := url.Values{}
	for k, v := range f.query {
		out[k] = slices.Clone(v)
	}
	return out
}

// QueryString is Query encoded, sorted by key; "" for the whole consultation.
func (f Filter) QueryString() string { return f.query.Encode() }

// Has reports whether the view selects value for the URL parameter key.
func (f Filter) Has(key, value string) bool { return slices.Contains(f.query[key], value) }

// Value returns the first value of the URL parameter key in the view.
func (f Filter) Value(key string) string { return f.query.Get(key) }

func (f *Filter) keep(key, value string) {
	if !slices.Contains(f.query[key], value) {
		f.query[key] = append(f.query[key], value)
	}
}

// values returns the non-empty values of key, also split on commas, capped so
// that a hostile URL cannot make a huge filter.
func values(q url.Values, key string) []string {
	var out []string
	for _, v := range q[key] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" && len(out) < 50 {
				out = append(out, p)
			}
		}
	}
	return out
}

func first(q url.Values, key string) string {
	for _, v := range q[key] {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func appendNew[T comparable](s []T, v T) []T {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// parseYesNo reads 1/oui/true or 0/non/false.
func parseYesNo(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "1", "oui", "true":
		return true, true
	case "0", "non", "false":
		return false, true
	}
	return false, false
}

// Paris is the time zone of dates shown and of the du/au filters.
var Paris = frtime.Paris

// parseDay reads AAAA-MM-JJ (or JJ/MM/AAAA) as midnight in Paris.
func parseDay(s string) (time.Time, bool) {
	for _, layout := range []string{time.DateOnly, "02/01/2006"} {
		if t, err := time.ParseInLocation(layout, s, Paris); err == nil && t.Year() >= 2000 && t.Year() <= 2100 {
			return t, true
		}
	}
	return time.Time{}, false
}
