package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/mediation"
	"github.com/gofiber/fiber/v2"
)

// limitClaim counts the attempts to claim a contribution with a code, per
// account and per address (claim:account and claim:ip in
// ratelimit.DefaultRules): a code cannot be guessed by trying.
const limitClaim = "claim"

// claimPage is where a person types the code of their receipt to take a
// contribution accompagnée into their account.
type claimPage struct {
	Page
	Code    string
	Problem string
	Done    int64 // the contribution just taken
}

// claimForm shows the form; people who are not signed in are told to sign
// in or create an account first (the receipt sends them here).
func (s *Server) claimForm(c *fiber.Ctx) error {
	p, err := s.page(c, "Récupérer une contribution accompagnée")
	if err != nil {
		return err
	}
	data := claimPage{Page: p}
	if id, err := strconv.ParseInt(c.Query("fait"), 10, 64); err == nil && id > 0 && p.User != nil {
		data.Done = id
	}
	return s.render.Render(c, http.StatusOK, tplMediationClaim, data)
}

// claim makes the signed-in person the author of the contribution of the
// code, then shows the page again with a link to it.
func (s *Server) claim(c *fiber.Ctx) error {
	v, err := s.requireContributor(c)
	if err != nil {
		return err
	}
	if err := s.limitAction(c, limitClaim, v); err != nil {
		return err
	}
	code := c.FormValue("code")
	got, err := s.Mediation.Claim(c.UserContext(), v.ID, code)
	problem := ""
	switch {
	case errors.Is(err, mediation.ErrCodeFormat):
		problem = "Le code a 12 chiffres. Vérifiez-le sur votre reçu. Par exemple : 1234 5678 9012."
	case errors.Is(err, contribution.ErrClaimUnknown):
		problem = "Ce code ne marche pas. Vérifiez les chiffres. S'il a déjà servi, la contribution est déjà dans un compte. " +
			"Sinon, demandez un nouveau code à votre médiateur numérique."
	case errors.Is(err, contribution.ErrClaimExpired):
		problem = "Ce code n'est plus valable : la date est passée. Demandez un nouveau code à votre médiateur numérique."
	case errors.Is(err, contribution.ErrOwn):
		return &UserError{Status: http.StatusForbidden, Message: "Vous avez écrit cette contribution comme médiateur. C'est à la personne accompagnée de la récupérer, avec son propre compte."}
	case err != nil:
		return contributionError(err)
	}
	if problem != "" {
		p, err := s.page(c, "Récupérer une contribution accompagnée")
		if err != nil {
			return err
		}
		if r := []rune(code); len(r) > 64 {
			code = string(r[:64])
		}
		return s.render.Render(c, http.StatusUnprocessableEntity, tplMediationClaim, claimPage{Page: p, Code: code, Problem: problem})
	}
	return c.Redirect("/compte/recuperer?fait="+strconv.FormatInt(got.ContributionID, 10), http.StatusSeeOther)
}
