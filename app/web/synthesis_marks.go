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

// markTarget reads the contribution id of a marking form.
func markTarget(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

// markDone are the confirmations of the contribution page, by code: the URL
// carries the code, never the text.
var markDone = map[string]string{
	"etiquette":         "Étiquette ajoutée.",
	"etiquette-retiree": "Étiquette retirée.",
	"retenue":           "Contribution retenue pour le rapport.",
	"non-retenue":       "Contribution retirée de la sélection du rapport.",
	"note":              "Note ajoutée.",
	"note-publique":     "Note publique enregistrée : elle sera imprimée sous la contribution dans le rapport.",
	"reponse":           "Réponse officielle enregistrée et publiée sur la page de la contribution.",
}

// afterMark translates the store's answer and goes back to the contribution
// page of the workspace (or to the list the form came from).
func (s *Server) afterMark(c *fiber.Ctx, id int64, err error, done string) error {
	var msg string
	switch {
	case errors.Is(err, synthesis.ErrNotFound):
		return fiber.ErrNotFound
	case errors.Is(err, synthesis.ErrTagInvalid), errors.Is(err, synthesis.ErrNoteInvalid), errors.Is(err, synthesis.ErrPublicNoteInvalid):
		return &UserError{Status: http.StatusUnprocessableEntity, Message: err.Error()}
	case err != nil:
		return err
	default:
		msg = done
	}
	if back := c.FormValue("retour"); back != "" && synthesisBack(back) == back {
		return c.Redirect(back, http.StatusSeeOther) // the list the form came from
	}
	q := url.Values{"fait": {msg}}
	return c.Redirect("/synthese/contributions/"+strconv.FormatInt(id, 10)+"?"+q.Encode(), http.StatusSeeOther)
}

func (s *Server) synthesisAddTag(c *fiber.Ctx, v *account.Viewer) error {
	id, err := markTarget(c)
	if err != nil {
		return err
	}
	_, err = s.Synthesis.AddTag(c.UserContext(), id, v.ID, c.FormValue("etiquette"))
	return s.afterMark(c, id, err, "etiquette")
}

func (s *Server) synthesisRemoveTag(c *fiber.Ctx, v *account.Viewer) error {
	id, err := markTarget(c)
	if err != nil {
		return err
	}
	err = s.Synthesis.RemoveTag(c.UserContext(), id, c.FormValue("etiquette"))
	return s.afterMark(c, id, err, "etiquette-retiree")
}

func (s *Server) synthesisRetain(c *fiber.Ctx, v *account.Viewer) error {
	id, err := markTarget(c)
	if err != nil {
		return err
	}
	retain := c.FormValue("retenue") == "1"
	err = s.Synthesis.SetRetained(c.UserContext(), id, v.ID, retain)
	done := "retenue"
	if !retain {
		done = "non-retenue"
	}
	return s.afterMark(c, id, err, done)
}

func (s *Server) synthesisAddNote(c *fiber.Ctx, v *account.Viewer) error {
	id, err := markTarget(c)
	if err != nil {
		return err
	}
	err = s.Synthesis.AddNote(c.UserContext(), id, v.ID, c.FormValue("note"))
	return s.afterMark(c, id, err, "note")
}

// synthesisSaveSet saves the current view under a name. The view is parsed
// again, so only known filters are kept.
func (s *Server) synthesisSaveSet(c *fiber.Ctx, v *account.Viewer) error {
	refs, err := s.Synthesis.LoadRefs(c.UserContext())
	if err != nil {
		return err
	}
	q, _ := url.ParseQuery(c.FormValue("filtres"))
	f := synthesis.ParseFilter(q, refs, false)
	_, err = s.Synthesis.SaveFilterSet(c.UserContext(), v.ID, c.FormValue("nom"), f.QueryString())
	switch {
	case errors.Is(err, synthesis.ErrNameInvalid), errors.Is(err, synthesis.ErrNameTaken), errors.Is(err, synthesis.ErrQueryTooLong):
		return &UserError{Status: http.StatusUnprocessableEntity, Message: err.Error()}
	case err != nil:
		return err
	}
	return c.Redirect(withQuery("/synthese", f.QueryString()), http.StatusSeeOther)
}

func (s *Server) synthesisDeleteSet(c *fiber.Ctx, v *account.Viewer) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return fiber.ErrNotFound
	}
	err = s.Synthesis.DeleteFilterSet(c.UserContext(), v.ID, id)
	if errors.Is(err, synthesis.ErrNotFound) {
		return &UserError{Status: http.StatusNotFound, Message: "Cette sélection n'existe pas ou ne vous appartient pas."}
	}
	if err != nil {
		return err
	}
	return c.Redirect("/synthese", http.StatusSeeOther)
}

// synthesisPublicNote sets the public note of a retained contribution.
func (s *Server) synthesisPublicNote(c *fiber.Ctx, v *account.Viewer) error {
	id, err := markTarget(c)
	if err != nil {
		return err
	}
	err = s.Synthesis.SetPublicNote(c.UserContext(), id, c.FormValue("note_publique"))
	if errors.Is(err, synthesis.ErrNotFound) {
		return &UserError{Status: http.StatusUnprocessableEntity, Message: "Retenez d'abord la contribution pour le rapport : la note publique accompagne les contributions retenues."}
	}
	return s.afterMark(c, id, err, "note-publique")
}
