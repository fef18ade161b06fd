package contribution

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the texts, in characters.
const (
	MaxTitle    = 140
	MaxBody     = 5000
	MaxArgument = 2000
)

// Draft is what a person submits to create or edit a contribution.
type Draft struct {
	Entry         string // EntryHubs or EntryLibres
	AxisID        int64
	HubID         int64  // for a Hub proposal
	TerritoryKind string // "region" or "departement"; empty: the author's département
	TerritoryCode string
	ReactsToID    int64  // for a reaction
	ReactionType  string // for a reaction
	Title         string
	Body          string
}

// Problems maps a form field to a French message. Empty means valid.
type Problems map[string]string

// Add records msg for field unless the field already has a message.
func (p Problems) Add(field, msg string) {
	if _, ok := p[field]; !ok {
		p[field] = msg
	}
}

// Form field names, shared by validation and the web forms.
const (
	FieldEntry     = "entree"
	FieldAxis      = "axe"
	FieldHub       = "hub"
	FieldTerritory = "territoire"
	FieldReaction  = "reaction"
	FieldTitle     = "titre"
	FieldBody      = "texte"
	FieldStance    = "position"
)

// CleanText makes submitted text safe to store: it reports false for invalid
// UTF-8, turns CRLF and CR into LF, drops control characters other than line
// feeds and tabs, and trims spaces around. Markup is kept as typed: it is
// escaped on output, never interpreted.
func CleanText(s string) (string, bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s), true
}

// CleanLine is CleanText for one-line fields: line breaks and tabs become
// spaces and runs of spaces are collapsed.
func CleanLine(s string) (string, bool) {
	s, ok := CleanText(s)
	if !ok {
		return "", false
	}
	return strings.Join(strings.Fields(s), " "), true
}

// Normalize cleans the texts of d and returns the problems that do not need
// the database: lengths, entry, axis, reaction type.
func (d *Draft) Normalize() Problems {
	p := Problems{}
	var ok bool
	if d.Title, ok = CleanLine(d.Title); !ok {
		p.Add(FieldTitle, "Le titre contient des caractères invalides.")
	}
	if d.Body, ok = CleanText(d.Body); !ok {
		p.Add(FieldBody, "Le texte contient des caractères invalides.")
	}
	switch n := utf8.RuneCountInString(d.Title); {
	case n == 0:
		p.Add(FieldTitle, "Donnez un titre à votre contribution.")
	case n > MaxTitle:
		p.Add(FieldTitle, "Le titre est trop long : 140 caractères au plus.")
	}
	switch n := utf8.RuneCountInString(d.Body); {
	case n == 0:
		p.Add(FieldBody, "Écrivez le texte de votre contribution.")
	case n > MaxBody:
		p.Add(FieldBody, "Le texte est trop long : 5 000 caractères au plus.")
	}
	switch d.Entry {
	case EntryLibres:
		d.HubID = 0
	case EntryHubs:
		if d.HubID == 0 {
			p.Add(FieldHub, "Choisissez le Hub au nom duquel vous publiez.")
		}
		if d.ReactsToID != 0 {
			p.Add(FieldReaction, "Seule une contribution libre peut réagir à une proposition de Hub.")
		}
	default:
		p.Add(FieldEntry, "Choisissez une entrée : proposition de Hub ou contribution libre.")
	}
	if d.AxisID == 0 {
		p.Add(FieldAxis, "Choisissez un axe.")
	}
	if d.ReactsToID != 0 && !validReaction(d.ReactionType) {
		p.Add(FieldReaction, "Choisissez le type de réaction : soutient, complète, nuance ou conteste.")
	}
	if d.ReactsToID == 0 {
		d.ReactionType = ""
	}
	switch d.TerritoryKind {
	case "", "region", "departement":
	default:
		p.Add(FieldTerritory, "Choisissez un territoire dans la liste.")
	}
	return p
}

func validReaction(t string) bool {
	for _, r := range ReactionTypes {
		if r == t {
			return true
		}
	}
	return false
}

// ArgumentDraft is what a person submits to argue on a contribution.
type ArgumentDraft struct {
	ParentID int64
	Stance   string
	Body     string
}

// Normalize cleans the body and returns the problems found.
func (d *ArgumentDraft) Normalize() Problems {
	p := Problems{}
	var ok bool
	if d.Body, ok = CleanText(d.Body); !ok {
		p.Add(FieldBody, "Le texte contient des caractères invalides.")
	}
	switch n := utf8.RuneCountInString(d.Body); {
	case n == 0:
		p.Add(FieldBody, "Écrivez votre argument.")
	case n > MaxArgument:
		p.Add(FieldBody, "L'argument est trop long : 2 000 caractères au plus.")
	}
	if StanceLabel(d.Stance) == "" {
		p.Add(FieldStance, "Choisissez une position : pour, contre ou neutre.")
	}
	return p
}
