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

// safeReturn returns raw when it is a path of this site ("/axes/x?y#z"),
// otherwise fallback: the one check of every return address taken from a
// request (form field, query, Referer), so that none is an open redirect.
// It refuses what is not a relative reference starting with a single "/":
// absolute and scheme-relative addresses ("https://…", "//evil",
// "javascript:"), backslashes ("/\evil", which browsers read as "//evil"),
// control characters ("/\t/evil", which URL parsers drop, leaving "//evil"),
// a "//" anywhere in the path (even encoded), and more than 1,000 bytes.
func safeReturn(raw, fallback string) string {
	if raw == "" || len(raw) > 1000 || raw[0] != '/' {
		return fallback
	}
	for _, r := range raw {
		if r < 0x20 || r == 0x7f || r == '\\' || (r >= 0x80 && r <= 0x9f) {
			return fallback
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return fallback
	}
	// A path holding "//", even encoded, is read as a host by some clients.
	escaped := strings.ToLower(u.EscapedPath())
	for _, bad := range []string{"//", "/%2f", "%2f/", "%2f%2f", "%5c"} {
		if strings.Contains(escaped, bad) || strings.Contains(u.Path, "//") {
			return fallback
		}
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
	return tooMany(c, d)
}

// passwordAllowed answers the French 429 when the password check of account
// from the request's address may not run (ratelimit.PasswordAllowed).
func (s *Server) passwordAllowed(c *fiber.Ctx, account string) error {
	d, err := s.Limiter.PasswordAllowed(c.UserContext(), ratelimit.PasswordCheck{Account: account, Address: c.IP()})
	if err != nil {
		return err
	}
	return tooMany(c, d)
}

// passwordFailed counts a wrong password for account from the request's
// address.
func (s *Server) passwordFailed(c *fiber.Ctx, account string) error {
	return s.Limiter.PasswordFailed(c.UserContext(), ratelimit.PasswordCheck{Account: account, Address: c.IP()})
}

// tooMany is nil when d allows the attempt, else the French 429 answer.
func tooMany(c *fiber.Ctx, d ratelimit.Decision) error {
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
