package synthesis

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Row is one contribution as exported. It holds no e-mail, no name of a
// person and no IP address: the author is a pseudonym.
type Row struct {
	ID              int64
	URL             string
	Entry           string // entry title
	AxisPosition    int
	Axis            string
	Hub             string // Hub name, for Hub proposals
	RegionCode      string
	Region          string
	DepartementCode string
	Departement     string
	Category        string // author category label
	Author          string // pseudonym, stable within one export
	ReactsTo        int64
	ReactionType    string
	Title           string
	Body            string
	Status          string // French label
	Hidden          bool
	Supports        int
	Reactions       [4]int // soutient, complete, nuance, conteste
	Arguments       [3]int // pour, contre, neutre
	CreatedAt       time.Time
	EditedAt        time.Time // zero when never edited
	Tags            string    // rapporteur tags, comma separated
	Retained        bool
	AnswerState     string    // official answer: French label of its state, "" for none
	Answer          string    // official answer: public text
	AnsweredAt      time.Time // official answer: last change; zero for none
	Assisted        bool      // contribution accompagnée (written with a médiateur numérique)

	axisID    int64
	authorID  int64
	updatedAt time.Time
}

// pseudonymizer gives each author id an opaque id, stable within one export
// and unlinkable across exports: an HMAC under a random key drawn per export.
type pseudonymizer struct{ key []byte }

func newPseudonymizer() pseudonymizer {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return pseudonymizer{key: k}
}

func (p pseudonymizer) id(userID sql.NullInt64) string {
	if !userID.Valid {
		return ""
	}
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(strconv.FormatInt(userID.Int64, 10)))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// order of the rows of an export.
type order int

const (
	byID   order = iota
	byAxis       // axis position, then id: one sheet per axis
)

// eachRow streams the contributions of the view to fn, one at a time: the
// rows are read from PostgreSQL as they are written, never held together.
func (s *Store) eachRow(ctx context.Context, refs Refs, f Filter, o order, p pseudonymizer, fn func(*Row) error) error {
	var a sqlArgs
	orderBy := "c.id"
	if o == byAxis { // the axes in their order (positions written in the query: ids are ints)
		var b strings.Builder
		b.WriteString("CASE c.axis_id")
		for _, ax := range refs.Axes {
			fmt.Fprintf(&b, " WHEN %d THEN %d", ax.ID, ax.Position)
		}
		orderBy = b.String() + " END, c.id"
	}
	tags := "''"
	retained := "false"
	if !f.Public {
		tags = `coalesce((SELECT string_agg(t.tag, ', ' ORDER BY t.tag) FROM synthesis_tags t WHERE t.contribution_id = c.id), '')`
		retained = `EXISTS (SELECT 1 FROM synthesis_retained r WHERE r.contribution_id = c.id)`
	}
	// The names of axes, Hubs, territories and categories come from refs:
	// joining their tables for every row cost a third of a 1,000,000-row
	// export.
	names := newRowNames(refs)
	q := `SELECT c.id, c.entry, c.axis_id, coalesce(c.hub_id, 0), coalesce(c.region_id, 0), coalesce(c.departement_id, 0),
		c.author_category, c.author_id, coalesce(c.reacts_to_id, 0), coalesce(c.reaction_type, ''),
		c.title, c.body, c.status, coalesce(cc.supports, 0),
		coalesce(cc.reactions_soutient, 0), coalesce(cc.reactions_complete, 0), coalesce(cc.reactions_nuance, 0), coalesce(cc.reactions_conteste, 0),
		coalesce(cc.arguments_pour, 0), coalesce(cc.arguments_contre, 0), coalesce(cc.arguments_neutre, 0),
		c.created_at, c.edited_at, c.updated_at, ` + tags + `, ` + retained + `,
		coalesce(o.state, ''), coalesce(o.body, ''), o.updated_at, c.assisted
		FROM contributions c
		LEFT JOIN official_answers o ON o.contribution_id = c.id
		LEFT JOIN contribution_counters cc ON cc.contribution_id = c.id
		WHERE ` + f.Where(refs, &a) + ` ORDER BY ` + orderBy
	var r Row
	var author sql.NullInt64
	var edited, answered sql.NullTime
	var entry, status, answerState, category string
	var hub, region, dep int64
	err := queryEach(ctx, s.db.ReadSQL(ctx), q, a, func(rs *sql.Rows) error {
		err := rs.Scan(&r.ID, &entry, &r.axisID, &hub, &region, &dep,
			&category, &author, &r.ReactsTo, &r.ReactionType,
			&r.Title, &r.Body, &status, &r.Supports,
			&r.Reactions[0], &r.Reactions[1], &r.Reactions[2], &r.Reactions[3],
			&r.Arguments[0], &r.Arguments[1], &r.Arguments[2],
			&r.CreatedAt, &edited, &r.updatedAt, &r.Tags, &r.Retained, &answerState, &r.Answer, &answered, &r.Assisted)
		if err != nil {
			return err
		}
		ax := names.axes[r.axisID]
		r.AxisPosition, r.Axis = ax.Position, ax.Title
		r.Hub = names.hubs[hub]
		rg, dp := names.territories[region], names.territories[dep]
		r.RegionCode, r.Region, r.DepartementCode, r.Departement = rg.Code, rg.Name, dp.Code, dp.Name
		r.Category = refs.CategoryLabel(category)
		r.URL = s.Permalink(r.ID)
		r.Entry = refs.EntryTitle(entry)
		r.Author = p.id(author)
		if f.Public && r.Hub != "" {
			// A Hub proposal is published in the Hub's name: the public
			// dataset does not tell which member wrote it.
			r.Author = ""
		}
		r.authorID = author.Int64
		r.Status = StatusLabel(status)
		r.Hidden = status == StatusHidden
		r.EditedAt = time.Time{}
		if edited.Valid {
			r.EditedAt = edited.Time
		}
		r.AnswerState, r.AnsweredAt = "", time.Time{}
		if answerState != "" {
			r.AnswerState, r.AnsweredAt = AnswerLabel(answerState), answered.Time
		}
		return fn(&r)
	})
	if err != nil {
		return fmt.Errorf("export rows: %w", err)
	}
	return nil
}

// rowNames are the names of what a row points to, by id.
type rowNames struct {
	axes        map[int64]Axis
	hubs        map[int64]string
	territories map[int64]Territory
}

func newRowNames(refs Refs) rowNames {
	n := rowNames{axes: map[int64]Axis{}, hubs: map[int64]string{}, territories: map[int64]Territory{}}
	for _, a := range refs.Axes {
		n.axes[a.ID] = a
	}
	for _, h := range refs.Hubs {
		n.hubs[h.ID] = h.Name
	}
	for _, t := range refs.Regions {
		n.territories[t.ID] = t
	}
	for _, t := range refs.Departements {
		n.territories[t.ID] = t
	}
	return n
}
