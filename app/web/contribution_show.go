package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/cnr-numerique/concertation/app/answer"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/gofiber/fiber/v2"
)

type contributionShowPage struct {
	Page
	HTML        template.HTML // the main part already rendered, when cached
	C           contribution.View
	AxisLabel   string
	AxisSlug    string
	Body        any // template.HTML from contribution.RenderBody
	Support     supportView
	Arguments   []argumentThread
	NewArgument argumentFormView
	Reactions   []contribution.View
	CanEdit     bool
	CanReact    bool // a free contribution may react to this Hub proposal
	Back        string
	Answer      *answer.Answer // the official answer of the consultation team, if any
	// AssistedSupport is the médiateur's part: supports of the people at
	// their side (nil for anyone else).
	AssistedSupport *assistedSupportView
}

// argumentThread is an argument with its replies and its reply form.
type argumentThread struct {
	contribution.Argument
	Form argumentFormView
}

// argumentFormView is the form to argue, or to reply when ParentID is set.
type argumentFormView struct {
	ContributionID int64
	ParentID       int64
	CSRF           string
	Stances        []filterOption
}

const maxReactionsShown = 50

// shownContribution is the main part of a contribution page as anonymous
// visitors see it, rendered once for all of them for a short time.
type shownContribution struct {
	Title string
	HTML  template.HTML
}

// contributionShow serves a contribution page. Anonymous visitors all see the
// same page, so its main part is kept as long as list orders are (a couple of
// seconds) and dropped by any change made through this process.
func (s *Server) contributionShow(c *fiber.Ctx) error {
	id, err := contributionID(c)
	if err != nil {
		return err
	}
	p, err := s.contributionPage(c, "")
	if err != nil {
		return err
	}
	if p.User != nil {
		data, err := s.showData(c.UserContext(), c, p, id, c.Path())
		if err != nil {
			return err
		}
		return s.render.Render(c, http.StatusOK, tplContributionShow, data)
	}
	key := "show|" + strconv.FormatInt(id, 10) + "|" + strconv.FormatBool(p.Open())
	v, err := s.Query.CacheList(c.UserContext(), key, anonymousListTTL, func(ctx context.Context) (any, error) {
		if c.Path() == pagePath(id) { // the address the stored page was rendered for
			if shown, ok, err := s.storedMain(ctx, p, id); err != nil || ok {
				return shown, err
			}
		}
		data, err := s.showData(ctx, c, p, id, c.Path())
		if err != nil {
			return nil, err
		}
		return s.renderMain(&data)
	})
	if err != nil {
		return err
	}
	var shown shownContribution
	switch v := v.(type) {
	case storedShown:
		if s.writeStored(c, p, &v) {
			return nil
		}
		if shown, err = v.html(); err != nil {
			return err
		}
	case shownContribution:
		shown = v
	}
	p.Title = shown.Title
	return s.render.Render(c, http.StatusOK, tplContributionShow, contributionShowPage{Page: p, HTML: shown.HTML})
}

// renderMain renders the main part of an anonymous visitor's page.
func (s *Server) renderMain(data *contributionShowPage) (shownContribution, error) {
	if data.anonymousMainHTML() {
		var b strings.Builder
		b.Grow(8 << 10)
		data.writeContributionMain(&b)
		return shownContribution{Title: data.Title, HTML: template.HTML(b.String())}, nil // escaped as html/template does
	}
	var buf bytes.Buffer
	if err := s.render.pages[tplContributionShow].ExecuteTemplate(&buf, "contribution-main", data); err != nil {
		return shownContribution{}, fmt.Errorf("render contribution: %w", err)
	}
	return shownContribution{Title: data.Title, HTML: template.HTML(buf.String())}, nil // escaped by html/template
}

// showData loads what the page of contribution id, at the address back,
// shows to the viewer of p; c is the request, which only a signed-in
// viewer's page reads (nil when the page renderer renders).
func (s *Server) showData(ctx context.Context, c *fiber.Ctx, p Page, id int64, back string) (contributionShowPage, error) {
	// The contribution, its arguments and whether it has an official
	// answer are read in one statement; the answer, which few have, after.
	var b db.Batch
	getShown, err := s.Contributions.QueueShow(ctx, &b, id)
	if err != nil {
		return contributionShowPage{}, err
	}
	if err := s.DB.Run(ctx, &b); err != nil {
		return contributionShowPage{}, fmt.Errorf("contribution %d: %w", id, err)
	}
	shown, err := getShown()
	if err != nil {
		return contributionShowPage{}, contributionError(err)
	}
	v := shown.View
	if v.ConsultationID != p.Consultation.ID {
		return contributionShowPage{}, errContributionNotFound
	}
	p.Title = v.Title
	data := contributionShowPage{Page: p, C: v, Back: back}
	if v.Hidden() {
		data.Title = "Contribution masquée"
		return data, nil
	}
	for _, a := range p.Consultation.Axes {
		if a.ID == v.AxisID {
			data.AxisLabel, data.AxisSlug = "Axe "+strconv.Itoa(a.Position)+" : "+a.Title, a.Slug
		}
	}
	data.Body = contribution.RenderBody(v.Body)
	if shown.Answered {
		a, ok, err := s.Answers.Get(ctx, id)
		if err != nil {
			return data, err
		}
		if ok {
			data.Answer = &a
		}
	}
	me := actor(p.User)
	supported := map[int64]bool{}
	if p.User != nil {
		if supported, err = s.Contributions.Supported(ctx, p.User.ID, []int64{id}); err != nil {
			return data, err
		}
	}
	data.Support = supportView{ID: id, Count: v.Supports, Unit: supportUnit(v.Supports), Supported: supported[id], Own: v.IsOwn(me),
		SignedIn: p.User != nil, Open: p.Open() && v.Published(), CSRF: p.CSRF, Back: back}
	data.CanEdit = p.Open() && v.CanEdit(me)
	if p.User != nil && p.Open() && v.Published() {
		if data.AssistedSupport, err = s.assistedSupportFor(c, p.User, id, p.CSRF); err != nil {
			return data, err
		}
	}
	data.CanReact = p.Open() && v.Published() && v.IsHubProposal()
	args := shown.Arguments
	var stances []filterOption
	for _, st := range contribution.Stances {
		stances = append(stances, filterOption{Value: st, Label: contribution.StanceLabel(st)})
	}
	for _, a := range args {
		data.Arguments = append(data.Arguments, argumentThread{Argument: a,
			Form: argumentFormView{ContributionID: id, ParentID: a.ID, CSRF: p.CSRF, Stances: stances}})
	}
	data.NewArgument = argumentFormView{ContributionID: id, CSRF: p.CSRF, Stances: stances}
	if v.IsHubProposal() {
		if data.Reactions, err = s.Contributions.Reactions(ctx, id, maxReactionsShown); err != nil {
			return data, err
		}
	}
	return data, nil
}
