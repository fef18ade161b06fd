package web

import (
	"bytes"
	"net/http"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
)

// errBadCharacters answers a request whose parameters are not text.
var errBadCharacters = &UserError{Status: http.StatusBadRequest,
	Message: "Votre demande contient des caractères invalides. Vérifiez le texte saisi et réessayez."}

// errBadForm answers a form whose body cannot be read.
var errBadForm = &UserError{Status: http.StatusBadRequest,
	Message: "Le formulaire envoyé est illisible. Rechargez la page et réessayez."}

// rejectBadInput keeps values that are not text away from the handlers:
// PostgreSQL refuses invalid UTF-8 and NUL bytes, and no French text needs
// them. A URL parameter holding one is dropped, as any unknown filter value
// is ignored; a form field holding one, in a url-encoded or a multipart
// body, name or value (and file name), gets a French 400. These are every
// path from the request to a handler: the path, the query, the form (which
// c.FormValue reads from the query, the url-encoded body or the multipart
// parts). Headers and cookies that the handlers read are checked where they
// are used (safeReturn for the Referer; the session and CSRF cookies are
// only hashed or compared).
func rejectBadInput(c *fiber.Ctx) error {
	path := c.Request().URI().Path()
	if !isText(path) {
		return errBadCharacters
	}
	args := c.Request().URI().QueryArgs()
	var drop [][]byte
	args.VisitAll(func(k, v []byte) {
		if !isText(k) || !isText(v) {
			drop = append(drop, append([]byte(nil), k...))
		}
	})
	if len(drop) > 0 {
		for _, k := range drop {
			args.DelBytes(k)
		}
		c.Request().URI().SetQueryStringBytes(args.QueryString())
	}
	ct := c.Request().Header.ContentType()
	switch {
	case bytes.HasPrefix(ct, []byte(fiber.MIMEApplicationForm)):
		bad := false
		c.Request().PostArgs().VisitAll(func(k, v []byte) {
			bad = bad || !isText(k) || !isText(v)
		})
		if bad {
			return errBadCharacters
		}
	case bytes.HasPrefix(ct, []byte(fiber.MIMEMultipartForm)):
		form, err := c.MultipartForm()
		if err != nil {
			return errBadForm
		}
		for k, vs := range form.Value {
			if !isText([]byte(k)) {
				return errBadCharacters
			}
			for _, v := range vs {
				if !isText([]byte(v)) {
					return errBadCharacters
				}
			}
		}
		for k, files := range form.File {
			if !isText([]byte(k)) {
				return errBadCharacters
			}
			for _, f := range files {
				if !isText([]byte(f.Filename)) {
					return errBadCharacters
				}
			}
		}
	}
	return c.Next()
}

func isText(b []byte) bool { return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 }
