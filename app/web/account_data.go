package web

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/cnr-numerique/concertation/app/mail"
	"github.com/gofiber/fiber/v2"
)

type myDataPage struct {
	Page
	Error string
}

// myData is the "Mes données" page: download or delete.
func (s *Server) myData(c *fiber.Ctx) error {
	if viewer(c) == nil {
		return s.toSignIn(c)
	}
	return s.renderMyData(c, http.StatusOK, "")
}

func (s *Server) renderMyData(c *fiber.Ctx, status int, msg string) error {
	p, err := s.page(c, "Mes données")
	if err != nil {
		return err
	}
	return s.render.Render(c, status, tplMyData, myDataPage{Page: p, Error: msg})
}

// exportData sends every piece of data about the signed-in person as a JSON
// file, in answer to a form (POST): there is no link to share or to cache.
func (s *Server) exportData(c *fiber.Ctx) error {
	v, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	e, err := s.Accounts.ExportData(c.UserContext(), v.ID, s.Now())
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Pragma", "no-cache")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="mes-donnees-concertation.json"`)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Status(http.StatusOK).Send(b)
}

// deleteAccount deletes the signed-in person's account, keeping their
// contributions anonymised or deleting them, as they chose.
func (s *Server) deleteAccount(c *fiber.Ctx) error {
	v, err := s.requireViewer(c)
	if err != nil {
		return err
	}
	choice := c.FormValue("contributions")
	if c.FormValue("confirmer") != "oui" || (choice != "anonymiser" && choice != "supprimer") {
		return s.renderMyData(c, http.StatusUnprocessableEntity,
			"Pour supprimer votre compte, choisissez ce que deviennent vos contributions. Puis cochez la case pour confirmer.")
	}
	ctx := c.UserContext()
	u, err := s.Accounts.ByID(ctx, v.ID)
	if err != nil {
		return err
	}
	err = s.DB.InTx(ctx, func(ctx context.Context) error { // the account and its undelivered mails
		if err := s.Accounts.Delete(ctx, v.ID, choice == "anonymiser", s.Contributions); err != nil {
			return err
		}
		if o, ok := s.Mailer.(*mail.Outbox); ok {
			return o.Forget(ctx, u.Email)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if s.Mailbox != nil {
		s.Mailbox.Forget(u.Email)
	}
	if err := s.endSession(c); err != nil {
		return err
	}
	return c.Redirect("/connexion?info=compte-supprime", http.StatusSeeOther)
}
