package web

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/query"
)

// TestListHTMLEqualsTemplates checks that the list section and its filter
// form written by Go are byte for byte those of the templates, on hostile
// texts and addresses and every branch: search corrected, approximate, too
// broad or empty, pages or none, headings, filters kept or rendered.
func TestListHTMLEqualsTemplates(t *testing.T) {
	tpl := pageTemplate(t, tplContributionList)
	hostile := hostileTexts
	urls := []string{"/contributions?axe=1&tri=soutiens", "/contributions?q=m%C3%A9diation+num%C3%A9rique&page=2", `/x?"'<>é`,
		"https://concertation.exemple.fr/contributions?region=84", "javascript:alert(1)", "/axes/gouvernance?apres=abc%2Fdef"}
	n := 0
	for flags := range 1 << 9 {
		for k, text := range hostile {
			n++
			u := urls[(k+flags)%len(urls)]
			lv := listView{Action: u, Text: text, Sort: "recent", PerPage: 20, ShareURL: urls[(k+1)%len(urls)],
				Result:   query.List{IDPage: query.IDPage{Total: k * 7 / 3 * (1 + flags*flags*37), Number: 1 + k*flags*3, Pages: k * flags % 5 * (1 + flags*11)}},
				Filtered: flags&1 != 0}
			if flags&2 != 0 {
				lv.Heading = "Contributions de « " + text + " »"
			}
			if flags&4 != 0 {
				lv.Search = &query.SearchInfo{Text: text + " mots", Approx: flags&8 != 0, TooBroad: flags&16 != 0}
				if k%2 == 1 {
					lv.Search.Corrected = "corrigé " + text
				}
			}
			if flags&32 != 0 {
				lv.Cards = []card{{ID: int64(n), Title: text, Excerpt: text, Support: supportView{ID: int64(n), Count: 3, Unit: "soutiens", Back: u}}}
			}
			if flags&64 != 0 {
				lv.Pages = []pageLink{{Number: 1, URL: u}, {Number: 2, Current: true}, {Number: 3, URL: urls[k%len(urls)], Current: k%2 == 0}}
				if k%2 == 0 {
					lv.First, lv.Prev = u, urls[(k+2)%len(urls)]
				}
				if k%3 != 0 {
					lv.Next, lv.Last = urls[(k+3)%len(urls)], u
				}
			}
			if flags&128 != 0 {
				lv.Sort, lv.Seed, lv.PerPage = "hasard", int64(n)*7919, 50
			}
			lv.Fields = []filterField{{Name: "axe", Label: "Axe " + text, OptionsHTML: template.HTML(`<option value="1" selected>Axe 1 (3)</option>`)},
				{Name: "region" + text, Label: "Région"}}
			lv.Sorts = []filterOption{{Value: "recent", Text: "Les plus récentes", Selected: flags&1 == 0}, {Value: text, Text: text + " (2)", Selected: flags&1 != 0}}
			if flags&256 != 0 {
				lv.FiltersHTML = template.HTML("<form>déjà écrit " + template.HTMLEscapeString(text) + "</form>")
			}
			var want bytes.Buffer
			if err := tpl.ExecuteTemplate(&want, "contribution-list", lv); err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			lv.writeListHTML(&got)
			sameHTML(t, fmt.Sprintf("flags %b, text %q", flags, text), got.String(), want.String())
			if flags&256 == 0 {
				want.Reset()
				if err := tpl.ExecuteTemplate(&want, "contribution-filters", lv); err != nil {
					t.Fatal(err)
				}
				got.Reset()
				lv.writeFiltersHTML(&got)
				if got.String() != want.String() {
					t.Fatalf("flags %b, text %q: filters differ:\n go:       %q\n template: %q", flags, text, got.String(), want.String())
				}
			}
		}
	}
	if n < 3000 {
		t.Fatalf("only %d lists compared", n)
	}
}

// TestListCountsReadable: a list's total and page numbers are written the
// French way, thousands apart, as everywhere else on the site.
func TestListCountsReadable(t *testing.T) {
	lv := listView{Action: "/contributions", Sort: "recent", PerPage: 20,
		Result: query.List{IDPage: query.IDPage{Total: 1000000, Number: 1234, Pages: 50000}}}
	var got strings.Builder
	lv.writeListHTML(&got)
	if want := "<strong>1\u00a0000\u00a0000</strong> contributions, page 1\u00a0234 sur 50\u00a0000"; !strings.Contains(got.String(), want) {
		t.Errorf("counts not readable: want %q in\n%s", want, got.String())
	}
}
