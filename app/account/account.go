// Package account holds the people who take part: accounts, author categories,
// roles and Hub membership, passwords, sessions and sign-in through e-mail or
// OpenID Connect.
package account

import (
	"errors"
	"slices"
	"time"
)

// Errors of the package.
var (
	ErrNotFound       = errors.New("account: not found")
	ErrSessionExpired = errors.New("account: session expired")
)

// Roles beyond "citizen", which every account has.
const (
	RoleRapporteur = "rapporteur"
	RoleModerator  = "moderator"
	RoleAdmin      = "admin"
	// RoleMediator is the médiateur numérique, who contributes and supports
	// for people at their side; granted with a structure and a territory
	// through app/mediation, never through the plain role form.
	RoleMediator = "mediateur"
)

// Roles lists the roles that the role form grants, in display order
// (RoleMediator comes with a structure and a territory: app/mediation).
var Roles = []string{RoleRapporteur, RoleModerator, RoleAdmin}

// User is an account.
type User struct {
	ID              int64
	Email           string
	EmailVerifiedAt *time.Time
	DisplayName     string
	Category        *string // author category code; nil until asked after a first OpenID sign-in
	DepartementID   *int64
	PasswordHash    *string `json:"-"`
	TermsAcceptedAt *time.Time
	BlockedUntil    *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TableName maps User to its table.
func (User) TableName() string { return "users" }

// Category is an author category, as people describe themselves.
type Category struct {
	Code     string
	Label    string
	Position int
}

// TableName maps Category to its table.
func (Category) TableName() string { return "author_categories" }

// Viewer is the signed-in person of a request, with what authorisation needs.
type Viewer struct {
	ID            int64
	DisplayName   string
	Category      string // "" while the profile is incomplete
	DepartementID *int64
	Roles         []string
	HubIDs        []int64
	BlockedUntil  *time.Time
}

// Has reports whether the viewer holds role.
func (v *Viewer) Has(role string) bool {
	return v != nil && slices.Contains(v.Roles, role)
}

// IsAdmin reports whether the viewer is an administrator.
func (v *Viewer) IsAdmin() bool { return v.Has(RoleAdmin) }

// IsRapporteur reports whether the viewer may use the rapporteurs' workspace.
func (v *Viewer) IsRapporteur() bool { return v.Has(RoleRapporteur) || v.Has(RoleAdmin) }

// IsMediator reports whether the viewer is a médiateur numérique.
func (v *Viewer) IsMediator() bool { return v.Has(RoleMediator) }

// IsModerator reports whether the viewer may moderate.
func (v *Viewer) IsModerator() bool { return v.Has(RoleModerator) || v.Has(RoleAdmin) }

// MemberOf reports whether the viewer is a member of the Hub hubID.
func (v *Viewer) MemberOf(hubID int64) bool {
	return v != nil && slices.Contains(v.HubIDs, hubID)
}

// Blocked reports whether the account is blocked by moderation at t.
func (v *Viewer) Blocked(t time.Time) bool {
	return v != nil && v.BlockedUntil != nil && t.Before(*v.BlockedUntil)
}

// ProfileComplete reports whether the account has what contributing needs.
func (v *Viewer) ProfileComplete() bool {
	return v != nil && v.Category != "" && v.DepartementID != nil
}
