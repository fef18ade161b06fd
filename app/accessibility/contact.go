// Package accessibility holds the accessibility declaration of the platform:
// the RGAA audit grid (automated and manual checks), its conformity rate and
// status, and the messages people send through the declaration's contact
// form for the team.
package accessibility

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of the contact form fields, in characters.
const (
	MaxName    = 100
	MaxEmail   = 254
	MaxPage    = 500
	MaxMessage = 5000
)

// Message is one message sent to the team.
type Message struct {
	ID        int64
	CreatedAt time.Time
	Name      string // optional
	Email     string // optional: the address to answer
	Page      string // optional: the page or content concerned
	Message   string
	HandledAt *time.Time
}

// TableName maps Message to its table.
func (Message) TableName() string { return "accessibility_messages" }

// FieldErrors are French messages per form field name.
type FieldErrors map[string]string

// Validate trims m and returns the problems of each field, in plain French.
func (m *Message) Validate() FieldErrors {
	m.Name, m.Email = strings.TrimSpace(m.Name), strings.TrimSpace(m.Email)
	m.Page, m.Message = strings.TrimSpace(m.Page), strings.TrimSpace(m.Message)
	errs := FieldErrors{}
	if utf8.RuneCountInString(m.Name) > MaxName {
		errs["nom"] = "Votre nom est trop long : 100 caractères au plus."
	}
	if m.Email != "" {
		if a, err := mail.ParseAddress(m.Email); err != nil || a.Address != m.Email || len(m.Email) > MaxEmail {
			errs["email"] = "Cette adresse e-mail n'est pas valide. Exemple : nom@domaine.fr"
		}
	}
	if utf8.RuneCountInString(m.Page) > MaxPage {
		errs["page"] = "Ce texte est trop long : 500 caractères au plus."
	}
	switch n := utf8.RuneCountInString(m.Message); {
	case n == 0:
		errs["message"] = "Écrivez votre message."
	case n > MaxMessage:
		errs["message"] = "Votre message est trop long : 5 000 caractères au plus."
	}
	return errs
}
