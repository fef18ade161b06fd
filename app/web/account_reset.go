package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/gofiber/fiber/v2"
)

type forgotPage struct {
	Page
	Email string
	Error string
}

func (s *Server) forgotForm(c *fiber.Ctx) error {
	p, err := s.page(c, "Mot de passe oublié")
	if err != nil {
		return err
	}
	return s.render.Render(c, http.StatusOK, tplForgot, forgotPage{Page: p})
}

// forgot mails a reset link when the address has an account, and answers the
// same either way.
func (s *Server) forgot(c *fiber.Ctx) error {
	email := account.NormalizeEmail(c.FormValue("email"))
	if err := s.limit(c, "reset:ip", c.IP()); err != nil {
		return err
	}
	if err := s.limit(c, "reset:account", strings.ToLower(email)); err != nil {
		return err
	}
	if err := account.ValidateEmail(email); err != nil {
		p, perr := s.page(c, "Mot de passe oublié")
		if perr != nil {
			return perr
		}
		return s.render.Render(c, http.StatusUnprocessableEntity, tplForgot, forgotPage{Page: p, Email: email, Error: err.Error()})
	}
	ctx := c.UserContext()
	u, err := s.Accounts.ByEmail(ctx, email)
	switch {
	case err == nil:
		err := s.DB.InTx(ctx, func(ctx context.Context) error { // the link and its mail, together
			token, err := s.Accounts.IssueToken(ctx, u.ID, account.PurposeReset, s.Now())
			if err != nil {
				return err
			}
			return s.sendMailCtx(ctx, u.Email, mailReset(s.Config.BaseURL.String(), token))
		})
		if err != nil {
			return err
		}
	case !errors.Is(err, account.ErrNotFound):
		return err
	}
	return s.message(c, http.StatusOK, "Vérifiez votre boîte mail", []string{
		"Si un compte existe pour l'adresse " + email + ", vous allez recevoir un e-mail avec un lien pour choisir un nouveau mot de passe.",
		"Le lien est valable une heure et ne sert qu'une fois.",
	}, "/connexion", "Aller à la page de connexion")
}

type resetPage struct {
	Page
	Token string
	Error string
}

func (s *Server) resetForm(c *fiber.Ctx) error {
	token := c.Query("jeton")
	if err := s.Accounts.PeekToken(c.UserContext(), token, account.PurposeReset, s.Now()); err != nil {
		return s.invalidLink(c)
	}
	return s.renderReset(c, http.StatusOK, token, "")
}

func (s *Server) renderReset(c *fiber.Ctx, status int, token, msg string) error {
	p, err := s.page(c, "Choisir un nouveau mot de passe")
	if err != nil {
		return err
	}
	return s.render.Render(c, status, tplReset, resetPage{Page: p, Token: token, Error: msg})
}

// reset uses the token once, sets the new password and ends every session of
// the account.
func (s *Server) reset(c *fiber.Ctx) error {
	token, password := c.FormValue("jeton"), c.FormValue("password")
	if err := account.ValidatePassword(password); err != nil {
		return s.renderReset(c, http.StatusUnprocessableEntity, token, err.Error())
	}
	ctx := c.UserContext()
	userID, err := s.Accounts.ConsumeToken(ctx, token, account.PurposeReset, s.Now())
	if errors.Is(err, account.ErrTokenInvalid) {
		return s.invalidLink(c)
	}
	if err != nil {
		return err
	}
	if err := s.Accounts.SetPassword(ctx, userID, password, s.Now()); err != nil {
		return err
	}
	if err := s.Sessions.DeleteUser(ctx, userID); err != nil {
		return err
	}
	if err := s.endSession(c); err != nil {
		return err
	}
	return c.Redirect("/connexion?info=mot-de-passe", http.StatusSeeOther)
}
