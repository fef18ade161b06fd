package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/cnr-numerique/concertation/app/mail"
	"github.com/gofiber/fiber/v2"
)

// sendMail sends m to one address.
func (s *Server) sendMail(c *fiber.Ctx, to string, m mail.Message) error {
	return s.sendMailCtx(c.UserContext(), to, m)
}

// sendMailCtx sends m to one address with ctx: in the transaction it
// carries, if any.
func (s *Server) sendMailCtx(ctx context.Context, to string, m mail.Message) error {
	m.To, m.At = to, s.Now()
	return s.Mailer.Send(ctx, m)
}

const mailSignature = "\n\n— L'équipe de la concertation nationale sur l'inclusion numérique\n" +
	"Vous n'avez rien demandé ? Ne tenez pas compte de ce message."

// withReturn adds the return address ret (a safeReturn path) to the query
// of link, unless it is the home page.
func withReturn(link, ret string) string {
	if ret == "" || ret == "/" {
		return link
	}
	sep := "?"
	if strings.Contains(link, "?") {
		sep = "&"
	}
	return link + sep + "retour=" + url.QueryEscape(ret)
}

// mailVerify is the mail with the address confirmation link; once
// confirmed, the person is taken to ret, the page where they started.
func mailVerify(base, token, ret string) mail.Message {
	return mail.Message{Subject: "Confirmez votre adresse e-mail", Body: "Bonjour,\n\n" +
		"Il reste une étape pour créer votre compte sur le site de la concertation.\n\nOuvrez ce lien. Puis écrivez votre mot de passe et appuyez sur « Confirmer mon adresse » :\n\n" +
		withReturn(base+"/inscription/confirmer?jeton="+url.QueryEscape(token), ret) + "\n\n" +
		"Ce lien marche pendant 48 heures." + mailSignature}
}

func mailAlreadyRegistered(base, ret string) mail.Message {
	return mail.Message{Subject: "Vous avez déjà un compte", Body: "Bonjour,\n\n" +
		"Quelqu'un a voulu créer un compte avec cette adresse e-mail. C'est peut-être vous.\n\nMais cette adresse a déjà un compte sur le site de la concertation.\n\n" +
		"Pour vous connecter : " + withReturn(base+"/connexion", ret) + "\n" +
		"Mot de passe oublié : " + base + "/mot-de-passe-oublie" + mailSignature}
}

func mailReset(base, token string) mail.Message {
	return mail.Message{Subject: "Choisissez un nouveau mot de passe", Body: "Bonjour,\n\n" +
		"Pour choisir un nouveau mot de passe, ouvrez ce lien :\n\n" +
		base + "/mot-de-passe/nouveau?jeton=" + url.QueryEscape(token) + "\n\n" +
		"Ce lien marche pendant 1 heure, une seule fois." + mailSignature}
}

type devMailsPage struct {
	Page
	Mails []devMail
}

type devMail struct {
	mail.Message
	Links []string
}

var linkRE = regexp.MustCompile(`https?://[^\s]+`)

// devMails shows the local mailbox. It exists only on a local run (plain
// HTTP on a loopback address), never in production.
func (s *Server) devMails(c *fiber.Ctx) error {
	if !s.Config.Local() || s.Mailbox == nil {
		return fiber.ErrNotFound
	}
	p, err := s.page(c, "Boîte mail locale")
	if err != nil {
		return err
	}
	var mails []devMail
	base := s.Config.BaseURL.String()
	for _, m := range s.Mailbox.Messages() {
		d := devMail{Message: m}
		for _, l := range linkRE.FindAllString(m.Body, -1) {
			if len(l) > len(base) && l[:len(base)+1] == base+"/" {
				d.Links = append(d.Links, l[len(base):]) // same-site paths only
			}
		}
		mails = append(mails, d)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render.Render(c, http.StatusOK, tplDevMails, devMailsPage{Page: p, Mails: mails})
}
