package synthesis

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/jackc/pgx/v5/pgconn"
)

// isUnique reports whether err is a unique violation, from GORM or pgx.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return db.IsUniqueViolation(err) || errors.As(err, &pe) && pe.Code == "23505"
}

// textArray scans a PostgreSQL text[] into a []string.
type textArray struct{ p *[]string }

func (a textArray) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*a.p = nil
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("text array: %T", src)
	}
	*a.p = parseTextArray(s)
	return nil
}

// parseTextArray reads the text form of a one-dimension text[].
func parseTextArray(s string) []string {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	var out []string
	var cur strings.Builder
	quoted, esc, any := false, false, false
	for _, r := range s {
		switch {
		case esc:
			cur.WriteRune(r)
			esc = false
		case r == '\\':
			esc = true
		case r == '"':
			quoted = !quoted
			any = true
		case r == ',' && !quoted:
			out = append(out, cur.String())
			cur.Reset()
			any = false
		default:
			cur.WriteRune(r)
			any = true
		}
	}
	if any || cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
