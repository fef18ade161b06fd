package search

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxRelaxations bounds the searches of a relaxed query.
const maxRelaxations = 3

// relaxed searches text again without its most common plain words, one
// more each time, until something matches (at most maxRelaxations
// searches), as Meilisearch's "frequency" matching strategy does: words
// the dictionary does not know count as the most common (they cannot
// match), words in quotes and excluded words are kept, and so is the
// rarest word. It returns the result and the text searched, or a zero
// Result when nothing matched.
func (p *Postgres) relaxed(ctx context.Context, tx *sql.Tx, q Query, text string) (Result, string, error) {
	words := plainWords(text)
	if len(words) < 2 {
		return Result{}, "", nil
	}
	norms := make([]string, len(words))
	for i, w := range words {
		norms[i] = text[w[0]:w[1]]
	}
	rows, err := tx.QueryContext(ctx, `SELECT coalesce((SELECT ndoc FROM search_words WHERE word = lower(unaccent(o))), -1)
FROM unnest($1::text[]) WITH ORDINALITY AS t(o, n) ORDER BY t.n`, textArray(norms))
	if err != nil {
		return Result{}, "", fmt.Errorf("search: relax: %w", err)
	}
	freq := make([]int, 0, len(words))
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return Result{}, "", fmt.Errorf("search: relax: %w", err)
		}
		if n < 0 {
			n = int(^uint(0) >> 1) // unknown: dropped first
		}
		freq = append(freq, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Result{}, "", fmt.Errorf("search: relax: %w", err)
	}
	order := make([]int, len(words))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return freq[b] - freq[a] })
	dropped := make([]bool, len(words))
	for k := 0; k < min(len(words)-1, maxRelaxations); k++ {
		dropped[order[k]] = true
		rq := q
		rq.Text = withoutWords(text, words, dropped)
		res, err := p.search(ctx, tx, rq)
		if err != nil {
			return Result{}, "", timeout(err)
		}
		if res.Total > 0 {
			return res, rq.Text, nil
		}
	}
	return Result{}, "", nil
}

// plainWords returns the byte ranges of the words of text that a
// relaxation may drop: outside quotes, not excluded (-word), not an "or",
// not a stop word, of at least two letters.
func plainWords(text string) [][2]int {
	stop := StopWords()
	var out [][2]int
	inQuotes := false
	for _, l := range wordRE.FindAllStringIndex(text, -1) {
		inQuotes = strings.Count(text[:l[0]], `"`)%2 == 1
		w := text[l[0]:l[1]]
		switch {
		case inQuotes, l[0] > 0 && text[l[0]-1] == '-', strings.EqualFold(w, "or"),
			slices.Contains(stop, strings.ToLower(w)), utf8.RuneCountInString(w) < 2:
			continue
		}
		out = append(out, [2]int{l[0], l[1]})
	}
	return out
}

// withoutWords returns text without the words marked dropped.
func withoutWords(text string, words [][2]int, dropped []bool) string {
	var b strings.Builder
	last := 0
	for i, w := range words {
		if dropped[i] {
			b.WriteString(text[last:w[0]])
			last = w[1]
		}
	}
	b.WriteString(text[last:])
	return strings.Join(strings.Fields(b.String()), " ")
}
