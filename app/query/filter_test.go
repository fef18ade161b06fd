package query

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

var testRefs = Refs{
	ConsultationID: 1,
	Axes:           []Axis{{ID: 11, Position: 1, Slug: "gouvernance"}, {ID: 13, Position: 3, Slug: "formation"}},
	Entries:        []Entry{{Kind: "hubs", Slug: "propositions-des-hubs"}, {Kind: "libres", Slug: "contributions-libres"}},
	Categories:     []Category{{"citoyen", "Citoyen·ne"}, {"elu", "Élu·e"}},
	Regions:        []Territory{{ID: 53, Code: "53", Name: "Bretagne"}},
	Departements:   []Territory{{ID: 29, Code: "29", Name: "Finistère", RegionID: 53}, {ID: 201, Code: "2A", Name: "Corse-du-Sud"}},
	Hubs:           []HubRef{{ID: 7, Slug: "hub-bretagne", Name: "Hub Bretagne"}},
}

func TestParseFilter(t *testing.T) {
	tests := []struct {
		name, query string
		public      bool
		want        string // canonical query
		check       func(Filter) bool
	}{
		{"nothing: the whole consultation, published only (as the statistics)", "", false, "",
			func(f Filter) bool {
				return len(f.Statuses) == 1 && f.Statuses[0] == StatusPublished && len(f.Axes) == 0
			}},
		{"axis by slug or by number, deduplicated", "axe=3&axe=formation", false, "axe=formation",
			func(f Filter) bool { return len(f.Axes) == 1 && f.Axes[0] == 13 }},
		{"unknown parameters and values are ignored", "axe=9&categorie=pirate&region=99&hub=nulle-part&tri=x&reagit_a=-4&du=hier", false, "", nil},
		{"every public filter", "entree=propositions-des-hubs&categorie=elu&region=53&departement=2a&hub=hub-bretagne&reagit_a=12", false,
			"categorie=elu&departement=2A&entree=hubs&hub=hub-bretagne&reagit_a=12&region=53",
			func(f Filter) bool { return f.Entries[0] == "hubs" && f.Departements[0] == 201 && f.ReactsTo == 12 }},
		{"period: au is inclusive", "du=2026-11-24&au=2026-11-30", false, "au=2026-11-30&du=2026-11-24",
			func(f Filter) bool {
				return f.From.Equal(time.Date(2026, 11, 24, 0, 0, 0, 0, Paris)) && f.To.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, Paris))
			}},
		{"rapporteur filters", "statut=retiree&etiquette=+formation+&retenue=1", false, "etiquette=formation&retenue=1&statut=retiree",
			func(f Filter) bool { return len(f.Statuses) == 1 && f.Statuses[0] == StatusWithdrawn && f.Retained }},
		{"public views ignore rapporteur filters", "statut=masquee&etiquette=x&retenue=1&categorie=elu", true, "categorie=elu",
			func(f Filter) bool { return len(f.Statuses) == 1 && f.Statuses[0] == StatusPublished && !f.Retained }},
		{"public views ignore the period (a rapporteur's filter, costly to count)", "du=2026-11-24&au=2026-11-30&categorie=elu", true, "categorie=elu",
			func(f Filter) bool { return f.From.IsZero() && f.To.IsZero() && f.OnCells() }},
		{"full-text search", "q=+m%C3%A9diateurs+ruraux+", false, "q=m%C3%A9diateurs+ruraux",
			func(f Filter) bool { return f.Text == "médiateurs ruraux" }},
		{"comma-separated values", "categorie=citoyen,elu", false, "categorie=citoyen&categorie=elu", nil},
		{"contributions accompagnées: 1/oui or 0/non", "accompagnee=oui", true, "accompagnee=1",
			func(f Filter) bool { return len(f.Assisted) == 1 && f.Assisted[0] }},
		{"not accompagnées; unknown values ignored", "accompagnee=peut-etre&accompagnee=0", true, "accompagnee=0",
			func(f Filter) bool { return len(f.Assisted) == 1 && !f.Assisted[0] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			f := Parse(q, testRefs, tt.public)
			if got := f.QueryString(); got != tt.want {
				t.Errorf("canonical query %q, want %q", got, tt.want)
			}
			if tt.check != nil && !tt.check(f) {
				t.Errorf("filter %+v", f)
			}
			var a Args
			if w := f.Where(testRefs, &a); strings.Count(w, "$") != len(a) {
				t.Errorf("where %q has %d args", w, len(a))
			}
		})
	}
}
