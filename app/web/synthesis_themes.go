package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/synthesis"
	"github.com/gofiber/fiber/v2"
)

// Theme pages of the workspace.
const (
	tplSynthesisThemes = "synthesis/themes"
	tplSynthesisTheme  = "synthesis/theme"
)

type themesPage struct {
	Page
	Runs     []synthesis.ThemeRun
	Active   *synthesis.ThemeRun
	Current  *synthesis.ThemeRun
	Themes   []synthesis.ThemeInfo
	Open     []synthesis.ThemeInfo // themes that can still be merged into
	Filters  []string
	Query    string
	Wanted   int
	ViewText string
}

// synthesisThemes shows the analyses of the themes: the one running (with
// its progress), and the themes of the latest finished one.
func (s *Server) synthesisThemes(c *fiber.Ctx, v *account.Viewer) error {
	refs, f, err := s.synthesisView(c, false)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	runs, err := s.Synthesis.LatestThemeRuns(ctx, refs, 10)
	if err != nil {
		return err
	}
	p, err := s.page(c, "Thèmes des contributions")
	if err != nil {
		return err
	}
	p.Flash = themeDone[c.Query("fait")]
	data := themesPage{Page: p, Runs: runs, Filters: f.Describe(refs), Query: f.QueryString(), Wanted: 12}
	for i := range runs {
		if runs[i].Active() {
			data.Active = &runs[i]
			break
		}
	}
	cur, err := s.Synthesis.CurrentThemeRun(ctx, refs)
	switch {
	case errors.Is(err, synthesis.ErrNotFound):
	case err != nil:
		return err
	default:
		data.Current = &cur
		if data.Themes, err = s.Synthesis.Themes(ctx, cur.ID, 3); err != nil {
			return err
		}
		for _, t := range data.Themes {
			if t.Open() {
				data.Open = append(data.Open, t)
			}
		}
		q, _ := url.ParseQuery(cur.Query)
		data.ViewText = joinOrWhole(synthesis.ParseFilter(q, refs, false).Describe(refs))
	}
	return s.render.Render(c, http.StatusOK, tplSynthesisThemes, data)
}

func joinOrWhole(lines []string) string {
	if len(lines) == 0 {
		return "toute la consultation"
	}
	out := ""
	for i, l := range lines {
		if i > 0 {
			out += " ; "
		}
		out += l
	}
	return out
}

// themeDone are the confirmations of the theme pages, by code.
var themeDone = map[string]string{
	"analyse":   "Analyse demandée : elle tourne en arrière-plan. Actualisez la page pour suivre sa progression.",
	"renomme":   "Thème renommé.",
	"valide":    "Thème validé : il figurera dans le rapport.",
	"rejete":    "Thème rejeté.",
	"propose":   "Thème remis à l'état proposé.",
	"fusionne":  "Thèmes fusionnés.",
	"scission":  "Scission demandée : elle tourne en arrière-plan.",
	"ajoutee":   "Contribution ajoutée au thème.",
	"retiree":   "Contribution retirée du thème.",
	"existante": "",
}

// synthesisThemeRun queues an analysis of the view given in the form.
func (s *Server) synthesisThemeRun(c *fiber.Ctx, v *account.Viewer) error {
	refs, err := s.Synthesis.LoadRefs(c.UserContext())
	if err != nil {
		return err
	}
	q, _ := url.ParseQuery(c.FormValue("filtres"))
	f := synthesis.ParseFilter(q, refs, false)
	n, err := strconv.Atoi(c.FormValue("nombre"))
	if err != nil {
		return &UserError{Status: http.StatusUnprocessableEntity, Message: synthesis.ErrThemesWanted.Error()}
	}
	_, err = s.Synthesis.RequestThemeRun(c.UserContext(), refs, f, n, v.ID)
	if errors.Is(err, synthesis.ErrRunActive) || errors.Is(err, synthesis.ErrThemesWanted) {
		return &UserError{Status: http.StatusConflict, Message: err.Error()}
	}
	if err != nil {
		return err
	}
	return c.Redirect(withQuery("/synthese/themes", url.Values{"fait": {"analyse"}}.Encode()), http.StatusSeeOther)
}

type themePage struct {
	Page
	Theme   synthesis.ThemeInfo
	Members []synthesis.ThemeMember
	History []synthesis.ThemeChange
	Others  []synthesis.ThemeInfo
	Page2   int
	Next    string
	Prev    string
}

const themeMembersPerPage = 50

// synthesisTheme shows one theme: its contributions by weight, the forms to
// change it, and its history.
func (s *Server) synthesisTheme(c *fiber.Ctx, v *account.Viewer) error {
	id, err := markTarget(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	t, err := s.Synthesis.Theme(ctx, id)
	if errors.Is(err, synthesis.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	page := max(1, c.QueryInt("page", 1))
	members, err := s.Synthesis.ThemeMembers(ctx, id, page, themeMembersPerPage)
	if err != nil {
		return err
	}
	hist, err := s.Synthesis.ThemeHistory(ctx, id)
	if err != nil {
		return err
	}
	all, err := s.Synthesis.Themes(ctx, t.RunID, 0)
	if err != nil {
		return err
	}
	p, err := s.page(c, "Thème : "+t.Label)
	if err != nil {
		return err
	}
	p.Flash = themeDone[c.Query("fait")]
	data := themePage{Page: p, Theme: t, Members: members, History: hist, Page2: page}
	for _, o := range all {
		if o.ID != t.ID && o.Open() {
			data.Others = append(data.Others, o)
		}
	}
	base := "/synthese/themes/" + strconv.FormatInt(id, 10)
	if page > 1 {
		data.Prev = base + "?page=" + strconv.Itoa(page-1)
	}
	if page*themeMembersPerPage < t.Size {
		data.Next = base + "?page=" + strconv.Itoa(page+1)
	}
	return s.render.Render(c, http.StatusOK, tplSynthesisTheme, data)
}

// themeEdit wraps one change of a theme: it reads the theme id, runs do and
// translates its error, then goes back to the theme page (or to the list).
func (s *Server) themeEdit(do func(c *fiber.Ctx, v *account.Viewer, id int64) (string, error)) func(*fiber.Ctx, *account.Viewer) error {
	return func(c *fiber.Ctx, v *account.Viewer) error {
		id, err := markTarget(c)
		if err != nil {
			return err
		}
		done, err := do(c, v, id)
		switch {
		case errors.Is(err, synthesis.ErrNotFound):
			return &UserError{Status: http.StatusNotFound, Message: "Ce thème ou cette contribution n'existe pas."}
		case errors.Is(err, synthesis.ErrThemeLabel), errors.Is(err, synthesis.ErrThemeSame), errors.Is(err, synthesis.ErrNotMember),
			errors.Is(err, synthesis.ErrAlready):
			return &UserError{Status: http.StatusUnprocessableEntity, Message: err.Error()}
		case errors.Is(err, synthesis.ErrThemeClosed), errors.Is(err, synthesis.ErrRunActive):
			return &UserError{Status: http.StatusConflict, Message: err.Error()}
		case err != nil:
			return err
		}
		target := "/synthese/themes/" + strconv.FormatInt(id, 10)
		if c.FormValue("retour") == "liste" || done == "fusionne" || done == "scission" {
			target = "/synthese/themes"
		}
		return c.Redirect(target+"?"+url.Values{"fait": {done}}.Encode(), http.StatusSeeOther)
	}
}

func (s *Server) synthesisThemeRename(c *fiber.Ctx, v *account.Viewer, id int64) (string, error) {
	return "renomme", s.Synthesis.RenameTheme(c.UserContext(), id, v.ID, c.FormValue("libelle"))
}

func (s *Server) synthesisThemeStatus(c *fiber.Ctx, v *account.Viewer, id int64) (string, error) {
	st := c.FormValue("statut")
	if st != synthesis.ThemeValidated && st != synthesis.ThemeRejected && st != synthesis.ThemeProposed {
		return "", &UserError{Status: http.StatusUnprocessableEntity, Message: "Choisissez : valider, rejeter ou remettre à l'état proposé."}
	}
	return st, s.Synthesis.SetThemeStatus(c.UserContext(), id, v.ID, st)
}

func (s *Server) synthesisThemeMerge(c *fiber.Ctx, v *account.Viewer, id int64) (string, error) {
	from, err := strconv.ParseInt(c.FormValue("avec"), 10, 64)
	if err != nil || from <= 0 {
		return "", &UserError{Status: http.StatusUnprocessableEntity, Message: "Choisissez le thème à fusionner dans celui-ci."}
	}
	return "fusionne", s.Synthesis.MergeThemes(c.UserContext(), id, from, v.ID)
}

func (s *Server) synthesisThemeSplit(c *fiber.Ctx, v *account.Viewer, id int64) (string, error) {
	refs, err := s.Synthesis.LoadRefs(c.UserContext())
	if err != nil {
		return "", err
	}
	return "scission", s.Synthesis.RequestThemeSplit(c.UserContext(), refs, id, v.ID)
}

func (s *Server) synthesisThemeAdd(c *fiber.Ctx, v *account.Viewer, id int64) (string, error) {
	cid, err := strconv.ParseInt(c.FormValue("numero"), 10, 64)
	if err != nil || cid <= 0 {
		return "", &UserError{Status: http.StatusUnprocessableEntity, Message: "Indiquez le numéro de la contribution à ajouter."}
	}
	return "ajoutee", s.Synthesis.AddThemeMember(c.UserContext(), id, cid, v.ID)
}

func (s *Server) synthesisThemeRemove(c *fiber.Ctx, v *account.Viewer, id int64) (string, error) {
	cid, err := strconv.ParseInt(c.Params("cid"), 10, 64)
	if err != nil || cid <= 0 {
		return "", fiber.ErrNotFound
	}
	return "retiree", s.Synthesis.RemoveThemeMember(c.UserContext(), id, cid, v.ID)
}

// pair is one key and value of orderedPairs.
type pair struct{ Key, Value string }

// orderedPairs turns "k1" "v1" "k2" "v2"… into an ordered map for templates
// ({{range $k, $v := dict …}} iterates a map in key order, so a slice of
// pairs keeps the written order).
func orderedPairs(kv ...string) []pair {
	var out []pair
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, pair{kv[i], kv[i+1]})
	}
	return out
}
