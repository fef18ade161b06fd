package account

import (
	"errors"
	"net/mail"
	"strings"
	"unicode"
)

// ErrEmailInvalid is returned for an address that cannot receive mail.
var ErrEmailInvalid = errors.New("Indiquez une adresse e-mail valide, par exemple nom@exemple.fr.")

// NormalizeEmail trims an address and lower-cases its domain (domains are
// case-insensitive; the local part is kept as typed). Uniqueness is
// case-insensitive in the database (unique index on lower(email)).
func NormalizeEmail(email string) string {
	email = strings.TrimSpace(email)
	if i := strings.LastIndexByte(email, '@'); i > 0 {
		email = email[:i] + strings.ToLower(email[i:])
	}
	return email
}

// ValidateEmail checks a normalised address: one plain addr-spec, with a
// dotted domain, no display name, no spaces, at most 254 characters.
func ValidateEmail(email string) error {
	if email == "" || len(email) > 254 || strings.ContainsFunc(email, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return ErrEmailInvalid
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return ErrEmailInvalid
	}
	at := strings.LastIndexByte(email, '@')
	domain := email[at+1:]
	if at < 1 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.HasPrefix(domain, "[") {
		return ErrEmailInvalid
	}
	return nil
}

// ErrDisplayName is returned for an empty or too long display name.
var ErrDisplayName = errors.New("Écrivez un nom affiché de 80 signes au plus. Exemple : Camille.")

// CleanDisplayName trims a display name and checks its length.
func CleanDisplayName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if n := len([]rune(name)); n < 1 || n > 80 {
		return "", ErrDisplayName
	}
	return name, nil
}
