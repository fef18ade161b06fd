package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/gofiber/fiber/v2"
)

// Administration pages.
const (
	tplAdminUsers        = "admin/users"
	tplAdminHubs         = "admin/hubs"
	tplAdminHub          = "admin/hub"
	tplAdminConsultation = "admin/consultation"
)

var errAdminOnly = &UserError{Status: http.StatusForbidden,
	Message: "Cette page est réservée aux administrateurs et administratrices de la plateforme."}

// requireAdmin returns the signed-in administrator; others get a French 403
// page, and people not signed in are sent to the sign-in page (done=true).
func (s *Server) requireAdmin(c *fiber.Ctx) (v *account.Viewer, done bool, err error) {
	v = viewer(c)
	if v == nil {
		return nil, true, s.toSignIn(c)
	}
	if !v.IsAdmin() {
		return nil, true, errAdminOnly
	}
	return v, false, nil
}

type adminUsersPage struct {
	Page
	Query string
	Users []account.Listed
	Hubs  []hub.Hub
	Roles []roleOption

	Mediators mediatorForm // the role of médiateur, with its structure and territory
}

type roleOption struct{ Code, Label string }

// adminUsers searches accounts; without a query it lists accounts that hold
// a role or a Hub membership.
func (s *Server) adminUsers(c *fiber.Ctx) error {
	if _, done, err := s.requireAdmin(c); done {
		return err
	}
	p, err := s.page(c, "Utilisateurs et rôles")
	if err != nil {
		return err
	}
	p.Flash = adminNotices[c.Query("info")]
	ctx := c.UserContext()
	q := c.Query("q")
	if len(q) > 200 {
		q = q[:200]
	}
	users, err := s.Accounts.Search(ctx, q, 50)
	if err != nil {
		return err
	}
	hubs, err := s.Hubs.List(ctx)
	if err != nil {
		return err
	}
	var roles []roleOption
	for _, r := range account.Roles {
		roles = append(roles, roleOption{r, account.RoleLabel(r)})
	}
	mediators, err := s.newMediatorForm(c, users)
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplAdminUsers, adminUsersPage{Page: p, Query: q, Users: users, Hubs: hubs, Roles: roles, Mediators: mediators})
}

var adminNotices = map[string]string{
	"role":         "Le rôle a été mis à jour.",
	"hub":          "L'appartenance au Hub a été mise à jour.",
	"territoires":  "Les territoires du Hub ont été enregistrés.",
	"consultation": "Le statut de la consultation a été mis à jour.",
	"mediateur":    "Le rôle de médiateur numérique a été mis à jour.",
}

// adminUserRole grants or revokes a role (form: role, action=grant|revoke),
// or Hub membership (role=hub-member with hub=<slug>). Audited.
func (s *Server) adminUserRole(c *fiber.Ctx) error {
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
	grant := c.FormValue("action") == "grant"
	role := c.FormValue("role")
	if role == account.RoleAdmin && !grant && target.ID == admin.ID {
		return &UserError{Status: http.StatusUnprocessableEntity, Message: "Vous ne pouvez pas retirer votre propre rôle d'administrateur : demandez-le à une autre personne."}
	}
	info := "role"
	err = s.DB.InTx(ctx, func(ctx context.Context) error {
		if role == account.RoleHubMember {
			info = "hub"
			return changeHubMember(ctx, s.Accounts, s.Hubs, moderation.NewAudit(s.DB), &admin.ID, target, c.FormValue("hub"), grant)
		}
		return changeRole(ctx, s.Accounts, moderation.NewAudit(s.DB), &admin.ID, target, role, grant)
	})
	var ue *UserError
	if errors.As(err, &ue) {
		return err
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/utilisateurs?info="+info+"&q="+url.QueryEscape(target.Email), http.StatusSeeOther)
}

func changeRole(ctx context.Context, accounts *account.Store, audit *moderation.Audit, actor *int64, u account.User, role string, grant bool) error {
	if !account.ValidRole(role) {
		return &UserError{Status: http.StatusUnprocessableEntity, Message: "Ce rôle n'existe pas."}
	}
	action, change := moderation.AuditRoleRevoked, accounts.RevokeRole
	if grant {
		action, change = moderation.AuditRoleGranted, accounts.GrantRole
	}
	if err := change(ctx, u.ID, role); err != nil {
		return err
	}
	return audit.Record(ctx, actor, action, "user:"+strconv.FormatInt(u.ID, 10), map[string]any{"role": role})
}

func changeHubMember(ctx context.Context, accounts *account.Store, hubs *hub.Store, audit *moderation.Audit, actor *int64, u account.User, slug string, add bool) error {
	h, err := hubs.BySlug(ctx, slug)
	if errors.Is(err, hub.ErrNotFound) {
		return &UserError{Status: http.StatusUnprocessableEntity, Message: "Choisissez un Hub de la liste."}
	}
	if err != nil {
		return err
	}
	action := moderation.AuditHubMemberRemoved
	if add {
		action, err = moderation.AuditHubMemberAdded, accounts.AddHubMember(ctx, h.ID, u.ID)
	} else {
		err = accounts.RemoveHubMember(ctx, h.ID, u.ID)
	}
	if err != nil {
		return err
	}
	return audit.Record(ctx, actor, action, "user:"+strconv.FormatInt(u.ID, 10), map[string]any{"hub": h.Slug})
}
