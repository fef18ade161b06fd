package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/gofiber/fiber/v2"
)

type signUpPage struct {
	Page
	choices
	Return    string // where to go once the address is confirmed
	Email     string
	Form      profileForm
	Errors    account.FieldErrors
	TermsDone bool // always false: the sign-up form asks for the terms
}

func (s *Server) signUpForm(c *fiber.Ctx) error {
	return s.renderSignUp(c, http.StatusOK, "", profileForm{}, nil)
}

func (s *Server) renderSignUp(c *fiber.Ctx, status int, email string, f profileForm, errs account.FieldErrors) error {
	p, err := s.page(c, "Créer un compte")
	if err != nil {
		return err
	}
	ch, err := s.choices(c.UserContext())
	if err != nil {
		return err
	}
	return s.render.Render(c, status, tplSignUp, signUpPage{Page: p, choices: ch, Email: email, Form: f, Errors: errs,
		Return: safeReturn(c.Query("retour", c.FormValue("retour")), "/")})
}

// signUp creates an unverified account and mails a confirmation link. The
// answer is the same when the address already has an account (that person
// gets a mail saying so): no one learns who has an account.
func (s *Server) signUp(c *fiber.Ctx) error {
	email := account.NormalizeEmail(c.FormValue("email"))
	if err := s.limit(c, "signup:ip", c.IP()); err != nil {
		return err
	}
	if err := s.limit(c, "signup:account", strings.ToLower(email)); err != nil {
		return err
	}
	f := readProfile(c)
	ctx := c.UserContext()
	u, created, errs, err := s.Accounts.Register(ctx, account.SignUp{Email: email, Password: c.FormValue("password"), Profile: f.domain()}, s.Now())
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return s.renderSignUp(c, http.StatusUnprocessableEntity, email, f, errs)
	}
	ret := safeReturn(c.FormValue("retour"), "/")
	if created || u.EmailVerifiedAt == nil {
		err = s.sendVerification(c, u, ret)
	} else {
		err = s.sendMail(c, u.Email, mailAlreadyRegistered(s.Config.BaseURL.String(), ret))
	}
	if err != nil {
		return err
	}
	return s.checkMailbox(c, email, ret)
}

func (s *Server) checkMailbox(c *fiber.Ctx, email, ret string) error {
	return s.message(c, http.StatusOK, "Vérifiez votre boîte mail", []string{
		"Nous avons envoyé un e-mail à " + email + ".",
		"Ouvrez-le et suivez le lien pour confirmer votre adresse. Le lien est valable 48 heures.",
		"Vous ne le trouvez pas ? Regardez dans les courriers indésirables (spam).",
	}, withReturn("/connexion", ret), "Aller à la page de connexion")
}

// sendVerification issues a new confirmation link, which brings them to
// ret once confirmed, and mails it, in one transaction: the link that the
// new one replaces stays valid unless the mail is queued.
func (s *Server) sendVerification(c *fiber.Ctx, u account.User, ret string) error {
	return s.DB.InTx(c.UserContext(), func(ctx context.Context) error {
		token, err := s.Accounts.IssueToken(ctx, u.ID, account.PurposeVerify, s.Now())
		if err != nil {
			return err
		}
		return s.sendMailCtx(ctx, u.Email, mailVerify(s.Config.BaseURL.String(), token, ret))
	})
}

type verifyPage struct {
	Page
	Token  string
	Return string
	Error  string
}

// verifyForm shows a form that confirms the address with the account's
// password: following the link (a GET, which mail scanners also do) changes
// nothing.
func (s *Server) verifyForm(c *fiber.Ctx) error {
	token := c.Query("jeton")
	if err := s.Accounts.PeekToken(c.UserContext(), token, account.PurposeVerify, s.Now()); err != nil {
		return s.invalidLink(c)
	}
	return s.renderVerify(c, http.StatusOK, token, "")
}

func (s *Server) renderVerify(c *fiber.Ctx, status int, token, msg string) error {
	p, err := s.page(c, "Confirmer mon adresse e-mail")
	if err != nil {
		return err
	}
	return s.render.Render(c, status, tplVerify, verifyPage{Page: p, Token: token, Error: msg,
		Return: safeReturn(c.Query("retour", c.FormValue("retour")), "/")})
}

func (s *Server) invalidLink(c *fiber.Ctx) error {
	return s.message(c, http.StatusBadRequest, "Lien non valable", []string{notices["lien-invalide"]},
		"/connexion", "Aller à la page de connexion")
}

// verify confirms the address and signs the person in, once the password of
// the account is given: the link alone is not enough, or whoever signed up
// first with someone else's address would get the account once its owner
// clicks. A wrong password leaves the link usable.
func (s *Server) verify(c *fiber.Ctx) error {
	ctx := c.UserContext()
	token := c.FormValue("jeton")
	userID, err := s.Accounts.TokenUser(ctx, token, account.PurposeVerify, s.Now())
	if errors.Is(err, account.ErrTokenInvalid) {
		return s.invalidLink(c)
	}
	if err != nil {
		return err
	}
	owner, err := s.Accounts.ByID(ctx, userID)
	if errors.Is(err, account.ErrNotFound) {
		return s.invalidLink(c)
	}
	if err != nil {
		return err
	}
	if err := s.passwordAllowed(c, owner.Email); err != nil {
		return err
	}
	u, err := s.Accounts.ConfirmAddress(ctx, token, c.FormValue("password"), s.Now())
	switch {
	case errors.Is(err, account.ErrBadCredentials):
		if err := s.passwordFailed(c, owner.Email); err != nil {
			return err
		}
		return s.renderVerify(c, http.StatusUnauthorized, token,
			"Mot de passe incorrect. Saisissez le mot de passe choisi à l'inscription, ou choisissez-en un nouveau avec « Mot de passe oublié ».")
	case errors.Is(err, account.ErrTokenInvalid):
		return s.invalidLink(c)
	case err != nil:
		return err
	}
	if _, err := s.startSession(c, &u.ID, nil); err != nil {
		return err
	}
	next := safeReturn(c.FormValue("retour"), "/compte?info=verifie")
	if next == "/" {
		next = "/compte?info=verifie"
	}
	return c.Redirect(afterSignIn(u, next), http.StatusSeeOther)
}
