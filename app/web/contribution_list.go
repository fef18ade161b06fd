package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/contribution"
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
	Name    string
	Label   string
	Options []filterOption
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
	Byline        string // the Hub's name, or the author's name and category
	Details       string // territory, date, arguments
	ReactsToTitle string
	Support       supportView
	TitleHTML     template.HTML // search results: the title with the words found marked
	ExcerptHTML   template.HTML // search results: the passage where they were found
}

func newCard(v contribution.View, axisLabel string, support supportView) card {
	c := card{ID: v.ID, Title: v.Title, Excerpt: v.Excerpt(), HubProposal: v.IsHubProposal(), AxisLabel: axisLabel,
		ReactionLabel: v.ReactionLabel(), ReactsToTitle: v.ReactsToTitle, Support: support}
	switch {
	case c.HubProposal:
		c.Byline = v.HubName
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
	Query       contribution.ListQuery
	Result      contribution.Result
	Cards       []card
	Pages       []pageLink
	Prev        string
	Next        string
	ShareURL    string
	Filtered    bool
	Open        bool
	SignedIn    bool
	Search      *searchInfo // when the list answers a text search
}

// listFixed says which filter a page fixes through its path.
type listFixed struct {
	AxisID   int64
	HubID    int64
	AuthorID int64
}

const seedCookie = "graine"

// buildList returns the list of the request. Anonymous visitors all see the
// same list for the same parsed query, so its rendered HTML is kept as long as
// the list order is (contribution.DefaultListTTL) and dropped by any change
// made through this process; signed-in visitors get it computed for them.
// The cache key is built from the parsed, normalised query: parameters the
// list does not know, or repeated ones, map to the same entry. Random orders
// are not cached for anonymous visitors (one seed per browser, or per
// cookieless bot, would make one entry each).
func (s *Server) buildList(c *fiber.Ctx, p Page, action string, fixed listFixed) (*listView, error) {
	if err := s.limitSearchQuery(c, p.User); err != nil {
		return nil, err
	}
	var seed int64
	if c.Query(contribution.ParamSort) == contribution.SortRandom {
		if n, err := strconv.ParseInt(c.Query(contribution.ParamSeed), 10, 64); err != nil || n <= 0 || n >= 1<<31 {
			seed = s.visitorSeed(c)
		}
	}
	lq, err := s.parseList(c, p, fixed, seed)
	if err != nil {
		return nil, err
	}
	norm := lq.q.Values(p.Consultation.Axes, lq.refs)
	norm.Set(contribution.ParamPage, strconv.Itoa(lq.q.Page))
	key := action + "?" + norm.Encode() + "|" + strconv.FormatInt(fixed.AxisID, 10) + "|" + strconv.FormatInt(fixed.HubID, 10) +
		"|" + strconv.FormatInt(fixed.AuthorID, 10) + "|" + strconv.FormatBool(p.Open())
	random := lq.q.Sort == contribution.SortRandom
	if p.User != nil {
		lv, err := s.computeList(c, p, action, fixed, lq)
		if err != nil || random {
			return lv, err
		}
		// The filter form does not depend on the viewer: rendered once for all.
		v, err := s.Contributions.CacheList(c.UserContext(), "filters|"+key, func(context.Context) (any, error) {
			var buf bytes.Buffer
			if err := s.render.pages[tplContributionList].ExecuteTemplate(&buf, "contribution-filters", lv); err != nil {
				return nil, fmt.Errorf("render filters: %w", err)
			}
			return template.HTML(buf.String()), nil // produced by html/template: escaped
		})
		if err != nil {
			return nil, err
		}
		lv.FiltersHTML = v.(template.HTML)
		return lv, nil
	}
	if random {
		return s.computeList(c, p, action, fixed, lq)
	}
	v, err := s.Contributions.CacheList(c.UserContext(), key, func(context.Context) (any, error) {
		lv, err := s.computeList(c, p, action, fixed, lq)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := s.render.pages[tplContributionList].ExecuteTemplate(&buf, "contribution-list", lv); err != nil {
			return nil, fmt.Errorf("render list: %w", err)
		}
		return template.HTML(buf.String()), nil // produced by html/template: escaped
	})
	if err != nil {
		return nil, err
	}
	return &listView{HTML: v.(template.HTML)}, nil
}

// parsedList is the list query of a request, read once.
type parsedList struct {
	q         contribution.ListQuery
	refs      *contribution.Reference
	relevance bool // sorted by relevance to the searched text
}

// parseList reads the list query of the request with the filter the page
// fixes through its path.
func (s *Server) parseList(c *fiber.Ctx, p Page, fixed listFixed, seed int64) (parsedList, error) {
	refs, err := s.Contributions.Refs(c.UserContext())
	if err != nil {
		return parsedList{}, err
	}
	values, _ := url.ParseQuery(string(c.Request().URI().QueryString())) // a bad escape drops only its pair
	q := contribution.ParseListQuery(values, p.Consultation.Axes, refs)
	q.ConsultationID = p.Consultation.ID
	if fixed.AxisID != 0 {
		q.AxisID = fixed.AxisID
	}
	if fixed.HubID != 0 {
		q.HubID, q.Entry = fixed.HubID, contribution.EntryHubs
	}
	q.AuthorID = fixed.AuthorID
	if q.Sort == contribution.SortRandom && q.Seed == 0 {
		q.Seed = seed
	}
	relevance := q.Query != "" && (values.Get(contribution.ParamSort) == "" || values.Get(contribution.ParamSort) == sortRelevance)
	if relevance {
		q.Sort = sortRelevance
	}
	return parsedList{q: q, refs: refs, relevance: relevance}, nil
}

// computeList runs the list query of the request and prepares what the list
// partial shows. Its queries do not depend on the page size.
func (s *Server) computeList(c *fiber.Ctx, p Page, action string, fixed listFixed, lq parsedList) (*listView, error) {
	ctx := c.UserContext()
	q, refs, relevance := lq.q, lq.refs, lq.relevance
	var err error
	var res contribution.Result
	var found *searchInfo
	if q.Query != "" {
		res, found, err = s.searchList(ctx, q)
	} else {
		res, err = s.Contributions.List(ctx, q)
	}
	if err != nil {
		return nil, err
	}
	q.Page = res.Page
	v := p.User
	ids := make([]int64, len(res.Items))
	for i, it := range res.Items {
		ids[i] = it.ID
	}
	var supported map[int64]bool
	if v != nil {
		if supported, err = s.Contributions.Supported(ctx, v.ID, ids); err != nil {
			return nil, err
		}
	}
	lv := &listView{Heading: listHeading(fixed), Action: action, Query: q, Result: res, Open: p.Open(), SignedIn: v != nil, Search: found}
	shared := q.Values(p.Consultation.Axes, refs)
	if q.Query != "" && q.Sort == contribution.SortRecent { // with a text the default is relevance
		shared.Set(contribution.ParamSort, contribution.SortRecent)
	}
	if fixed.AxisID != 0 {
		shared.Del(contribution.ParamAxis)
	}
	if fixed.HubID != 0 {
		shared.Del(contribution.ParamHub)
		shared.Del(contribution.ParamEntry)
	}
	lv.ShareURL = s.Config.BaseURL.String() + pageURL(action, shared, q.Page)
	lv.Filtered = q.AxisID != fixed.AxisID || (q.Entry != "" && fixed.HubID == 0) || q.Category != "" || q.RegionID != 0 ||
		q.DepartementID != 0 || q.HubID != fixed.HubID || q.ReactsToID != 0
	back := pageURL(action, shared, q.Page)
	axisLabels := map[int64]string{}
	for _, a := range p.Consultation.Axes {
		axisLabels[a.ID] = "Axe " + strconv.Itoa(a.Position)
	}
	for _, it := range res.Items {
		cd := newCard(it, axisLabels[it.AxisID], supportView{
			ID: it.ID, Count: it.Supports, Unit: supportUnit(it.Supports), Supported: supported[it.ID], Own: it.IsOwn(actor(v)), SignedIn: v != nil,
			Open: p.Open(), CSRF: p.CSRF, Back: back,
		})
		if found != nil {
			cd.TitleHTML, cd.ExcerptHTML = found.Titles[it.ID], found.Excerpts[it.ID]
		}
		lv.Cards = append(lv.Cards, cd)
	}
	lv.Fields = listFields(p, refs, q, res.Facets, fixed)
	for i := range lv.Fields {
		for j := range lv.Fields[i].Options {
			o := &lv.Fields[i].Options[j]
			o.Text = o.Label + " (" + strconv.Itoa(o.Count) + ")"
		}
	}
	if q.Query != "" {
		lv.Sorts = append(lv.Sorts, filterOption{Value: sortRelevance, Label: "Pertinence", Text: "Pertinence", Selected: relevance})
	}
	for _, so := range contribution.Sorts {
		lv.Sorts = append(lv.Sorts, filterOption{Value: so, Label: contribution.SortLabel(so), Text: contribution.SortLabel(so), Selected: so == q.Sort})
	}
	lv.Pages, lv.Prev, lv.Next = pagination(action, shared, res.Page, res.Pages)
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

func pageURL(action string, v url.Values, page int) string {
	if page > 1 {
		v = cloneValues(v)
		v.Set(contribution.ParamPage, strconv.Itoa(page))
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

// pagination returns the links around the current page.
func pagination(action string, v url.Values, page, pages int) (links []pageLink, prev, next string) {
	if pages <= 1 {
		return nil, "", ""
	}
	for n := max(1, page-3); n <= min(pages, page+3); n++ {
		links = append(links, pageLink{Number: n, URL: pageURL(action, v, n), Current: n == page})
	}
	if page > 1 {
		prev = pageURL(action, v, page-1)
	}
	if page < pages {
		next = pageURL(action, v, page+1)
	}
	return links, prev, next
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
