package search

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDocumentOf(t *testing.T) {
	created := time.Date(2026, 12, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	hub, reg, dep, supports := int64(7), int64(3), int64(4), 12
	tests := []struct {
		name string
		row  Row
		want Document
	}{
		{
			name: "Hub proposal with counters",
			row: Row{ID: 1, ConsultationID: 2, Entry: "hubs", AxisID: 5, HubID: &hub, AuthorCategory: "association",
				RegionID: &reg, DepartementID: &dep, Status: "published", Title: "Titre", Body: "Texte",
				CreatedAt: created, Supports: &supports, Reactions: [4]int{1, 2, 3, 4}},
			want: Document{ID: 1, ConsultationID: 2, Entry: "hubs", AxisID: 5, HubID: 7, AuthorCategory: "association",
				RegionID: 3, DepartementID: 4, Status: "published", Title: "Titre", Body: "Texte",
				Supports: 12, Reactions: 10, CreatedAt: created.UTC()},
		},
		{
			name: "free contribution without territory nor counters",
			row: Row{ID: 9, ConsultationID: 2, Entry: "libres", AxisID: 5, AuthorCategory: "citoyen",
				Status: "published", Title: "T", Body: "B", CreatedAt: created},
			want: Document{ID: 9, ConsultationID: 2, Entry: "libres", AxisID: 5, AuthorCategory: "citoyen",
				Status: "published", Title: "T", Body: "B", CreatedAt: created.UTC()},
		},
		{
			name: "highlight markers typed by a user are removed",
			row:  Row{ID: 3, Status: "published", Title: "a" + HighlightStart + "b", Body: HighlightEnd + "c", CreatedAt: created},
			want: Document{ID: 3, Status: "published", Title: "ab", Body: "c", CreatedAt: created.UTC()},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DocumentOf(tt.row); got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
	if (Row{Status: "withdrawn"}).Indexed() || (Row{Status: "hidden"}).Indexed() || !(Row{Status: "published"}).Indexed() {
		t.Error("only published rows are indexed")
	}
}

func TestMeiliDoc(t *testing.T) {
	d := Document{ID: 4, Entry: "libres", AxisID: 2, Status: "published", Title: "T", CreatedAt: time.Unix(1700000000, 0)}
	b, err := json.Marshal(toMeiliDoc(d))
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{`"id":4`, `"axis_id":2`, `"created_at":1700000000`, `"status":"published"`} {
		if !strings.Contains(got, want) {
			t.Errorf("%s: no %s", got, want)
		}
	}
	for _, absent := range []string{"hub_id", "region_id", "departement_id"} {
		if strings.Contains(got, absent) {
			t.Errorf("%s: %s should be absent when zero", got, absent)
		}
	}
}

func TestMeiliFilter(t *testing.T) {
	tests := []struct {
		name string
		f    Filters
		want string
	}{
		{"default: published only", Filters{}, `status IN ["published"]`},
		{"statuses", Filters{Statuses: []string{"published", "hidden"}}, `status IN ["published", "hidden"]`},
		{"every filter", Filters{ConsultationID: 1, AxisID: 2, Entry: "hubs", AuthorCategory: "elu", RegionID: 3, DepartementID: 4, HubID: 5},
			`status IN ["published"] AND consultation_id = 1 AND axis_id = 2 AND entry = "hubs" AND author_category = "elu" AND region_id = 3 AND departement_id = 4 AND hub_id = 5`},
		{"quotes are escaped", Filters{AuthorCategory: `x" OR status = "hidden`}, `status IN ["published"] AND author_category = "x\" OR status = \"hidden"`},
		{"backslashes are escaped", Filters{Entry: `a\" OR 1`}, `status IN ["published"] AND entry = "a\\\" OR 1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MeiliFilter(tt.f); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestMeiliSettings(t *testing.T) {
	s := MeiliSettings()
	for _, f := range Facets {
		if !slices.Contains(s.FilterableAttributes, string(f)) {
			t.Errorf("facet %s is not filterable", f)
		}
	}
	if !slices.Contains(s.FilterableAttributes, "consultation_id") {
		t.Error("consultation_id is not filterable")
	}
	for _, a := range []string{"supports", "created_at", "id"} {
		if !slices.Contains(s.SortableAttributes, a) {
			t.Errorf("%s is not sortable", a)
		}
	}
	if !slices.Equal(s.SearchableAttributes, []string{"title", "body"}) {
		t.Errorf("searchable: %v", s.SearchableAttributes)
	}
	if s.RankingRules[0] != "sort" {
		t.Errorf("ranking rules %v: an explicit sort must come first", s.RankingRules)
	}
	if s.Pagination == nil || s.Pagination.MaxTotalHits < MaxTotal {
		t.Errorf("maxTotalHits below the pages shown (%d)", MaxTotal)
	}
	if s.TypoTolerance == nil || !s.TypoTolerance.Enabled || !s.TypoTolerance.DisableOnNumbers {
		t.Error("typo tolerance off, or on numbers")
	}
	if !slices.Contains(s.StopWords, "les") && !slices.Contains(s.StopWords, "des") {
		t.Errorf("no French stop words: %v", s.StopWords)
	}
	if syn := s.Synonyms["numérique"]; !slices.Contains(syn, "digital") {
		t.Errorf("synonyms of numérique: %v", syn)
	}
	if syn := s.Synonyms["médiateur numérique"]; !slices.Contains(syn, "conseiller numérique") || !slices.Contains(syn, "médiation numérique") {
		t.Errorf("synonyms of médiateur numérique: %v", syn)
	}
	if s.Faceting == nil || s.Faceting.MaxValuesPerFacet < 101 {
		t.Error("maxValuesPerFacet below the number of départements")
	}
	if len(s.LocalizedAttributes) != 1 || !slices.Equal(s.LocalizedAttributes[0].Locales, []string{"fra"}) {
		t.Errorf("localized attributes: %+v", s.LocalizedAttributes)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"filterableAttributes"`, `"sortableAttributes"`, `"localizedAttributes"`, `"typoTolerance"`, `"pagination":{"maxTotalHits":10000}`, `"faceting"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("settings JSON lacks %s: %s", key, b)
		}
	}
}

func TestMeiliRequest(t *testing.T) {
	tests := []struct {
		q        Query
		sort     []string
		page     int64
		per      int64
		excerpts bool
	}{
		{Query{Text: "formation"}, nil, 1, DefaultPerPage, true},
		{Query{Sort: SortSupports, Page: 3, PerPage: 10}, []string{"supports:desc", "id:desc"}, 3, 10, false},
		{Query{Text: "x", Sort: SortDate, PerPage: 1000}, []string{"created_at:desc", "id:desc"}, 1, MaxPerPage, true},
	}
	for _, tt := range tests {
		r := meiliRequest(tt.q.Normalize())
		if !slices.Equal(r.Sort, tt.sort) || r.Page != tt.page || *r.HitsPerPage != tt.per || (len(r.AttributesToCrop) > 0) != tt.excerpts {
			t.Errorf("%+v: sort %v page %d per %d crop %v", tt.q, r.Sort, r.Page, *r.HitsPerPage, r.AttributesToCrop)
		}
		if r.MatchingStrategy != "frequency" || r.HighlightPreTag != HighlightStart || r.Filter != MeiliFilter(tt.q.Filters) ||
			!slices.Equal(r.AttributesToHighlight, []string{"title", "body"}) {
			t.Errorf("%+v: %+v", tt.q, r)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want Query
	}{
		{Query{}, Query{Sort: SortDate, Page: 1, PerPage: DefaultPerPage}},
		{Query{Text: "  a  "}, Query{Text: "a", Sort: SortRelevance, Page: 1, PerPage: DefaultPerPage}},
		{Query{Text: "a", Sort: "bogus", Page: -3, PerPage: 500}, Query{Text: "a", Sort: SortRelevance, Page: 1, PerPage: MaxPerPage}},
		{Query{Sort: SortSupports, Page: 100000}, Query{Sort: SortSupports, Page: MaxTotal / DefaultPerPage, PerPage: DefaultPerPage}},
		{Query{Text: strings.Repeat("é", 150)}, Query{Text: strings.Repeat("é", 100), Sort: SortRelevance, Page: 1, PerPage: DefaultPerPage}},
	}
	for _, tt := range tests {
		if got := tt.in.Normalize(); got.Text != tt.want.Text || got.Sort != tt.want.Sort || got.Page != tt.want.Page || got.PerPage != tt.want.PerPage {
			t.Errorf("Normalize(%+v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	for in, want := range map[string]Sort{"soutiens": SortSupports, "date": SortDate, "": SortRelevance, "x": SortRelevance} {
		if got := ParseSort(in); got != want {
			t.Errorf("ParseSort(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHighlight(t *testing.T) {
	s, e := HighlightStart, HighlightEnd
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"les " + s + "médiateurs" + e + " <b>", "les <mark>médiateurs</mark> &lt;b&gt;"},
		{s + "<script>" + e, "<mark>&lt;script&gt;</mark>"},
		{"unclosed " + s + "x", "unclosed <mark>x</mark>"},
		{"stray " + e + "end", "stray end"},
		{s + s + "a" + e + e, "<mark>a</mark>"},
	}
	for _, tt := range tests {
		if got := string(Highlight(tt.in)); got != tt.want {
			t.Errorf("Highlight(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
