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

// rejectBadInput keeps values that are not text away from the handlers:
// PostgreSQL refuses invalid UTF-8 and NUL bytes, and no French text needs
// them. A URL parameter holding one is dropped, as any unknown filter value
// is ignored; a form field holding one gets a French 400.
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
	if bytes.HasPrefix(c.Request().Header.ContentType(), []byte(fiber.MIMEApplicationForm)) {
		bad := false
		c.Request().PostArgs().VisitAll(func(k, v []byte) {
			bad = bad || !isText(k) || !isText(v)
		})
		if bad {
			return errBadCharacters
		}
	}
	return c.Next()
}

func isText(b []byte) bool { return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 }
