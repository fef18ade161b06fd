package search

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Postgres is the default engine: PostgreSQL full-text search on the
// contributions table itself (migration 00006_search.sql). The stored
// search_vector column (French, unaccented, title weighted A, body B) is kept
// by a trigger, so the engine reads the current rows directly: Index and
// Delete only maintain the dictionary of known words used to correct typos.
//
// Cost stays bounded on common words: matches are counted and faceted up to
// CountLimit rows only (beyond, totals and facets are estimates), a query
// that many contributions match is sampled by a bounded scan rather than
// through its huge posting list, relevance ranks a bounded set (the sample,
// or the RUM index's order when the rum extension is installed), sorts by
// date or supports walk their indexes, and every search runs under a
// statement timeout.
type Postgres struct {
	db *sql.DB
	// CountLimit bounds exact counting: when more contributions match, the
	// total is the planner's estimate and the facets are counted on the first
	// CountLimit matches, scaled to that estimate (Result.TotalExact false).
	CountLimit int
	// RankLimit bounds the candidates ranked by relevance without RUM: half
	// of them among the contributions whose title matches, the rest among
	// all matches (keep RankLimit/2 <= CountLimit).
	RankLimit int
	// ScanLimit and DenseFraction: a query whose every required word is in
	// at least DenseFraction of the contributions (PostgreSQL's statistics)
	// is sampled among the first ScanLimit rows of its filters; when that
	// gives fewer than CountLimit+1 matches while more rows match the
	// filters, it is sampled again through the index.
	ScanLimit     int
	DenseFraction float64
	// UniversalFraction: a lexeme in at least this fraction of the
	// contributions is left out of the ANDs of a query (it narrows nothing).
	UniversalFraction float64
	// RUMFraction: with the RUM index, a query ranks inside the index when
	// none of its lexemes is in more than this fraction of the contributions.
	RUMFraction float64
	// SortedReach and SortedWalk bound the hits that the pages of a search
	// sorted by supports or date can show. Such a page walks the index of
	// its order and checks the text and filters of every row it meets,
	// about rows/matches rows per hit: past the first hundreds of hits of a
	// selective query that walk reads tens of thousands of rows (300 ms at
	// 1,000,000 contributions, 4.5 µs a row). The pages reach at most
	// SortedReach hits, and no further than a walk of SortedWalk rows
	// (by the planner's estimate of the matches), but always one page. A
	// page asked beyond is the last one within reach (Result.Page).
	SortedReach int
	SortedWalk  int
	// Timeout is the statement timeout of a search.
	Timeout time.Duration

	synonyms synonymRules
	stats    lexemeStats
	// wholeIndex makes the index read every operand of a query (no
	// indexPart), and ginPhrases a sparse phrase go through the GIN index
	// rather than RUM's: tests compare them.
	wholeIndex bool
	ginPhrases bool
}

// NewPostgres returns the engine on the database pool db.
func NewPostgres(db *sql.DB) *Postgres {
	return &Postgres{db: db, CountLimit: 200, RankLimit: 400, ScanLimit: 10000, DenseFraction: 0.05,
		UniversalFraction: 0.9, RUMFraction: 0.02, SortedReach: 500, SortedWalk: 10000, Timeout: 3 * time.Second}
}

// Name implements Engine.
func (p *Postgres) Name() string { return "postgres" }

// ts_headline options; the markers are the HighlightStart/End characters.
const (
	pgTitleHeadline = `HighlightAll=true, StartSel=` + HighlightStart + `, StopSel=` + HighlightEnd
	pgBodyHeadline  = `MaxFragments=2, MaxWords=22, MinWords=8, FragmentDelimiter=" … ", StartSel=` + HighlightStart + `, StopSel=` + HighlightEnd
)

// Search implements Engine. The query is expanded with the synonyms of
// synonyms_fr.txt. When it finds nothing, misspelled words are replaced by
// known ones (typo correction); when that finds nothing either, a query of
// several words is relaxed: its most common words are left out one by one
// (Meilisearch's "frequency" matching strategy), phrases and exclusions
// kept. Result.Corrected is then the text searched.
func (p *Postgres) Search(ctx context.Context, q Query) (Result, error) {
	q = q.Normalize()
	if last := (p.SortedReach + q.PerPage - 1) / q.PerPage; q.Sort != SortRelevance && p.SortedReach > 0 && q.Page > last {
		q.Page = last
	}
	tx, err := p.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Result{}, fmt.Errorf("search: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	ms := strconv.FormatInt(p.Timeout.Milliseconds(), 10)
	if _, err := tx.ExecContext(ctx, `SELECT set_config('statement_timeout', $1, true)`, ms); err != nil {
		return Result{}, fmt.Errorf("search: %w", err)
	}
	res, err := p.search(ctx, tx, q)
	if err != nil {
		return Result{}, timeout(err)
	}
	if res.Total == 0 && q.Text != "" {
		text := q.Text
		corrected, err := p.correct(ctx, tx, q.Text)
		if err != nil {
			return Result{}, err
		}
		if corrected != "" {
			text = corrected
			cq := q
			cq.Text = corrected
			cres, err := p.search(ctx, tx, cq)
			if err != nil {
				return Result{}, timeout(err)
			}
			if cres.Total > 0 {
				res = cres
				res.Corrected = corrected
			}
		}
		if res.Total == 0 {
			rres, relaxed, err := p.relaxed(ctx, tx, q, text)
			if err != nil {
				return Result{}, err
			}
			if rres.Total > 0 {
				res = rres
				res.Corrected = relaxed
			}
		}
	}
	return res, tx.Commit()
}

func (p *Postgres) search(ctx context.Context, tx *sql.Tx, q Query) (Result, error) {
	st, err := p.stats.get(ctx, tx)
	if err != nil {
		return Result{}, err
	}
	w := &where{filterRows: -1}
	mode, rum, postings := sampleByIndex, false, 0.0
	var tree *tsqNode  // the text, parsed
	var index *tsqNode // the part of the text the index reads by itself
	if q.Text != "" {
		tsq, err := p.parseQuery(ctx, tx, q.Text)
		if err != nil {
			return Result{}, err
		}
		if tsq == "" { // only stop words: nothing to look for
			return Result{Facets: map[Facet]map[string]int{}, TotalExact: true}, nil // Reachable 0
		}
		if n := parseTsquery(tsq); n != nil {
			n.dropUniversal(st.freq, p.UniversalFraction)
			tsq = n.String()
			if n.freq(st.freq) >= p.DenseFraction {
				mode = sampleByScan
			}
			// RUM ranks by reading the posting list of every lexeme: cheap
			// when they are all short, slower than bounded candidates else.
			rum = st.rum && n.maxLexeme(st.freq) <= p.RUMFraction
			postings = n.sumLexemes(st.freq) * st.rows
			tree = n
			if !p.wholeIndex {
				index = n.indexPart(st.freq, st.rows)
			}
		}
		w.text = "c.search_vector @@ " + w.arg(tsq) + "::tsquery" // $1
		if index != nil {
			w.index = "c.search_vector @@ " + quote(index.String()) + "::tsquery AND (" + w.text + ") IS TRUE"
		}
	}
	w.filters(q.Filters)
	if mode == sampleByIndex && w.narrow > 0 && postings/entriesPerRow >= 500 {
		// A query of common words in a small territory: checking the text
		// on every row of the filters may cost less than reading the
		// posting lists of its words.
		if err := p.filterRows(ctx, tx, w); err != nil {
			return Result{}, err
		}
		if w.filterRows <= p.ScanLimit && float64(w.filterRows) <= postings/entriesPerRow {
			mode = sampleAll
		}
	}
	if mode == sampleByScan {
		if err := p.filterRows(ctx, tx, w); err != nil {
			return Result{}, err
		}
		if w.narrow > 0 && w.filterRows <= p.ScanLimit {
			mode = sampleAll
		}
	}
	w.rows = st.rows
	asked := q.Page
	if q.Sort != SortRelevance && q.Page > 1 && w.text != "" {
		// A page beyond the walk's reach is not walked to: the last page
		// within reach is served instead.
		est, err := p.estimate(ctx, tx, w)
		if err != nil {
			return Result{}, err
		}
		if last := max((min(est, MaxTotal, p.sortedReach(q, est, w.rows))+q.PerPage-1)/q.PerPage, 1); q.Page > last {
			q.Page = last
		}
	}
	res, sparse, err := p.run(ctx, tx, w, q, mode, rum)
	if sparse {
		mode = sampleByIndex
		// A phrase of common words that the sample found rare, as "accès
		// aux droits" (65,707 contributions hold both words, none the
		// phrase): the GIN index has no positions, so every row with the
		// words is read and checked (790 ms at 1,000,000); the RUM index
		// checks the positions itself (94 ms). With filters that keep few
		// rows, the GIN index holds them and reads fewer (a région of an
		// eighth of the contributions: 88 ms; the free contributions, 85 %
		// of them: 721 ms, and RUM's 100 ms). On twelve other phrases RUM
		// was slower every time (1.4 to 267 ms against 0.1 to 58 ms), so
		// it serves only this case.
		w.index = p.sparseIndex(w, tree, st)
		res, _, err = p.run(ctx, tx, w, q, mode, rum)
	}
	if err == nil && q.Page != asked && res.TotalExact {
		// The estimate was off and the matches are all counted: their pages
		// cost no walk, the one asked (or the last) is served, in the mode
		// that counted them.
		if page := min(asked, max((res.Total+q.PerPage-1)/q.PerPage, 1)); page != q.Page {
			q.Page = page
			res, _, err = p.run(ctx, tx, w, q, mode, rum)
		}
	}
	res.Page = q.Page
	return res, err
}

// sparseIndex returns the condition by which the sample of a search is
// read again through the index when a scan found its words dense but its
// matches few (w.index, the default, when nothing better): RUM's index for
// a phrase, unless its filters keep less than an eighth of the
// contributions (w.filterRows, counted on the cells before the scan).
func (p *Postgres) sparseIndex(w *where, tree *tsqNode, st *statsSnapshot) string {
	broad := w.narrow == 0 || (w.filterRows >= 0 && st.rows > 0 && float64(w.filterRows) >= st.rows/8)
	if tree != nil && tree.hasPhrase() && st.rum && broad && !p.ginPhrases {
		return rumIndexExpr + " @@ $1::tsquery"
	}
	return w.index
}

// entriesPerRow is what reading one contribution by primary key and
// matching its text costs, in entries of a posting list read by the
// full-text index (measured at 1,000,000 contributions: about 4 µs against
// 0.15 µs).
const entriesPerRow = 25

// filterRows sets w.filterRows, the number of contributions that the
// filters keep, exactly, from the rollup's cells. $1, the text, is
// referenced so that every argument has a type.
func (p *Postgres) filterRows(ctx context.Context, tx *sql.Tx, w *where) error {
	err := tx.QueryRowContext(ctx, "SELECT coalesce(sum(k.n), 0) FROM contribution_cells k WHERE $1::tsquery IS NOT NULL AND "+
		strings.Join(w.cells, " AND "), w.args...).Scan(&w.filterRows)
	if err != nil {
		return fmt.Errorf("search: filter rows: %w", err)
	}
	return nil
}

// run runs the statement of a search. With sampleByScan, sparse reports a
// query that the scan did not sample fully: run it again by index.
func (p *Postgres) run(ctx context.Context, tx *sql.Tx, w *where, q Query, mode sampleMode, rum bool) (res Result, sparse bool, err error) {
	off := plansOff(w, mode)
	if off != "" {
		if _, err := tx.ExecContext(ctx, setPlans(off, "off")); err != nil {
			return Result{}, false, fmt.Errorf("search: %w", err)
		}
	}
	// One statement: the sample, its count and facets, the page and its highlights.
	var total int
	var more, exact bool
	var facets, hits []byte
	err = tx.QueryRowContext(ctx, p.statement(w, q, mode, rum), w.args...).Scan(&total, &more, &exact, &facets, &hits)
	if off != "" && err == nil {
		_, err = tx.ExecContext(ctx, setPlans(off, "on"))
	}
	if err != nil {
		return Result{}, false, fmt.Errorf("search: %w", err)
	}
	if !exact && total <= p.CountLimit {
		return Result{}, true, nil
	}
	res = Result{Total: total, TotalExact: exact, Facets: make(map[Facet]map[string]int, len(Facets))}
	var fs [][3]any
	if err := json.Unmarshal(facets, &fs); err != nil {
		return Result{}, false, fmt.Errorf("search: facets: %w", err)
	}
	for _, f := range fs {
		facet, _ := f[0].(string)
		value, _ := f[1].(string)
		n, _ := f[2].(float64)
		if res.Facets[Facet(facet)] == nil {
			res.Facets[Facet(facet)] = map[string]int{}
		}
		res.Facets[Facet(facet)][value] = int(n)
	}
	var hs [][3]any
	if err := json.Unmarshal(hits, &hs); err != nil {
		return Result{}, false, fmt.Errorf("search: hits: %w", err)
	}
	for _, h := range hs {
		id, _ := h[0].(float64)
		title, _ := h[1].(string)
		excerpt, _ := h[2].(string)
		if q.Text == "" {
			title = stripMarkers(title)
		}
		res.Hits = append(res.Hits, Hit{ID: int64(id), Title: title, Excerpt: excerpt})
	}
	if res.TotalExact {
		res.Reachable = res.Total // its pages come from the matches counted, never a walk
		return res, false, nil
	}
	// Beyond CountLimit: the planner's estimate, and facets scaled to it.
	sample := res.Total
	est, err := p.estimate(ctx, tx, w)
	if err != nil {
		return Result{}, false, err
	}
	res.Total = min(max(est, sample), MaxTotal)
	res.Reachable = res.Total
	switch {
	case q.Sort != SortRelevance:
		res.Reachable = min(res.Total, p.sortedReach(q, max(est, sample), w.rows))
	case mode == sampleByScan:
		res.Reachable = min(res.Total, p.CountLimit) // the sample is ranked
	case !rum:
		res.Reachable = min(res.Total, p.RankLimit/2) // the candidates are at least RankLimit/2
	}
	for _, values := range res.Facets {
		for v, n := range values {
			values[v] = max(1, int(float64(n)*float64(res.Total)/float64(sample)+0.5))
		}
	}
	return res, false, nil
}

// plansOff names the plans that the statement of a search in mode may not
// use (enable_ settings of the planner, comma-separated), or "".
//
//   - By index, a text query is one that few contributions match (or that
//     a scan found sparse): a sequential scan, which the planner may prefer
//     from a poor estimate of an OR, would read the whole table for nothing.
//   - A sampled scan with narrow filters (an axis, a territory, an entry…)
//     walks an index of its filters, lazily, to its first ScanLimit rows.
//     The planner would rather read the table in order, supposing the rows
//     of a filter spread evenly; they are not (the Hub proposals of a
//     campaign come together, a territory joins late), and such a scan
//     read 850,000 rows (0.5 s) for the Hub proposals at 1,000,000
//     contributions, against 1,653 rows (4 ms) through the index. A bitmap
//     of the filters is no lazier: it reads every row of the filters in
//     the index first (340,000 for one category: 35 ms).
func plansOff(w *where, mode sampleMode) string {
	switch {
	case mode == sampleByIndex && w.text != "":
		return "enable_seqscan"
	case walksFilters(w, mode):
		return "enable_seqscan,enable_bitmapscan"
	}
	return ""
}

// walksFilters reports whether the sample of a search in mode walks an
// index of its narrow filters (plansOff, where.walk).
func walksFilters(w *where, mode sampleMode) bool { return mode == sampleByScan && w.narrow > 0 }

// setPlans is the statement that sets the planner settings of plansOff to
// value, for the rest of the transaction.
func setPlans(settings, value string) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, s := range strings.Split(settings, ",") {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "set_config('%s', '%s', true)", s, value)
	}
	return b.String()
}

// sortedReach is how many hits the pages of q can show when it matches
// about est of rows contributions: all of them by relevance (bounded
// elsewhere); by supports or date, as far as a walk of SortedWalk rows of
// the order's index goes (it meets rows/est rows per hit), at most
// SortedReach, at least one page.
func (p *Postgres) sortedReach(q Query, est int, rows float64) int {
	if q.Sort == SortRelevance || p.SortedReach <= 0 {
		return est
	}
	reach := p.SortedReach
	if p.SortedWalk > 0 && rows > 0 && est > 0 {
		reach = min(reach, int(float64(p.SortedWalk)*float64(est)/rows))
	}
	return max(reach, q.PerPage)
}

// timeout turns a statement timeout (SQLSTATE 57014) into ErrTimeout.
func timeout(err error) error {
	var se interface{ SQLState() string }
	if errors.As(err, &se) && se.SQLState() == "57014" {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return err
}

// estimate returns the planner's estimate of the number of matches.
func (p *Postgres) estimate(ctx context.Context, tx *sql.Tx, w *where) (int, error) {
	return p.estimateRows(ctx, tx, w.sql(), w.args)
}

// estimateRows returns the planner's estimate of the contributions that
// match cond.
func (p *Postgres) estimateRows(ctx context.Context, tx *sql.Tx, cond string, args []any) (int, error) {
	var plan []byte
	if err := tx.QueryRowContext(ctx, `EXPLAIN (FORMAT JSON) SELECT 1 FROM contributions c WHERE `+cond, args...).Scan(&plan); err != nil {
		return 0, fmt.Errorf("search: estimate: %w", err)
	}
	var out []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal(plan, &out); err != nil || len(out) == 0 {
		return 0, fmt.Errorf("search: estimate: %v", err)
	}
	return int(out[0].Plan.Rows), nil
}

// where builds the WHERE clause of a search, with its arguments.
type where struct {
	text string // the text condition, on $1, or ""
	// index is the text condition of a sample by index when the index had
	// better read only part of the query (tsqNode.indexPart), the whole
	// query checked on the rows it finds; "" otherwise.
	index  string
	conds  []string
	args   []any
	narrow int // filters beyond the status and the consultation
	// cells is the same filter on the rollup's cells (contribution_cells,
	// migration 00010_listing.sql), whose contribution_listing rows give
	// the contributions of a filter through one narrow index rather than a
	// bitmap AND of the large single-column indexes.
	cells []string
	// walk is the same filter written so that only the indexes of the
	// narrow filters can serve it: the status and the consultation, which
	// every contribution nearly shares, as expressions no index holds. A
	// sample then walks an index of its own filters, never one of the whole
	// consultation (by date, say), which the planner may prefer for a
	// filter it supposes spread evenly over time, and which reads every
	// row of the other cells before the first of a territory that
	// contributed early.
	walk []string
	// filterRows is the number of contributions that the filters keep, when
	// it was read from the cells (else -1).
	filterRows int
	// rows is the planner's count of contributions (0: unknown).
	rows float64
}

// arg adds an argument and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

// add adds the condition "column op v" on c, the contributions, and on k,
// the cells (op " = ANY" takes an array).
func (w *where) add(column, op string, v any) {
	rhs := w.arg(v)
	if op == " = ANY" {
		rhs = "(" + rhs + ")"
	}
	w.conds = append(w.conds, "c."+column+op+rhs)
	w.cells = append(w.cells, "k."+column+op+rhs)
	if column == "status" || column == "consultation_id" {
		w.walk = append(w.walk, "(c."+column+op+rhs+") IS TRUE")
	} else {
		w.walk = append(w.walk, "c."+column+op+rhs)
	}
}

func (w *where) filters(f Filters) {
	if st := f.statuses(); len(st) == 1 {
		w.add("status", " = ", st[0]) // an equality: the listing index then gives the date order
	} else {
		w.add("status", " = ANY", textArray(st))
	}
	if f.ConsultationID != 0 {
		w.add("consultation_id", " = ", f.ConsultationID)
	}
	if f.AxisID != 0 {
		w.add("axis_id", " = ", f.AxisID)
		w.narrow++
	}
	if f.Entry != "" {
		w.add("entry", " = ", f.Entry)
		w.narrow++
	}
	if f.AuthorCategory != "" {
		w.add("author_category", " = ", f.AuthorCategory)
		w.narrow++
	}
	if f.RegionID != 0 {
		w.add("region_id", " = ", f.RegionID)
		w.narrow++
	}
	if f.DepartementID != 0 {
		w.add("departement_id", " = ", f.DepartementID)
		w.narrow++
	}
	if f.HubID != 0 {
		w.add("hub_id", " = ", f.HubID)
		w.narrow++
	}
}

// sql is the whole condition.
func (w *where) sql() string {
	if w.text == "" {
		return w.filterSQL()
	}
	return w.text + " AND " + w.filterSQL()
}

// filterSQL is the condition without the text.
func (w *where) filterSQL() string { return strings.Join(w.conds, " AND ") }

// listingSQL selects the ids of the contributions that the filters keep
// (contribution_id), at most limit of them, from the listing rows of their
// cells: an index-only scan whatever the combination of filters.
func (w *where) listingSQL(limit int) string {
	return fmt.Sprintf(`SELECT l.contribution_id FROM contribution_listing l
		WHERE l.cell_id = ANY(ARRAY(SELECT k.id FROM contribution_cells k WHERE %s)) LIMIT %d`,
		strings.Join(w.cells, " AND "), limit)
}

// int64Array and textArray format PostgreSQL array literals, for drivers
// that do not bind Go slices.
func int64Array(ids []int64) string {
	b := make([]byte, 0, len(ids)*8+2)
	b = append(b, '{')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, '}'))
}

func textArray(ss []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}
