package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/answer"
	"github.com/cnr-numerique/concertation/app/query"
	"github.com/cnr-numerique/concertation/app/synthesis"
	"github.com/gofiber/fiber/v2"
)

// Workspace pages.
const (
	tplSynthesisWorkspace    = "synthesis/workspace"
	tplSynthesisContribution = "synthesis/contribution"
	tplSynthesisReport       = "synthesis/report"
)

type link struct {
	Label string
	Href  string
	Hint  string
}

type workspacePage struct {
	Page
	Refs     synthesis.Refs
	Filter   synthesis.Filter
	Filters  []string
	Query    string // canonical query string of the view
	List     workspaceList
	Prev     string
	Next     string
	Exports  []link
	Reports  []link
	Sets     []savedSet
	Statuses []statusOption
	Back     string // this page's URL, for the forms of the list
}

// workspaceList is one page of the workspace list.
type workspaceList struct {
	Items []synthesis.Item
	Total int
	Page  int
	Pages int
}

// workspacePerPage is the size of a workspace page.
const workspacePerPage = 30

type savedSet struct {
	synthesis.FilterSet
	Href string
}

type statusOption struct {
	Value, Label string
	Checked      bool
}

// withQuery appends the query string q to path.
func withQuery(path, q string) string {
	if q == "" {
		return path
	}
	return path + "?" + q
}

func (s *Server) synthesisWorkspace(c *fiber.Ctx, v *account.Viewer) error {
	refs, f, err := s.synthesisView(c, false)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	r := query.ParseRequest(requestQuery(c))
	r.Sort, r.PerPage = query.SortRecent, workspacePerPage
	ids, err := s.Query.IDs(ctx, f, r)
	if errors.Is(err, query.ErrUnreachable) {
		return errPageOutOfReach
	}
	if err != nil {
		return err
	}
	items, err := s.Synthesis.Items(ctx, refs, ids.IDs)
	if err != nil {
		return err
	}
	list := workspaceList{Items: items, Total: ids.Total, Page: ids.Number, Pages: ids.Pages}
	sets, err := s.Synthesis.FilterSets(ctx)
	if err != nil {
		return err
	}
	p, err := s.page(c, "Espace des rapporteurs")
	if err != nil {
		return err
	}
	q := f.QueryString()
	data := workspacePage{Page: p, Refs: refs, Filter: f, Filters: f.Describe(refs), Query: q, List: list}
	for _, set := range sets {
		data.Sets = append(data.Sets, savedSet{FilterSet: set, Href: withQuery("/synthese", set.Query)})
	}
	data.Back = pageURL("/synthese", f.Query(), ids.Number, r.After, r.Before)
	if ids.Number > 1 {
		data.Prev = pageURL("/synthese", f.Query(), ids.Number-1, "", ids.Prev)
	}
	if ids.Next != "" {
		data.Next = pageURL("/synthese", f.Query(), ids.Number+1, ids.Next, "")
	}
	for _, st := range []statusOption{{"publiee", "Publiées", false}, {"masquee", "Masquées par la modération", false}, {"retiree", "Retirées par leur auteur", false}} {
		st.Checked = f.Has("statut", st.Value)
		data.Statuses = append(data.Statuses, st)
	}
	data.Exports = []link{
		{"Tableur Excel (.xlsx)", withQuery("/synthese/export/contributions.xlsx", q), "une feuille de synthèse, puis une feuille par axe"},
		{"Tableur LibreOffice (.ods)", withQuery("/synthese/export/contributions.ods", q), "format ouvert OpenDocument, une feuille par axe"},
		{"CSV pour Excel en français", withQuery("/synthese/export/contributions-excel.csv", q), "séparateur point-virgule"},
		{"CSV données ouvertes", withQuery("/synthese/export/contributions.csv", q), "séparateur virgule, UTF-8"},
		{"Archive complète CSV pour Excel (.zip)", withQuery("/synthese/export/export-excel.zip", q), "contributions, soutiens, réactions, arguments et un LISEZMOI"},
		{"Archive complète CSV données ouvertes (.zip)", withQuery("/synthese/export/export-csv.zip", q), "contributions, soutiens, réactions, arguments et datapackage.json"},
		{"Archive complète JSON Lines (.zip)", withQuery("/synthese/export/export-json.zip", q), "contributions, soutiens, réactions, arguments et datapackage.json"},
	}
	if !f.Retained {
		rq := f.Query()
		rq.Set("retenue", "1")
		only := rq.Encode()
		data.Exports = append(data.Exports,
			link{"Seulement les retenues : tableur (.xlsx)", withQuery("/synthese/export/contributions.xlsx", only), "les contributions retenues pour le rapport de cette sélection"},
			link{"Seulement les retenues : CSV données ouvertes", withQuery("/synthese/export/contributions.csv", only), "les contributions retenues pour le rapport de cette sélection"})
	}
	data.Reports = []link{
		{"Rapport de synthèse (page web imprimable)", withQuery("/synthese/rapport", q), ""},
		{"Rapport de synthèse en PDF", withQuery("/synthese/rapport.pdf", q), ""},
		{"Rapport de synthèse en ODT (traitement de texte)", withQuery("/synthese/rapport.odt", q), ""},
	}
	return s.render.Render(c, http.StatusOK, tplSynthesisWorkspace, data)
}

type synthesisContributionPage struct {
	Page
	Item         synthesis.Item
	Marks        synthesis.Marks
	Back         string
	Public       string
	Answer       answer.Answer
	HasAnswer    bool
	CanAnswer    bool // administrators answer in the name of the consultation team
	AnswerStates []answerStateOption
}

// synthesisBack returns the workspace address to go back to: the "retour"
// value when it is a workspace address, the workspace otherwise.
func synthesisBack(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" || u.Scheme != "" || u.Host != "" || len(u.Path) < 9 || u.Path[:9] != "/synthese" {
		return "/synthese"
	}
	return u.String()
}

func (s *Server) synthesisContribution(c *fiber.Ctx, v *account.Viewer) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return fiber.ErrNotFound
	}
	refs, err := s.Synthesis.LoadRefs(c.UserContext())
	if err != nil {
		return err
	}
	item, err := s.Synthesis.Item(c.UserContext(), refs, id)
	if errors.Is(err, synthesis.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	marks, err := s.Synthesis.Marks(c.UserContext(), id)
	if err != nil {
		return err
	}
	p, err := s.page(c, item.Title)
	if err != nil {
		return err
	}
	p.Flash = markDone[c.Query("fait")]
	ans, has, err := s.Answers.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplSynthesisContribution, synthesisContributionPage{
		Page: p, Item: item, Marks: marks, Back: synthesisBack(c.Query("retour")),
		Public: "/contributions/" + strconv.FormatInt(id, 10),
		Answer: ans, HasAnswer: has, CanAnswer: v.IsAdmin(), AnswerStates: answerOptions(ans.State),
	})
}
