package web

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/query"
	"github.com/gofiber/fiber/v2"
)

// filterOption is one value of a filter (or a sort) in the list's form.
type filterOption struct {
	Value    string
	Label    string
	Count    int
	Selected bool
	Text     string // label and count, as shown
}

// filterField is one filter of the list's form.
type filterField struct {
	Name        string
	Label       string
	Options     []filterOption
	OptionsHTML template.HTML // the options, escaped (optionsHTML)
}

// optionsHTML writes the <option> elements of a filter, with the count of
// contributions after the label (a count of -1 is not shown). Writing them
// here, escaped with html.EscapeString, rather than through the template
// took the list page's rendering from 40 % of its CPU to a few: a list
// offers some 150 options.
func optionsHTML(opts []filterOption) template.HTML {
	var b strings.Builder
	for _, o := range opts {
		b.WriteString(`<option value="`)
		b.WriteString(html.EscapeString(o.Value))
		b.WriteString(`"`)
		if o.Selected {
			b.WriteString(" selected")
		}
		b.WriteString(">")
		b.WriteString(html.EscapeString(o.Label))
		if o.Count >= 0 {
			b.WriteString(" (")
			b.WriteString(strconv.Itoa(o.Count))
			b.WriteString(")")
		}
		b.WriteString("</option>\n")
	}
	return template.HTML(b.String()) // every value and label escaped above
}

type pageLink struct {
	Number  int
	URL     string
	Current bool
}

// supportUnit returns the word after a number of supports.
func supportUnit(n int) string {
	if n > 1 {
		return "soutiens"
	}
	return "soutien"
}

// assistedName signs a contribution accompagnée whose person gave no name.
const assistedName = "Personne accompagnée"

// supportView is the support button of one contribution.
type supportView struct {
	ID        int64
	Count     int
	Unit      string // "soutien" or "soutiens"
	Supported bool
	Own       bool
	SignedIn  bool
	Open      bool
	CSRF      string
	Back      string
	// counted, when set, receives the byte offsets of the count and its
	// unit in what writeHTML wrote (the page renderer stores the page
	// without them).
	counted *[2]int
}

// card is a contribution in a list, flat and precomputed: a list page
// renders many of them.
type card struct {
	ID            int64
	Title         string
	Excerpt       string
	HubProposal   bool
	AxisLabel     string
	ReactionLabel string
	Assisted      bool   // contribution accompagnée
	Byline        string // the Hub's name, or the author's name and category
	Details       string // territory, date, arguments
	ReactsToTitle string
	Support       supportView
	TitleHTML     template.HTML // search results: the title with the words found marked
	ExcerptHTML   template.HTML // search results: the passage where they were found
}

func newCard(v contribution.View, axisLabel string, support supportView) card {
	c := card{ID: v.ID, Title: v.Title, Excerpt: v.Excerpt(), HubProposal: v.IsHubProposal(), AxisLabel: axisLabel,
		ReactionLabel: v.ReactionLabel(), ReactsToTitle: v.ReactsToTitle, Support: support, Assisted: v.Assisted}
	switch {
	case c.HubProposal:
		c.Byline = v.HubName
	case v.AuthorName == "" && v.Assisted:
		c.Byline = assistedName + ", " + v.CategoryLabel
	case v.AuthorName == "":
		c.Byline = account.AnonymousName + ", " + v.CategoryLabel
	default:
		c.Byline = v.AuthorName + ", " + v.CategoryLabel
	}
	if v.TerritoryName != "" {
		c.Details = v.TerritoryName + " · "
	}
	n := v.Arguments()
	c.Details += frenchDate(v.CreatedAt) + " · " + strconv.Itoa(n) + " argument"
	if n > 1 {
		c.Details += "s"
	}
	return c
}

// listView is a filtered list of contributions: on /contributions, and inside
// the axis and Hub pages with their own filter fixed.
type listView struct {
	HTML        template.HTML // the list already rendered, when cached
	FiltersHTML template.HTML // its filter form already rendered, when cached
	Heading     string        // title of the list section; none on /contributions
	Action      string        // path of the GET form and of the page links
	Fields      []filterField
	Sorts       []filterOption
	Text        string // the text searched, for the search box
	Sort        string
	Seed        int64
	PerPage     int
	Result      query.List
	Cards       []card
	Pages       []pageLink
	First       string
	Prev        string
	Next        string
	Last        string
	ShareURL    string
	Filtered    bool
	Open        bool
	SignedIn    bool
	Search      *query.SearchInfo // when the list answers a text search
}

// listFixed says which filter a page fixes through its path.
type listFixed struct {
	AxisID   int64
	HubID    int64
	AuthorID int64
}

const seedCookie = "graine"

// anonymousListTTL is how long the rendered list of a query is shared by the
// visitors who are not signed in.
const anonymousListTTL = 2 * time.Second

// errPageOutOfReach answers a page number that the site never linked to.
var errPageOutOfReach = &UserError{Status: http.StatusNotFound,
	Message: "Cette page de la liste n'existe pas. Revenez à la première page, ou utilisez les liens « Page suivante » et « Page précédente »."}

// buildList returns the list of the request, from the query service.
// Anonymous visitors all see the same list for the same parsed query, so its
// rendered HTML is kept for anonymousListTTL and dropped by any change made
// through this process; signed-in visitors get it computed for them (their
// supports, exact after their own actions). The cache key is built from the
// parsed, normalised query: parameters the list does not know, or repeated
// ones, map to the same entry. Random orders are not cached for anonymous
// visitors (one seed per browser would make one entry each).
func (s *Server) buildList(c *fiber.Ctx, p Page, action string, fixed listFixed) (*listView, error) {
	if err := s.limitSearchQuery(c, p.User); err != nil {
		return nil, err
	}
	lq, err := s.parseList(c, p, fixed)
	if err != nil {
		return nil, err
	}
	key := action + "?" + lq.f.QueryString() + "|" + lq.r.Values(lq.f.Text != "").Encode() + "|" + strconv.Itoa(lq.r.Number) +
		"|" + lq.r.After + "|" + lq.r.Before + "|" + strconv.FormatBool(p.Open())
	random := lq.r.Sort == query.SortRandom
	if p.User != nil {
		lv, err := s.computeList(c.UserContext(), c, p, action, fixed, lq)
		if err != nil || random {
			return lv, err
		}
		// The filter form does not depend on the viewer: rendered once for all.
		v, err := s.Query.CacheList(c.UserContext(), "filters|"+key, anonymousListTTL, func(context.Context) (any, error) {
			var b strings.Builder
			lv.writeFiltersHTML(&b)
			return template.HTML(b.String()), nil // escaped as html/template does (list_html.go)
		})
		if err != nil {
			return nil, err
		}
		lv.FiltersHTML = v.(template.HTML)
		return lv, nil
	}
	if random {
		lv, err := s.computeList(c.UserContext(), c, p, action, fixed, lq)
		if err != nil {
			return nil, err
		}
		return &listView{HTML: lv.listHTML()}, nil
	}
	v, err := s.Query.CacheList(c.UserContext(), key, anonymousListTTL, func(ctx context.Context) (any, error) {
		// ctx, not the request's: it tells the cache when the list read a
		// copy of the listing older than the last change (not to be kept).
		lv, err := s.computeList(ctx, c, p, action, fixed, lq)
		if err != nil {
			return nil, err
		}
		return lv.listHTML(), nil
	})
	if err != nil {
		return nil, err
	}
	return &listView{HTML: v.(template.HTML)}, nil
}

// parsedList is the list query of a request, read once.
type parsedList struct {
	f    query.Filter
	r    query.PageRequest
	refs query.Refs
}

// parseList reads the filter and the page of the request, with the filter
// the page fixes through its path, through the one parser of the query model.
func (s *Server) parseList(c *fiber.Ctx, p Page, fixed listFixed) (parsedList, error) {
	refs, err := s.Query.Refs(c.UserContext())
	if err != nil {
		return parsedList{}, err
	}
	values := requestQuery(c) // a bad escape drops only its pair
	f := query.Parse(values, refs, true)
	f.ConsultationID = p.Consultation.ID
	if fixed.AxisID != 0 {
		f.Axes = []int64{fixed.AxisID}
	}
	if fixed.HubID != 0 {
		f.Hubs, f.Entries = []int64{fixed.HubID}, []string{contribution.EntryHubs}
	}
	f.Author = fixed.AuthorID
	r := query.ParseRequest(values)
	if r.Sort == query.SortRandom && r.Seed == 0 {
		r.Seed = s.visitorSeed(c)
	}
	return parsedList{f: f, r: r, refs: refs}, nil
}

// computeList runs the list query of the request and prepares what the list
// partial shows. Its queries do not depend on the page size.
func (s *Server) computeList(ctx context.Context, c *fiber.Ctx, p Page, action string, fixed listFixed, lq parsedList) (*listView, error) {
	f, r, refs := lq.f, lq.r, lq.refs
	res, err := s.Query.List(ctx, f, r)
	if errors.Is(err, query.ErrUnreachable) {
		return nil, errPageOutOfReach
	}
	if err != nil {
		return nil, err
	}
	v := p.User
	var supported map[int64]bool
	if v != nil {
		if supported, err = s.Contributions.Supported(ctx, v.ID, res.IDs); err != nil {
			return nil, err
		}
	}
	lv := &listView{Heading: listHeading(fixed), Action: action, Text: f.Text, Sort: string(r.Sort), Seed: r.Seed, PerPage: r.PerPage,
		Result: res, Open: p.Open(),
		SignedIn: v != nil, Search: res.Search}
	shared := f.Query()
	for k, vs := range r.Values(f.Text != "") {
		shared[k] = vs
	}
	if fixed.AxisID != 0 {
		shared.Del("axe")
	}
	if fixed.HubID != 0 {
		shared.Del("hub")
		shared.Del("entree")
	}
	here := pageURL(action, shared, res.Number, r.After, r.Before)
	lv.ShareURL = s.Config.BaseURL.String() + here
	lv.Filtered = len(f.Axes) > 0 && fixed.AxisID == 0 || (len(f.Entries) > 0 && fixed.HubID == 0) || len(f.Categories) > 0 ||
		len(f.Regions) > 0 || len(f.Departements) > 0 || (len(f.Hubs) > 0 && fixed.HubID == 0) || f.ReactsTo != 0 || len(f.Answers) > 0 || len(f.Assisted) > 0
	axisLabels := map[int64]string{}
	for _, a := range p.Consultation.Axes {
		axisLabels[a.ID] = "Axe " + strconv.Itoa(a.Position)
	}
	for _, it := range res.Items {
		cd := newCard(it, axisLabels[it.AxisID], supportView{
			ID: it.ID, Count: it.Supports, Unit: supportUnit(it.Supports), Supported: supported[it.ID], Own: it.IsOwn(actor(v)), SignedIn: v != nil,
			Open: p.Open(), CSRF: p.CSRF, Back: here,
		})
		if res.Search != nil {
			cd.TitleHTML, cd.ExcerptHTML = res.Search.Titles[it.ID], res.Search.Excerpts[it.ID]
		}
		lv.Cards = append(lv.Cards, cd)
	}
	lv.Fields = listFields(p, refs, f, res.Facets, fixed)
	for i := range lv.Fields {
		lv.Fields[i].OptionsHTML = optionsHTML(lv.Fields[i].Options)
	}
	if f.Text != "" {
		lv.Sorts = append(lv.Sorts, filterOption{Value: string(query.SortRelevance), Label: query.SortRelevance.Label(),
			Text: query.SortRelevance.Label(), Selected: r.Sort == query.SortRelevance})
	}
	for _, so := range query.Sorts {
		lv.Sorts = append(lv.Sorts, filterOption{Value: string(so), Label: so.Label(), Text: so.Label(), Selected: so == r.Sort})
	}
	lv.Pages, lv.First, lv.Prev, lv.Next, lv.Last = pagination(action, shared, res.IDPage)
	return lv, nil
}

func listHeading(fixed listFixed) string {
	switch {
	case fixed.AxisID != 0:
		return "Les contributions sur cet axe"
	case fixed.HubID != 0:
		return "Les propositions du Hub"
	case fixed.AuthorID != 0:
		return "Ses contributions"
	}
	return ""
}

// visitorSeed returns the random-order seed of this browser, set in a cookie
// on first use, so that the random order stays the same while browsing.
func (s *Server) visitorSeed(c *fiber.Ctx) int64 {
	if n, err := strconv.ParseInt(c.Cookies(seedCookie), 10, 64); err == nil && n > 0 && n < 1<<31 {
		return n
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	n := int64(binary.BigEndian.Uint32(b[:])&0x7ffffffe) + 1
	c.Cookie(&fiber.Cookie{Name: seedCookie, Value: strconv.FormatInt(n, 10), Path: "/",
		Expires: s.Now().Add(30 * 24 * time.Hour), HTTPOnly: true, Secure: s.Config.Secure(), SameSite: fiber.CookieSameSiteLaxMode})
	return n
}

// pageURL is the address of page number of a list, with the cursor that
// reaches it (after or before a row) when it is not near an end.
func pageURL(action string, v url.Values, number int, after, before string) string {
	if number > 1 || after != "" || before != "" {
		v = cloneValues(v)
		if number > 1 {
			v.Set(query.ParamPage, strconv.Itoa(number))
		}
		if after != "" {
			v.Set(query.ParamAfter, after)
		}
		if before != "" {
			v.Set(query.ParamBefore, before)
		}
	}
	if len(v) == 0 {
		return action
	}
	return action + "?" + v.Encode()
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// pagination returns the links around page p: the first and last pages, the
// previous and next pages through their cursors, and the numbered pages that
// lie near an end of the list (reached by number without a deep scan).
func pagination(action string, v url.Values, p query.IDPage) (links []pageLink, first, prev, next, last string) {
	if p.Pages <= 1 {
		return nil, "", "", "", ""
	}
	near := func(n int) bool { return (n-1)*p.PerPage <= 1000 || (p.Pages-n)*p.PerPage <= 1000 }
	for n := max(1, p.Number-2); n <= min(p.Pages, p.Number+2); n++ {
		if n == p.Number {
			link := pageLink{Number: n, Current: true}
			if near(n) {
				link.URL = pageURL(action, v, n, "", "")
			}
			links = append(links, link)
		} else if near(n) {
			links = append(links, pageLink{Number: n, URL: pageURL(action, v, n, "", "")})
		}
	}
	if p.Number > 1 {
		first = pageURL(action, v, 1, "", "")
		prev = pageURL(action, v, p.Number-1, "", p.Prev)
		if near(p.Number - 1) {
			prev = pageURL(action, v, p.Number-1, "", "")
		}
	}
	if p.Number < p.Pages && p.Next != "" {
		next = pageURL(action, v, p.Number+1, p.Next, "")
		if near(p.Number + 1) {
			next = pageURL(action, v, p.Number+1, "", "")
		}
		last = pageURL(action, v, p.Pages, "", "")
	}
	return links, first, prev, next, last
}

type contributionListPage struct {
	Page
	List *listView
}

func (s *Server) contributionList(c *fiber.Ctx) error {
	p, err := s.contributionPage(c, "Les contributions")
	if err != nil {
		return err
	}
	lv, err := s.buildList(c, p, "/contributions", listFixed{})
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplContributionList, contributionListPage{Page: p, List: lv})
}
