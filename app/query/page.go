package query

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Sort is the order of a list.
type Sort string

// The orders of a list, and Relevance for a text search.
const (
	SortRecent    Sort = "recentes"
	SortSupports  Sort = "soutiens"
	SortDiscussed Sort = "discutees"
	SortRandom    Sort = "hasard"
	SortRelevance Sort = "pertinence"
)

// Sorts lists the orders of a list without text, in display order.
var Sorts = []Sort{SortRecent, SortSupports, SortDiscussed, SortRandom}

// Label returns the French label of the order.
func (s Sort) Label() string {
	switch s {
	case SortSupports:
		return "Les plus soutenues"
	case SortRecent:
		return "Les plus récentes"
	case SortRandom:
		return "Au hasard"
	case SortDiscussed:
		return "Les plus discutées"
	case SortRelevance:
		return "Pertinence"
	}
	return ""
}

// ParseSort reads the order of a URL; "" when unknown.
func ParseSort(s string) Sort {
	if Sort(s).Label() != "" {
		return Sort(s)
	}
	return ""
}

// Page sizes offered, and the default.
var PageSizes = []int{10, 20, 30, 50}

const defaultPerPage = 20

// Paging limits. A page is reached by its number when reading it costs
// little: always in a list read whole (at most smallSet rows, or wholeSet
// rows for a page far from both ends); otherwise when the walk of the sort
// index down to it reads at most maxWalk index entries (the rows before it,
// times the entries read per row of the list), or it lies within maxOffset
// rows of either end. Other pages are reached through the cursor of the
// page next to them (the links of the pages carry it), so that no page ever
// costs a deep OFFSET scan.
const (
	maxOffset = 1000
	maxWalk   = 20000
	wholeSet  = 10000
)

// ErrUnreachable is returned for a page number far from both ends of the
// list and without a cursor: such an address was not made by the site.
var ErrUnreachable = errors.New("query: page out of reach")

// PageRequest asks for one page of a list.
type PageRequest struct {
	Sort    Sort
	Seed    int64 // for SortRandom: the visitor's order
	Number  int   // from 1; past the last page, the last page
	PerPage int
	After   string // cursor: the page after this row (URL parameter apres)
	Before  string // cursor: the page before this row (URL parameter avant)
}

// normalize makes r valid.
func (r PageRequest) normalize() PageRequest {
	if ParseSort(string(r.Sort)) == "" {
		r.Sort = SortRecent
	}
	if r.Number < 1 {
		r.Number = 1
	}
	ok := false
	for _, n := range PageSizes {
		ok = ok || n == r.PerPage
	}
	if !ok {
		r.PerPage = defaultPerPage
	}
	return r
}

// IDPage is one page of a list: the ids in order, the total and what the
// links around it need.
type IDPage struct {
	IDs     []int64
	Total   int
	Exact   bool // Total is exact (otherwise at least Total)
	Number  int  // this page's number, from 1
	Pages   int
	PerPage int
	Next    string // cursor of the next page, "" on the last
	Prev    string // cursor of the previous page, "" on the first
	// from is the copy of the listing that gave the page (nil: the
	// database): its cards take their counts from it. A page is not to be
	// kept beyond its request, which would keep that copy alive.
	from *mirrorSnap
}

// cursor is the position of a row in an order: its segment (random orders
// have two), its sort key and its id.
type cursor struct {
	seg int
	key int64
	id  int64
}

func (c cursor) String() string {
	return strconv.Itoa(c.seg) + "." + strconv.FormatInt(c.key, 10) + "." + strconv.FormatInt(c.id, 10)
}

// parseCursor reads a cursor of an address; ok is false for anything else.
func parseCursor(s string) (cursor, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || len(s) > 60 {
		return cursor{}, false
	}
	seg, err1 := strconv.Atoi(parts[0])
	key, err2 := strconv.ParseInt(parts[1], 10, 64)
	id, err3 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || seg < 0 || seg > 1 || id <= 0 {
		return cursor{}, false
	}
	return cursor{seg: seg, key: key, id: id}, true
}

// order describes how one sort reads the listing: the table, its id and key
// columns, and whether the list shows the key descending. A random order
// walks rnd ascending from the visitor's starting rank, then wraps around
// (two segments).
type order struct {
	from   string // table and alias
	id     string
	key    string
	desc   bool
	time   bool // the key is a timestamptz (cursors hold microseconds)
	random bool
}

func orderOf(s Sort) order {
	switch s {
	case SortSupports:
		return order{from: "contribution_counters l", id: "l.contribution_id", key: "l.supports", desc: true}
	case SortDiscussed:
		return order{from: "contribution_listing l", id: "l.contribution_id", key: "l.discussion", desc: true}
	case SortRandom:
		return order{from: "contribution_listing l", id: "l.contribution_id", key: "l.rnd", random: true}
	}
	return order{from: "contribution_listing l", id: "l.contribution_id", key: "l.created_at", desc: true, time: true}
}

// randomStart is the rank where the random order of seed starts.
func randomStart(seed int64) int64 {
	x := uint64(seed)*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	x ^= x >> 31
	return int64(x % 2147483647)
}

// keyArg turns a cursor key into the parameter of its column.
func (o order) keyArg(k int64) any {
	if o.time {
		return time.UnixMicro(k)
	}
	return k
}

// pageSQL builds the query of up to limit rows of the order o after (or, with
// backward, before) cursor at, skipping offset rows, among the rows that pass
// cond (a condition on the alias l, "" for all). Rows come in list order,
// reversed when backward; each is (id, key, segment). With small, the rows
// that pass cond are read whole first (through the cell index), then sorted;
// otherwise the index of the sort key is walked in order and filtered.
func (o order) pageSQL(cond string, a *Args, start int64, at *cursor, backward bool, limit, offset int, small bool) string {
	// In list order, keys go down for o.desc, segments and random ranks go up.
	desc := o.desc != backward
	dir, cmp := "ASC", ">"
	if desc {
		dir, cmp = "DESC", "<"
	}
	segDir := "ASC"
	if backward {
		segDir = "DESC"
	}
	kout := func(k string) string {
		if o.time {
			return "(extract(epoch FROM " + k + ") * 1000000)::bigint"
		}
		return k
	}
	if small {
		seg := "0"
		if o.random {
			seg = "CASE WHEN k >= " + a.Add(start) + " THEN 0 ELSE 1 END"
		}
		where := "true"
		if at != nil {
			// Random orders go up in (segment, rank, id); the others down in
			// (key, id) within their single segment.
			segCmp := ">"
			if backward {
				segCmp = "<"
			}
			if o.random {
				where = "(seg, k, id) " + segCmp + " (" + a.Add(at.seg) + ", " + a.Add(o.keyArg(at.key)) + ", " + a.Add(at.id) + ")"
			} else {
				where = "(k, id) " + cmp + " (" + a.Add(o.keyArg(at.key)) + ", " + a.Add(at.id) + ")"
			}
		}
		return fmt.Sprintf(`WITH m AS MATERIALIZED (SELECT %s AS id, %s AS k FROM %s WHERE %s)
			SELECT id, %s, seg FROM (SELECT id, k, %s AS seg FROM m) s WHERE %s
			ORDER BY seg %s, k %s, id %s %s`,
			o.id, o.key, o.from, orTrue(cond), kout("k"), seg, where, segDir, dir, dir, limitSQL(limit, offset))
	}
	segs := []int{0}
	if o.random {
		segs = []int{0, 1}
	}
	var parts []string
	for _, seg := range segs {
		if at != nil && seg != at.seg && (seg < at.seg) != backward {
			continue // a segment already passed in the direction read
		}
		conds := []string{}
		if cond != "" {
			conds = append(conds, cond)
		}
		if o.random {
			op := ">="
			if seg == 1 {
				op = "<"
			}
			conds = append(conds, o.key+" "+op+" "+a.Add(start))
		}
		if at != nil && seg == at.seg {
			conds = append(conds, "("+o.key+", "+o.id+") "+cmp+" ("+a.Add(o.keyArg(at.key))+", "+a.Add(at.id)+")")
		}
		parts = append(parts, fmt.Sprintf("SELECT %s AS id, %s AS kout, %d AS seg FROM %s WHERE %s ORDER BY %s %s, %s %s",
			o.id, kout(o.key), seg, o.from, orTrue(strings.Join(conds, " AND ")), o.key, dir, o.id, dir))
	}
	switch len(parts) {
	case 0:
		return "SELECT 0::bigint, 0::bigint, 0 WHERE false"
	case 1:
		return parts[0] + " " + limitSQL(limit, offset)
	}
	for i := range parts {
		parts[i] = "(" + parts[i] + " " + limitSQL(limit+offset, 0) + ")"
	}
	return fmt.Sprintf("SELECT id, kout, seg FROM (%s) u ORDER BY seg %s, kout %s, id %s %s",
		strings.Join(parts, " UNION ALL "), segDir, dir, dir, limitSQL(limit, offset))
}

// limitSQL writes the LIMIT and OFFSET of a page as literals, not
// parameters: PostgreSQL then keeps one generic plan of a list's statement
// per connection instead of planning it at each execution. With parameters,
// the generic plan supposes a tenth of the rows asked for, prefers a
// parallel sort (5 to 13 ms at 1,000,000 contributions) to the walk of the
// order's index (0.02 to 3 ms), and so every walk was planned again: 0.05 to
// 0.13 ms of the database for each list.
func limitSQL(limit, offset int) string {
	if offset == 0 {
		return "LIMIT " + strconv.Itoa(limit)
	}
	return "LIMIT " + strconv.Itoa(limit) + " OFFSET " + strconv.Itoa(offset)
}

func orTrue(cond string) string {
	if cond == "" {
		return "true"
	}
	return cond
}
