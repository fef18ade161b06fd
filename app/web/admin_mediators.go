package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/mediation"
	"github.com/gofiber/fiber/v2"
)

// mediatorForm is the form of the role of médiateur on the administration
// page of accounts: the structure and the territory come with the role.
type mediatorForm struct {
	Kinds        []roleOption
	Regions      []hub.Territory
	Departements []hub.Territory
	Profiles     map[int64]mediation.Mediator // listed accounts that are médiateurs
}

// mediatorFormRow is the form of one listed account.
type mediatorFormRow struct {
	UserID    int64
	CSRF      string
	Form      mediatorForm
	Profile   mediation.Mediator // zero when the account is not a médiateur
	Territory string             // the territory chosen: "departement:29"
}

// For returns the form of account userID.
func (f mediatorForm) For(userID int64, csrf string) mediatorFormRow {
	r := mediatorFormRow{UserID: userID, CSRF: csrf, Form: f, Profile: f.Profiles[userID]}
	if r.Profile.UserID != 0 {
		r.Territory = r.Profile.TerritoryKind + ":" + r.Profile.TerritoryCode
	}
	return r
}

// newMediatorForm prepares the form for the listed accounts.
func (s *Server) newMediatorForm(c *fiber.Ctx, users []account.Listed) (mediatorForm, error) {
	f := mediatorForm{Profiles: map[int64]mediation.Mediator{}}
	for _, k := range mediation.StructureKinds {
		f.Kinds = append(f.Kinds, roleOption{k, mediation.StructureLabel(k)})
	}
	refs, err := s.Contributions.Refs(c.UserContext())
	if err != nil {
		return f, err
	}
	f.Regions, f.Departements = refs.Regions, refs.Departements
	for _, u := range users {
		if !u.Has(account.RoleMediator) {
			continue
		}
		m, err := s.Mediation.Get(c.UserContext(), u.ID)
		if errors.Is(err, mediation.ErrNotFound) {
			continue
		}
		if err != nil {
			return f, err
		}
		f.Profiles[u.ID] = m
	}
	return f, nil
}

// adminMediator grants the role of médiateur with its structure and
// territory (action=grant), or withdraws it (action=revoke). Audited.
func (s *Server) adminMediator(c *fiber.Ctx) error {
	admin, done, err := s.requireAdmin(c)
	if done {
		return err
	}
	userID, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	target, err := s.Accounts.ByID(ctx, userID)
	if errors.Is(err, account.ErrNotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	if c.FormValue("action") == "revoke" {
		err = s.Mediation.Revoke(ctx, &admin.ID, userID)
		if errors.Is(err, mediation.ErrNotMediator) {
			return &UserError{Status: http.StatusUnprocessableEntity, Message: "Ce compte n'a pas le rôle de médiateur numérique."}
		}
	} else {
		kind, code, _ := strings.Cut(c.FormValue("territoire"), ":")
		err = s.Mediation.Grant(ctx, &admin.ID, userID, mediation.Profile{StructureKind: c.FormValue("structure"),
			StructureName: c.FormValue("nom_structure"), TerritoryKind: kind, TerritoryCode: code})
		var inv *mediation.Invalid
		if errors.As(err, &inv) {
			return &UserError{Status: http.StatusUnprocessableEntity, Message: inv.Message}
		}
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/utilisateurs?info=mediateur&q="+url.QueryEscape(target.Email), http.StatusSeeOther)
}
