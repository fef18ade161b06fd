// Package hub holds the Hubs territoriaux pour un numérique inclusif and the
// territories (régions and départements, by INSEE code) they cover.
package hub

import "errors"

// ErrNotFound is returned when no Hub or territory matches.
var ErrNotFound = errors.New("hub: not found")

// Territory kinds.
const (
	KindRegion      = "region"
	KindDepartement = "departement"
)

// AuthorCategory is the author category that Hub proposals carry: they are
// published in the Hub's name, never under their member's own category.
const AuthorCategory = "hub"

// Territory is a région or a département.
type Territory struct {
	ID       int64
	Kind     string
	Code     string // INSEE code
	Name     string
	RegionID *int64
}

// TableName maps Territory to its table.
func (Territory) TableName() string { return "territories" }

// Label is the name followed by the INSEE code of a département, e.g.
// "Finistère (29)"; a région is shown by its name.
func (t Territory) Label() string {
	if t.Kind == KindDepartement {
		return t.Name + " (" + t.Code + ")"
	}
	return t.Name
}

// Region is a région with its départements, for pickers and coverage tables.
type Region struct {
	Territory
	Departements []Territory
}

// Hub is a territorial Hub with the territories it covers.
type Hub struct {
	ID           int64
	Slug         string
	Name         string
	Presentation string
	Website      string
	Territories  []Territory `gorm:"-"`
}

// TableName maps Hub to its table.
func (Hub) TableName() string { return "hubs" }
