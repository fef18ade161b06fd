package search

import (
	"strconv"
	"time"
)

// Document is what the engines index for one published contribution.
type Document struct {
	ID             int64
	ConsultationID int64
	Entry          string // "hubs" or "libres"
	AxisID         int64
	HubID          int64 // 0: none
	AuthorCategory string
	RegionID       int64 // 0: none
	DepartementID  int64 // 0: none
	Status         string
	Title          string
	Body           string
	Supports       int
	Reactions      int
	CreatedAt      time.Time
	// CountsOnly: only the counters changed since the document was last
	// indexed, its text and filters did not. Engines that derive anything
	// from the text alone (the PostgreSQL dictionary of words) skip it;
	// engines that store documents replace them whole all the same.
	CountsOnly bool
}

// Row is a contribution as read from the database, with its counters.
type Row struct {
	ID             int64
	ConsultationID int64
	Entry          string
	AxisID         int64
	HubID          *int64
	AuthorCategory string
	RegionID       *int64
	DepartementID  *int64
	Status         string
	Title          string
	Body           string
	CreatedAt      time.Time
	// Counters (contribution_counters); nil when the row has none yet.
	Supports  *int
	Reactions [4]int // soutient, complete, nuance, conteste
}

// Indexed reports whether the row belongs in the index: only published
// contributions are searchable.
func (r Row) Indexed() bool { return r.Status == StatusPublished }

// DocumentOf maps a database row to its search document.
func DocumentOf(r Row) Document {
	d := Document{
		ID:             r.ID,
		ConsultationID: r.ConsultationID,
		Entry:          r.Entry,
		AxisID:         r.AxisID,
		HubID:          deref(r.HubID),
		AuthorCategory: r.AuthorCategory,
		RegionID:       deref(r.RegionID),
		DepartementID:  deref(r.DepartementID),
		Status:         r.Status,
		Title:          stripMarkers(r.Title),
		Body:           stripMarkers(r.Body),
		CreatedAt:      r.CreatedAt.UTC(),
	}
	if r.Supports != nil {
		d.Supports = *r.Supports
	}
	for _, n := range r.Reactions {
		d.Reactions += n
	}
	return d
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }
