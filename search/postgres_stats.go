package search

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// lexemeStats are what the engine reads from the catalog now and then: the
// frequencies of the most common lexemes of contributions.search_vector
// (pg_stats, kept by ANALYZE and autovacuum) and whether the RUM index
// exists. Read-only: it works on a replica.
type lexemeStats struct {
	mu  sync.Mutex
	at  time.Time
	cur *statsSnapshot
}

// statsTTL is how long the statistics are kept before being read again.
const statsTTL = 5 * time.Minute

type statsSnapshot struct {
	freq map[string]float64 // fraction of the contributions holding the lexeme
	rum  bool
	rows float64 // the planner's count of contributions (0: unknown)
}

func (l *lexemeStats) get(ctx context.Context, q querier) (*statsSnapshot, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cur != nil && time.Since(l.at) < statsTTL {
		return l.cur, nil
	}
	s := &statsSnapshot{freq: map[string]float64{}}
	if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_indexes
	WHERE schemaname = current_schema() AND tablename = 'contributions' AND indexname = 'contributions_search_rum_idx')`).Scan(&s.rum); err != nil {
		return nil, fmt.Errorf("search: statistics: %w", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT greatest(reltuples, 0)::float8 FROM pg_class WHERE oid = 'contributions'::regclass`).Scan(&s.rows); err != nil {
		return nil, fmt.Errorf("search: statistics: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT e, f FROM pg_stats s,
	unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS x(e, f)
WHERE s.schemaname = current_schema() AND s.tablename = 'contributions' AND s.attname = 'search_vector' AND e IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("search: statistics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e string
		var f float64
		if err := rows.Scan(&e, &f); err != nil {
			return nil, fmt.Errorf("search: statistics: %w", err)
		}
		s.freq[e] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: statistics: %w", err)
	}
	l.cur, l.at = s, time.Now()
	return s, nil
}

// The text form of a tsquery, parsed: 'lexeme' (with :* or weights), !,
// <->, <N>, &, |, parentheses, in that order of precedence.
type tsqNode struct {
	op   string // "lex", "!", "&", "|" or a phrase operator ("<->", "<2>"…)
	lex  string // the lexeme, unquoted
	raw  string // the lexeme as written, quotes and flags included
	kids []*tsqNode
}

// String writes the node back as tsquery text.
func (n *tsqNode) String() string {
	switch n.op {
	case "lex":
		return n.raw
	case "!":
		return "!" + n.kids[0].String()
	}
	parts := make([]string, len(n.kids))
	for i, k := range n.kids {
		parts[i] = k.String()
	}
	return "( " + strings.Join(parts, " "+n.op+" ") + " )"
}

// freq estimates the fraction of contributions that match n: a lexeme's
// own (0 when it is not among the most common), the sum of an OR (bounded
// by 1), 1 for a negation, and for an AND or a phrase the least of its
// operands times the square root of the others' product (the parts of a
// compound word left out of a phrase that holds it: phraseOperands).
func (n *tsqNode) freq(f map[string]float64) float64 {
	switch n.op {
	case "lex":
		return f[n.lex]
	case "!":
		return 1
	case "|":
		sum := 0.0
		for _, k := range n.kids {
			sum += k.freq(f)
		}
		return min(1, sum)
	}
	kids := n.kids
	if strings.HasPrefix(n.op, "<") {
		kids = phraseOperands(n)
	}
	// An AND or a phrase: the least of its operands, narrowed by the square
	// root of the others' product. Words of one text come together more
	// often than by chance (the product alone would underestimate), yet four
	// common words together are far rarer than the least of them: taken for
	// a dense query, such a conjunction would have a scan find too few
	// matches and be searched again by index.
	least, product := 1.0, 1.0
	for _, k := range kids {
		fk := k.freq(f)
		product *= fk
		least = min(least, fk)
	}
	if least == 0 {
		return 0
	}
	return least * math.Sqrt(product/least)
}

// phraseOperands returns the operands of the phrase n without the parts of
// a compound word that follow it: PostgreSQL's French parser reads
// "outre-mer" as 'outre-m' <-> 'outr' <-> 'mer', whose parts come with the
// compound in every text. Taken as independent words, they made the phrase
// five times rarer than the compound itself (3.9 % of the contributions
// instead of 19.7 % at 1,000,000), and the search read it through the index
// as a rare query. Nested phrases are flattened when the phrase holds a
// compound; the parts are the operands right after it that begin its
// pieces in order (a stop word among the pieces has no operand).
func phraseOperands(n *tsqNode) []*tsqNode {
	var all []*tsqNode
	var walk func(*tsqNode)
	walk = func(k *tsqNode) {
		if strings.HasPrefix(k.op, "<") {
			for _, c := range k.kids {
				walk(c)
			}
			return
		}
		all = append(all, k)
	}
	walk(n)
	if !slices.ContainsFunc(all, isCompound) {
		return n.kids
	}
	var kept []*tsqNode
	for i := 0; i < len(all); i++ {
		kept = append(kept, all[i])
		if !isCompound(all[i]) {
			continue
		}
		pieces := strings.Split(all[i].lex, "-")
		for i+1 < len(all) && all[i+1].op == "lex" && !isCompound(all[i+1]) {
			lex := all[i+1].lex
			j := slices.IndexFunc(pieces, func(p string) bool {
				return p != "" && (strings.HasPrefix(lex, p) || strings.HasPrefix(p, lex))
			})
			if j < 0 {
				break
			}
			pieces = pieces[j+1:]
			i++
		}
	}
	return kept
}

// isCompound reports whether k is a compound word ('outre-m').
func isCompound(k *tsqNode) bool { return k.op == "lex" && strings.Contains(k.lex, "-") }

// hasPhrase reports whether n holds a phrase operator (<->, <N>).
func (n *tsqNode) hasPhrase() bool {
	if strings.HasPrefix(n.op, "<") {
		return true
	}
	for _, k := range n.kids {
		if k.hasPhrase() {
			return true
		}
	}
	return false
}

// sumLexemes is the sum of the frequencies of the lexemes of n: the share
// of the table that the full-text index reads for it (its posting lists).
func (n *tsqNode) sumLexemes(f map[string]float64) float64 {
	if n.op == "lex" {
		return f[n.lex]
	}
	sum := 0.0
	for _, k := range n.kids {
		sum += k.sumLexemes(f)
	}
	return sum
}

// indexPart returns the operands of the AND n that the full-text index
// had better read alone, the rows it finds then checked against n whole, or
// nil to read n whole. A question of many words ANDs common ones
// ("numérique", "territoires", the synonyms of "médiation numérique") with
// rarer ones: the index read every posting list of the common words (136 ms
// at 1,000,000 contributions for "financer durablement la médiation
// numérique dans les territoires ruraux") where the rarer ones alone found
// 535 rows to check (28 ms). The operands are taken rarest first, as many
// as make the cost least: the posting lists read, plus entriesPerRow for
// each row found and checked (rows the contributions, f their lexemes'
// frequencies).
func (n *tsqNode) indexPart(f map[string]float64, rows float64) *tsqNode {
	if n.op != "&" || len(n.kids) < 2 {
		return nil
	}
	var kids []*tsqNode // exclusions are only ever checked on the rows
	for _, k := range n.kids {
		if k.op != "!" {
			kids = append(kids, k)
		}
	}
	slices.SortStableFunc(kids, func(a, b *tsqNode) int { return cmp.Compare(a.freq(f), b.freq(f)) })
	var best *tsqNode
	cost := n.sumLexemes(f) * rows
	for k := 1; k < len(n.kids) && k <= len(kids); k++ {
		part := kids[0]
		if k > 1 {
			part = &tsqNode{op: "&", kids: kids[:k]}
		}
		if c := (part.sumLexemes(f) + part.freq(f)*entriesPerRow) * rows; c < cost {
			best, cost = part, c
		}
	}
	return best
}

// quote writes s as an SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// maxLexeme is the highest frequency of the lexemes of n.
func (n *tsqNode) maxLexeme(f map[string]float64) float64 {
	if n.op == "lex" {
		return f[n.lex]
	}
	m := 0.0
	for _, k := range n.kids {
		m = max(m, k.maxLexeme(f))
	}
	return m
}

// dropUniversal removes from the ANDs of n the lexemes that nearly every
// contribution holds (at least fraction of them, as "le" from "les", which
// the French stop words miss): they barely narrow the results but make the
// index read a posting list as long as the table. Phrases, ORs and
// negations keep theirs, and an AND keeps at least one operand.
func (n *tsqNode) dropUniversal(f map[string]float64, fraction float64) {
	for _, k := range n.kids {
		k.dropUniversal(f, fraction)
	}
	if n.op != "&" {
		return
	}
	var kept []*tsqNode
	for _, k := range n.kids {
		if k.op != "lex" || f[k.lex] < fraction {
			kept = append(kept, k)
		}
	}
	if len(kept) == 0 {
		kept = n.kids[:1]
	}
	n.kids = kept
	if len(kept) == 1 {
		*n = *kept[0]
	}
}

// parseTsquery parses the text form of a tsquery; nil when it cannot.
func parseTsquery(src string) *tsqNode {
	p := &tsqParser{src: src}
	n := p.or()
	p.space()
	if n == nil || p.i != len(p.src) {
		return nil
	}
	return n
}

type tsqParser struct {
	src string
	i   int
}

func (p *tsqParser) space() {
	for p.i < len(p.src) && p.src[p.i] == ' ' {
		p.i++
	}
}

// binary parses operands of next joined by the operator that sep reads.
func (p *tsqParser) binary(next func() *tsqNode, sep func() string) *tsqNode {
	first := next()
	if first == nil {
		return nil
	}
	var n *tsqNode
	for {
		p.space()
		op := sep()
		if op == "" {
			break
		}
		k := next()
		if k == nil {
			return nil
		}
		if n == nil || n.op != op {
			if n == nil {
				n = &tsqNode{op: op, kids: []*tsqNode{first}}
			} else {
				n = &tsqNode{op: op, kids: []*tsqNode{n}}
			}
		}
		n.kids = append(n.kids, k)
	}
	if n == nil {
		return first
	}
	return n
}

func (p *tsqParser) or() *tsqNode {
	return p.binary(p.and, func() string { return p.char('|') })
}

func (p *tsqParser) and() *tsqNode {
	return p.binary(p.phrase, func() string { return p.char('&') })
}

func (p *tsqParser) phrase() *tsqNode {
	return p.binary(p.unary, func() string {
		if p.i >= len(p.src) || p.src[p.i] != '<' {
			return ""
		}
		end := strings.IndexByte(p.src[p.i:], '>')
		if end < 0 {
			return ""
		}
		op := p.src[p.i : p.i+end+1]
		p.i += end + 1
		return op
	})
}

func (p *tsqParser) char(c byte) string {
	if p.i < len(p.src) && p.src[p.i] == c {
		p.i++
		return string(c)
	}
	return ""
}

func (p *tsqParser) unary() *tsqNode {
	p.space()
	if p.i >= len(p.src) {
		return nil
	}
	switch p.src[p.i] {
	case '!':
		p.i++
		k := p.unary()
		if k == nil {
			return nil
		}
		return &tsqNode{op: "!", kids: []*tsqNode{k}}
	case '(':
		p.i++
		n := p.or()
		p.space()
		if n == nil || p.char(')') == "" {
			return nil
		}
		return n
	case '\'':
		start := p.i
		var b strings.Builder
		for p.i++; p.i < len(p.src); p.i++ {
			if p.src[p.i] == '\'' {
				if p.i+1 < len(p.src) && p.src[p.i+1] == '\'' {
					b.WriteByte('\'')
					p.i++
					continue
				}
				break
			}
			b.WriteByte(p.src[p.i])
		}
		if p.i >= len(p.src) {
			return nil
		}
		p.i++
		if p.i < len(p.src) && p.src[p.i] == ':' { // :* or weights
			for p.i++; p.i < len(p.src) && strings.IndexByte("*ABCDabcd", p.src[p.i]) >= 0; p.i++ {
			}
		}
		return &tsqNode{op: "lex", lex: b.String(), raw: p.src[start:p.i]}
	}
	return nil
}
