// Package mediation is the assisted contribution: a médiateur numérique
// (a role granted by an administrator, tied to a structure and a territory)
// contributes and supports for a person at their side who has no account or
// no e-mail, once the person's consent has been read aloud and given. The
// person can later take their contribution into an account of their own
// with a claim code printed on a receipt.
//
// The package owns the médiateurs (mediators) and the people accompanied
// with their consent (mediation_people). The contributions, the supports and
// their counters stay written by app/contribution, whose operations it calls
// inside its own transaction, after checking the médiateur's role, territory
// and daily limits. Everything a médiateur does, and every refusal, goes to
// the audit log.
package mediation

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cnr-numerique/concertation/app/config"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/frtime"
)

// Errors of the package. Web handlers translate them into French messages.
var (
	ErrNotMediator      = errors.New("mediation: not an active médiateur")
	ErrOutsideTerritory = errors.New("mediation: outside the médiateur's territory")
	ErrPersonAbsent     = errors.New("mediation: person unknown to this médiateur, or consent too old")
	ErrNotFound         = errors.New("mediation: not found")
	ErrCodeFormat       = errors.New("mediation: claim code is not 12 digits")
)

// Invalid is a form error, in French, for the person who filled the form.
type Invalid struct{ Message string }

func (e *Invalid) Error() string { return e.Message }

// LimitError tells which daily limit an action would pass.
type LimitError struct {
	What string // "personnes", "contributions", "soutiens", "soutiens_par_personne"
	Max  int
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("mediation: daily limit of %d %s reached", e.Max, e.What)
}

// Structures a médiateur acts for.
const (
	StructureFranceServices = "france-services"
	StructureConseiller     = "conseiller-numerique"
	StructureAssociation    = "association"
	StructureOther          = "autre"
)

// StructureKinds lists the kinds of structure, in display order.
var StructureKinds = []string{StructureFranceServices, StructureConseiller, StructureAssociation, StructureOther}

// StructureLabel returns the French name of a kind of structure, "" when
// unknown.
func StructureLabel(kind string) string {
	switch kind {
	case StructureFranceServices:
		return "France services"
	case StructureConseiller:
		return "Conseiller numérique"
	case StructureAssociation:
		return "Association"
	case StructureOther:
		return "Autre structure"
	}
	return ""
}

// Limits bound what one médiateur does in one day (Paris time): people
// accompanied, contributions written for them, supports recorded for them,
// supports recorded for one person. They stop a mistake or an abuse from
// flooding the concertation; MEDIATION_LIMITS changes them.
type Limits = config.MediationLimits

// DefaultLimits suit a busy desk (a France services sees a few dozen people
// a day).
var DefaultLimits = config.DefaultMediationLimits

const (
	// PresenceWindow is how long a consent lets the médiateur act for the
	// person: the time of one visit. After it, the consent is asked again.
	PresenceWindow = 12 * time.Hour
	// ClaimValidity is how long a claim code works.
	ClaimValidity = 90 * 24 * time.Hour
	// MaxLabel is the longest first name or pseudonym, in characters.
	MaxLabel = 40
	// MaxStructureName is the longest name of a structure, in characters.
	MaxStructureName = 120
)

// ConsentVersion names the text of ConsentText, stored with each consent.
const ConsentVersion = "accord-lu-v1"

// ConsentText is read aloud to the person before anything is recorded for
// them: short sentences, common words.
var ConsentText = []string{
	"Je vais enregistrer pour vous, sur ce site, ce que vous voulez dire ou soutenir.",
	"Ce que vous écrivez sera public. On verra votre catégorie (par exemple : citoyen) et votre département.",
	"Votre prénom ou votre pseudonyme sera affiché seulement si vous me le donnez.",
	"Il sera écrit « contribution accompagnée ». Mon nom ne sera pas affiché.",
	"Vos soutiens seront comptés, sans votre nom.",
	"Pour une contribution, vous recevrez un code. Avec ce code, vous pourrez la mettre plus tard dans votre propre compte.",
	"Êtes-vous d'accord ?",
}

// Form fields of the person's part, shared with the web forms.
const (
	FieldConsent     = "accord"
	FieldLabel       = "prenom"
	FieldCategory    = "categorie"
	FieldDepartement = "departement"
)

// Mediator is a médiateur numérique: their account, structure and territory.
type Mediator struct {
	UserID        int64
	DisplayName   string
	Email         string
	StructureKind string
	StructureName string
	TerritoryID   int64
	TerritoryName string // "Finistère (29)" or "Bretagne"
	TerritoryKind string `gorm:"-"` // "departement" or "region"
	TerritoryCode string `gorm:"-"` // INSEE code
	GrantedAt     time.Time
	RevokedAt     *time.Time
}

// Active reports whether the médiateur still holds the role.
func (m Mediator) Active() bool { return m.RevokedAt == nil }

// Structure names the structure: "France services – Quimper centre".
func (m Mediator) Structure() string {
	return StructureLabel(m.StructureKind) + " – " + m.StructureName
}

// Profile is what an administrator gives with the role.
type Profile struct {
	StructureKind string
	StructureName string
	TerritoryKind string // "departement" or "region"
	TerritoryCode string // INSEE code
}

// PersonInput is the person's part of a form: what they tell about
// themselves, and whether they gave their consent once it was read aloud.
type PersonInput struct {
	Label       string // first name or pseudonym, optional
	Category    string // author category code
	Departement string // INSEE code of their département
	Consent     bool
}

// Person is a person accompanied, as the médiateur's pages show them.
type Person struct {
	ID              int64
	MediatorID      int64
	Label           string
	Category        string
	CategoryLabel   string
	DepartementID   int64
	DepartementName string
	ConsentAt       time.Time
	Supports        int // supports recorded for them
}

// Name is how the médiateur's pages name the person: their label, or their
// number.
func (p Person) Name() string {
	if p.Label != "" {
		return p.Label
	}
	return fmt.Sprintf("Personne n° %d", p.ID)
}

// Summary describes the person in one line for the médiateur: "Marie
// (Citoyen·ne, Finistère (29)), accord recueilli à 14 h 05".
func (p Person) Summary() string {
	t := frtime.DateTime(p.ConsentAt)
	if i := strings.Index(t, " à "); i >= 0 {
		t = t[i+len(" à "):]
	}
	return fmt.Sprintf("%s (%s, %s), accord recueilli à %s", p.Name(), p.CategoryLabel, p.DepartementName, t)
}

// person is the contribution domain's view of p.
func (p Person) person() contribution.AssistedPerson {
	return contribution.AssistedPerson{ID: p.ID, MediatorID: p.MediatorID, Category: p.Category, DepartementID: p.DepartementID}
}

// Receipt is what the médiateur prints or writes down for the person after
// a contribution: its number and title, and the claim code (shown once; only
// its hash is kept).
type Receipt struct {
	ContributionID int64
	Title          string
	Code           string // "1234 5678 9012"
	ExpiresAt      time.Time
	Person         Person
	Structure      string // the médiateur's structure, for the person's memory
}

// Usage is what a médiateur did today, against their limits.
type Usage struct {
	People, Contributions, Supports int
	Limits                          Limits
}
