package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/cnr-numerique/concertation/app/mail"
	"github.com/cnr-numerique/concertation/app/ratelimit"
	"github.com/gofiber/fiber/v2"
)

// accountDefaults fills the account dependencies a caller left out: a local
// mailbox and the default rate limits.
func (d *Deps) accountDefaults() {
	if d.Mailer == nil {
		if d.Mailbox == nil {
			d.Mailbox = mail.NewMailbox(d.Log)
		}
		d.Mailer = d.Mailbox
	}
	if d.Limiter == nil && d.DB != nil {
		d.Limiter = ratelimit.New(d.DB, nil, d.Now)
	}
}

// safeReturn returns raw when it is a path of this site ("/axes/x?y"),
// otherwise "/". It refuses absolute and scheme-relative addresses
// ("//evil", "/\evil", "https://…"), control characters and backslashes,
// so that the return address after sign-in is never an open redirect.
func safeReturn(raw string) string {
	if raw == "" || len(raw) > 1000 || raw[0] != '/' {
		return "/"
	}
	if len(raw) > 1 && (raw[1] == '/' || raw[1] == '\\') {
		return "/"
	}
	for _, r := range raw {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	// A decoded path starting with "//" would be read as a host by some clients.
	if strings.HasPrefix(u.Path, "//") || strings.HasPrefix(u.EscapedPath(), "/%2F") || strings.HasPrefix(u.EscapedPath(), "/%5C") {
		return "/"
	}
	return raw
}

// limit counts one attempt of rule for subject and answers 429 in French when
// the limit is reached.
func (s *Server) limit(c *fiber.Ctx, rule, subject string) error {
	d, err := s.Limiter.Check(c.UserContext(), rule, subject)
	if err != nil {
		return err
	}
	if d.Allowed {
		return nil
	}
	minutes := int(d.RetryAfter.Minutes()) + 1
	c.Set(fiber.HeaderRetryAfter, fmt.Sprint(int(d.RetryAfter.Seconds())+1))
	return &UserError{Status: http.StatusTooManyRequests, Message: fmt.Sprintf(
		"Trop de tentatives en peu de temps. Par sécurité, merci de patienter %d minute%s avant de réessayer.", minutes, plural(minutes))}
}

func plural(n int) string { return pluralWord(n, "", "s") }

// notices are the fixed messages a redirection can ask a page to show
// (?info=code): never text from the address itself.
var notices = map[string]string{
	"deconnecte":      "Vous êtes déconnecté·e.",
	"verifie":         "Votre adresse e-mail est confirmée. Bienvenue !",
	"mot-de-passe":    "Votre mot de passe a été changé. Vous pouvez vous connecter.",
	"profil":          "Vos informations ont été enregistrées.",
	"compte-supprime": "Votre compte a été supprimé.",
	"lien-invalide":   "Ce lien n'est plus valable : il a déjà servi ou il a expiré. Vous pouvez en demander un nouveau.",
	"a-confirmer":     "Confirmez d'abord votre adresse e-mail : nous venons de vous renvoyer le lien.",
}

// notice returns the message of ?info=, or "".
func notice(c *fiber.Ctx) string { return notices[c.Query("info")] }
