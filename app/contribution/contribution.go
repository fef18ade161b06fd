// Package contribution holds what people write in the concertation: Hub
// proposals and free contributions, reactions to Hub proposals, supports,
// arguments, the listing with its filters and facets, and the plain-text body
// renderer.
package contribution

import (
	"errors"
	"time"
)

// Errors of the package. Web handlers translate them into French messages.
var (
	ErrNotFound     = errors.New("contribution: not found")
	ErrNotAllowed   = errors.New("contribution: not allowed")
	ErrNotPublished = errors.New("contribution: not published")
	ErrOwn          = errors.New("contribution: own contribution")
)

// Entries of the concertation.
const (
	EntryHubs   = "hubs"
	EntryLibres = "libres"
)

// Status values of a contribution or an argument.
const (
	StatusPublished = "published"
	StatusWithdrawn = "withdrawn"
	StatusHidden    = "hidden"
)

// Reaction types of a free contribution to a Hub proposal, in display order.
var ReactionTypes = []string{"soutient", "complete", "nuance", "conteste"}

// ReactionLabel returns the French label of a reaction type.
func ReactionLabel(t string) string {
	switch t {
	case "soutient":
		return "Soutient"
	case "complete":
		return "Complète"
	case "nuance":
		return "Nuance"
	case "conteste":
		return "Conteste"
	}
	return ""
}

// Stances of an argument, in display order.
var Stances = []string{"pour", "contre", "neutre"}

// StanceLabel returns the French label of a stance.
func StanceLabel(s string) string {
	switch s {
	case "pour":
		return "Pour"
	case "contre":
		return "Contre"
	case "neutre":
		return "Neutre"
	}
	return ""
}

// Contribution is a row of the contributions table.
type Contribution struct {
	ID             int64
	ConsultationID int64
	Entry          string
	AxisID         int64
	HubID          *int64
	AuthorID       *int64
	AuthorCategory string
	TerritoryID    *int64
	RegionID       *int64
	DepartementID  *int64
	ReactsToID     *int64
	ReactionType   *string
	Title          string
	Body           string
	Status         string
	HiddenReason   *string
	CreatedAt      time.Time
	EditedAt       *time.Time
	UpdatedAt      time.Time
	// Assisted is set when a médiateur numérique wrote it for a person at
	// their side ("contribution accompagnée"); it never changes.
	Assisted bool
}

// TableName maps Contribution to its table.
func (Contribution) TableName() string { return "contributions" }

// Counters are the counts kept in contribution_counters.
type Counters struct {
	Supports          int
	ReactionsSoutient int
	ReactionsComplete int
	ReactionsNuance   int
	ReactionsConteste int
	ArgumentsPour     int
	ArgumentsContre   int
	ArgumentsNeutre   int
}

// Reactions returns the total number of reactions.
func (c Counters) Reactions() int {
	return c.ReactionsSoutient + c.ReactionsComplete + c.ReactionsNuance + c.ReactionsConteste
}

// Arguments returns the total number of arguments.
func (c Counters) Arguments() int { return c.ArgumentsPour + c.ArgumentsContre + c.ArgumentsNeutre }

// ReactionCount is the number of reactions of one type.
type ReactionCount struct {
	Type  string
	Label string
	Count int
}

// ReactionCounts returns the reactions by type, in display order.
func (c Counters) ReactionCounts() []ReactionCount {
	n := []int{c.ReactionsSoutient, c.ReactionsComplete, c.ReactionsNuance, c.ReactionsConteste}
	out := make([]ReactionCount, len(ReactionTypes))
	for i, t := range ReactionTypes {
		out[i] = ReactionCount{Type: t, Label: ReactionLabel(t), Count: n[i]}
	}
	return out
}

// View is a contribution as pages show it: the row, its counters and the
// names of what it points to.
type View struct {
	Contribution
	Counters
	// AuthorName is the account's display name; for an assisted contribution
	// not yet claimed, the first name or pseudonym the person gave (maybe
	// empty); empty for a Hub proposal: it is published under the Hub's name.
	AuthorName    string
	CategoryLabel string
	HubName       string
	HubSlug       string
	TerritoryName string
	TerritoryCode string
	TerritoryKind string
	ReactsToTitle string
	ReactsToHub   string
}

// Published reports whether the contribution is visible with its text.
func (v View) Published() bool { return v.Status == StatusPublished }

// Withdrawn reports whether its author withdrew it.
func (v View) Withdrawn() bool { return v.Status == StatusWithdrawn }

// Hidden reports whether moderation hid it.
func (v View) Hidden() bool { return v.Status == StatusHidden }

// WrittenBy reports whether account userID wrote the contribution.
func (v View) WrittenBy(userID int64) bool { return v.AuthorID != nil && *v.AuthorID == userID }

// Reason returns why moderation hid it, or "".
func (v View) Reason() string {
	if v.HiddenReason == nil {
		return ""
	}
	return *v.HiddenReason
}

// IsHubProposal reports whether it is a Hub proposal.
func (v View) IsHubProposal() bool { return v.Entry == EntryHubs }

// ReactionLabel returns the label of its reaction type, if it is a reaction.
func (v View) ReactionLabel() string {
	if v.ReactionType == nil {
		return ""
	}
	return ReactionLabel(*v.ReactionType)
}

// Argument is a comment with a stance; replies have a ParentID.
type Argument struct {
	ID             int64
	ContributionID int64
	ParentID       *int64
	AuthorID       *int64
	AuthorCategory string
	Stance         string
	Body           string
	Status         string
	HiddenReason   *string
	CreatedAt      time.Time
	EditedAt       *time.Time
	AuthorName     string     `gorm:"-"`
	Replies        []Argument `gorm:"-"`
}

// TableName maps Argument to its table.
func (Argument) TableName() string { return "arguments" }

// StanceLabel returns the French label of its stance.
func (a Argument) StanceLabel() string { return StanceLabel(a.Stance) }

// WrittenBy reports whether account userID wrote the argument.
func (a Argument) WrittenBy(userID int64) bool { return a.AuthorID != nil && *a.AuthorID == userID }

// Hidden reports whether moderation hid the argument.
func (a Argument) Hidden() bool { return a.Status == StatusHidden }

// Reason returns why moderation hid it, or "".
func (a Argument) Reason() string {
	if a.HiddenReason == nil {
		return ""
	}
	return *a.HiddenReason
}

// Actor is the signed-in person acting, as the domain needs it.
type Actor struct {
	UserID        int64
	Category      string
	DepartementID *int64
	HubIDs        []int64
}

func (a Actor) memberOf(hubID int64) bool {
	for _, h := range a.HubIDs {
		if h == hubID {
			return true
		}
	}
	return false
}

// CanEdit reports whether a may edit or withdraw v: its author, or for a Hub
// proposal any member of the Hub.
func (v View) CanEdit(a Actor) bool {
	if v.Status != StatusPublished || a.UserID == 0 {
		return false
	}
	if v.AuthorID != nil && *v.AuthorID == a.UserID {
		return true
	}
	return v.HubID != nil && a.memberOf(*v.HubID)
}

// IsOwn reports whether v is a's own contribution (or its Hub's proposal), which
// a may not support.
func (v View) IsOwn(a Actor) bool {
	if a.UserID == 0 {
		return false
	}
	if v.AuthorID != nil && *v.AuthorID == a.UserID {
		return true
	}
	return v.HubID != nil && a.memberOf(*v.HubID)
}

// Excerpt returns the beginning of the body, at most about 220 characters,
// cut on a word. It walks the body's bytes once, without a copy of its
// characters: a list page asks it for every card.
func (v View) Excerpt() string {
	const most, least = 220, 160 // characters kept: at most, and at least when a word is cut
	var at [most - least + 1]int // byte offset of the characters least to most
	n := 0                       // characters before i
	for i := range v.Body {
		if n >= least {
			at[n-least] = i
		}
		if n == most { // more than most characters: cut before a space
			cut := most
			for cut > least && v.Body[at[cut-least]] != ' ' && v.Body[at[cut-least]] != '\n' {
				cut--
			}
			return v.Body[:at[cut-least]] + "…"
		}
		n++
	}
	return v.Body
}
