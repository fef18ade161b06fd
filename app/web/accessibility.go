package web

import (
	"net/http"
	"strconv"

	"github.com/cnr-numerique/concertation/app/accessibility"
	"github.com/gofiber/fiber/v2"
)

// tplAdminAccessibility is the administrators' list of the messages sent
// from the accessibility declaration (site/accessibility, tplAccessibility).
const tplAdminAccessibility = "admin/accessibility"

type accessibilityPage struct {
	Page
	Audit   accessibility.Audit
	Themes  []auditTheme
	Contact string // ACCESSIBILITY_CONTACT
	Form    accessibility.Message
	Errors  accessibility.FieldErrors
}

// auditTheme is the part of the grid for one RGAA theme.
type auditTheme struct {
	Name string
	Rows []accessibility.Row
}

func themes(a accessibility.Audit) []auditTheme {
	var out []auditTheme
	for _, r := range a.Rows {
		if len(out) == 0 || out[len(out)-1].Name != r.Theme {
			out = append(out, auditTheme{Name: r.Theme})
		}
		out[len(out)-1].Rows = append(out[len(out)-1].Rows, r)
	}
	return out
}

func (s *Server) accessibility(c *fiber.Ctx) error {
	return s.renderAccessibility(c, http.StatusOK, accessibility.Message{}, nil)
}

func (s *Server) renderAccessibility(c *fiber.Ctx, status int, form accessibility.Message, errs accessibility.FieldErrors) error {
	p, err := s.page(c, "Déclaration d'accessibilité")
	if err != nil {
		return err
	}
	audit, err := accessibility.Current()
	if err != nil {
		return err
	}
	return s.render.Render(c, status, tplAccessibility, accessibilityPage{Page: p, Audit: audit, Themes: themes(audit),
		Contact: s.Config.AccessibilityContact, Form: form, Errors: errs})
}

// accessibilityContact stores a message for the team and thanks its author.
// Limited per address (contact:ip).
func (s *Server) accessibilityContact(c *fiber.Ctx) error {
	if err := s.limit(c, "contact:ip", c.IP()); err != nil {
		return err
	}
	m := accessibility.Message{Name: c.FormValue("nom"), Email: c.FormValue("email"), Page: c.FormValue("page"), Message: c.FormValue("message")}
	if errs := m.Validate(); len(errs) > 0 {
		return s.renderAccessibility(c, http.StatusUnprocessableEntity, m, errs)
	}
	if err := s.Accessibility.Create(c.UserContext(), &m, s.Now()); err != nil {
		return err
	}
	lines := []string{"Merci. L'équipe de la concertation a bien reçu votre message."}
	if m.Email != "" {
		lines = append(lines, "Nous vous répondrons à l'adresse "+m.Email+", en général sous 5 jours ouvrés.")
	} else {
		lines = append(lines, "Vous n'avez pas donné d'adresse e-mail : nous ne pourrons pas vous répondre, mais nous lirons votre message.")
	}
	return s.message(c, http.StatusOK, "Message envoyé", lines, "/accessibilite", "Revenir à la déclaration d'accessibilité")
}

type adminAccessibilityPage struct {
	Page
	Messages []accessibility.Message
	Pending  int
	Contact  string
}

// adminAccessibility lists the messages for administrators, unanswered first.
func (s *Server) adminAccessibility(c *fiber.Ctx) error {
	if _, done, err := s.requireAdmin(c); done {
		return err
	}
	p, err := s.page(c, "Messages sur l'accessibilité")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	msgs, err := s.Accessibility.List(ctx, 200, 0)
	if err != nil {
		return err
	}
	pending, err := s.Accessibility.Pending(ctx)
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplAdminAccessibility, adminAccessibilityPage{Page: p, Messages: msgs, Pending: int(pending), Contact: s.Config.AccessibilityContact})
}

// adminAccessibilityHandled marks a message as answered.
func (s *Server) adminAccessibilityHandled(c *fiber.Ctx) error {
	if _, done, err := s.requireAdmin(c); done {
		return err
	}
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return fiber.ErrNotFound
	}
	found, err := s.Accessibility.MarkHandled(c.UserContext(), id, s.Now())
	if err != nil {
		return err
	}
	if !found {
		return fiber.ErrNotFound
	}
	return c.Redirect("/admin/accessibilite", http.StatusSeeOther)
}

// accessibilityStatus is the template function that gives the footer the
// status of the audit: "partiellement conforme"…
func accessibilityStatus() string {
	a, err := accessibility.Current()
	if err != nil {
		return "non conforme"
	}
	return a.Status()
}
