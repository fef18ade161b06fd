// Package consultation holds the concertation itself: its dates and status, its
// axes with their guiding questions, and its two entries (Hub proposals and free
// contributions).
package consultation

import (
	"errors"
	"time"
)

// ErrNotFound is returned when no consultation, axis or entry matches.
var ErrNotFound = errors.New("consultation: not found")

// Status values stored for a consultation.
const (
	StatusDraft  = "draft"
	StatusOpen   = "open"
	StatusClosed = "closed" // closed early by an administrator
)

// Entry kinds.
const (
	EntryHubs   = "hubs"
	EntryLibres = "libres"
)

// Consultation is one concertation with its axes and entries in order.
type Consultation struct {
	ID           int64
	Slug         string
	Title        string
	Summary      string
	Presentation string
	OpensAt      time.Time
	ClosesAt     time.Time
	Status       string
	Axes         []Axis  `gorm:"-"`
	Entries      []Entry `gorm:"-"`
}

// Phase is what participants can do at a given time.
type Phase int

// Phases of a consultation.
const (
	PhaseUpcoming Phase = iota // not open yet
	PhaseOpen                  // contributions, supports and arguments accepted
	PhaseClosed                // reading only
)

// PhaseAt tells whether the consultation is upcoming, open or closed at t: open
// between its dates unless an administrator closed it earlier.
func (c Consultation) PhaseAt(t time.Time) Phase {
	switch {
	case c.Status == StatusClosed || !t.Before(c.ClosesAt):
		return PhaseClosed
	case c.Status == StatusDraft || t.Before(c.OpensAt):
		return PhaseUpcoming
	default:
		return PhaseOpen
	}
}

// Axis is one of the working axes, with its guiding questions.
type Axis struct {
	ID             int64
	ConsultationID int64
	Position       int
	Slug           string
	Title          string
	Presentation   string
	Questions      []string `gorm:"-"`
	// The easy-to-read (FALC) version; empty when none was written.
	EasyTitle        string
	EasyPresentation string
	EasyQuestions    []string `gorm:"-"` // one per question, "" when missing
}

// Entry is one of the two ways to take part.
type Entry struct {
	ID             int64
	ConsultationID int64
	Kind           string
	Position       int
	Slug           string
	Title          string
	Presentation   string
}

// Axis returns the axis with the given slug.
func (c Consultation) Axis(slug string) (Axis, bool) {
	for _, a := range c.Axes {
		if a.Slug == slug {
			return a, true
		}
	}
	return Axis{}, false
}

// TableName maps Consultation to its table.
func (Consultation) TableName() string { return "consultations" }

// TableName maps Axis to its table.
func (Axis) TableName() string { return "axes" }

// TableName maps Entry to its table.
func (Entry) TableName() string { return "entries" }
