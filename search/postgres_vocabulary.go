package search

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// The synonyms of synonyms_fr.txt in the PostgreSQL engine: the query is
// rewritten with ts_rewrite, a thesaurus applied to the tsquery rather
// than to the index, so a change of the file needs no reindex.
//
// Each expression of a group becomes a rule whose target is its tsquery
// (stemmed like the documents) and whose substitute is the OR of the
// phrases of the whole group: "médiateurs numériques" in quotes, i.e.
// 'mediateur' <-> 'numer', becomes ('mediateur' <-> 'numer') |
// ('mediat' <-> 'numer') | ('conseil' <-> 'numer') | … Typed without
// quotes, an expression of several words is an AND ('mediateur' & 'numer',
// which ts_rewrite finds inside a longer AND); it keeps its meaning and
// gains the phrases of the other members.

// synonymRule is one rewrite: target and substitute as tsquery texts.
type synonymRule struct {
	target, substitute string
	lexemes            []string
}

// synonymRules computes the rules once per engine (a read-only query: it
// works on a replica); an error is retried at the next search.
type synonymRules struct {
	mu    sync.Mutex
	rules []synonymRule
	ready bool
}

func (s *synonymRules) get(ctx context.Context, q querier) ([]synonymRule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ready {
		return s.rules, nil
	}
	rules, err := buildSynonymRules(ctx, q, SynonymGroups())
	if err != nil {
		return nil, err
	}
	s.rules, s.ready = rules, true
	return rules, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func buildSynonymRules(ctx context.Context, q querier, groups [][]string) ([]synonymRule, error) {
	var members []string
	var groupOf []int64
	for g, ms := range groups {
		for _, m := range ms {
			members = append(members, m)
			groupOf = append(groupOf, int64(g))
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT t.g, phraseto_tsquery('fr_unaccent', t.m)::text, plainto_tsquery('fr_unaccent', t.m)::text
FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS t(m, g, n) ORDER BY t.n`, textArray(members), int64Array(groupOf))
	if err != nil {
		return nil, fmt.Errorf("search: synonyms: %w", err)
	}
	defer rows.Close()
	type member struct{ phrase, plain string }
	byGroup := make([][]member, len(groups))
	for rows.Next() {
		var g int
		var m member
		if err := rows.Scan(&g, &m.phrase, &m.plain); err != nil {
			return nil, fmt.Errorf("search: synonyms: %w", err)
		}
		if m.phrase != "" { // only stop words: nothing to match
			byGroup[g] = append(byGroup[g], m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: synonyms: %w", err)
	}
	var rules []synonymRule
	seen := map[string]bool{}
	add := func(target, substitute string) {
		if seen[target] {
			return
		}
		seen[target] = true
		rules = append(rules, synonymRule{target: target, substitute: substitute, lexemes: tsLexemes(target)})
	}
	for _, ms := range byGroup {
		var phrases []string
		for _, m := range ms {
			if p := "(" + m.phrase + ")"; !slices.Contains(phrases, p) {
				phrases = append(phrases, p)
			}
		}
		if len(phrases) < 2 {
			continue
		}
		all := strings.Join(phrases, " | ")
		for _, m := range ms {
			add(m.phrase, all)
			if m.plain != m.phrase {
				others := slices.DeleteFunc(slices.Clone(phrases), func(p string) bool { return p == "("+m.phrase+")" })
				add(m.plain, "("+m.plain+") | "+strings.Join(others, " | "))
			}
		}
	}
	// Longer expressions first: "conseiller numérique" before "numérique".
	slices.SortStableFunc(rules, func(a, b synonymRule) int { return len(b.lexemes) - len(a.lexemes) })
	return rules, nil
}

var lexemeRE = regexp.MustCompile(`'((?:[^']|'')*)'`)

// tsLexemes lists the lexemes of a tsquery text.
func tsLexemes(tsq string) []string {
	var out []string
	for _, m := range lexemeRE.FindAllStringSubmatch(tsq, -1) {
		if l := strings.ReplaceAll(m[1], "''", "'"); !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// parseQuery turns a text into the tsquery searched, "" when it holds only
// stop words: websearch_to_tsquery (words, "phrases", -exclusion, "or";
// never a syntax error), the words outside quotes expanded with the
// synonyms; a phrase in quotes is searched as typed, as Meilisearch does.
func (p *Postgres) parseQuery(ctx context.Context, tx *sql.Tx, text string) (string, error) {
	free, quoted := splitQuoted(text)
	var tsFree, tsQuoted string
	if err := tx.QueryRowContext(ctx, `SELECT websearch_to_tsquery('fr_unaccent', $1)::text, websearch_to_tsquery('fr_unaccent', $2)::text`,
		free, quoted).Scan(&tsFree, &tsQuoted); err != nil {
		return "", fmt.Errorf("search: parse query: %w", err)
	}
	if tsFree != "" {
		var err error
		if tsFree, err = p.expandSynonyms(ctx, tx, tsFree); err != nil {
			return "", err
		}
	}
	if tsFree == "" || tsQuoted == "" {
		return tsFree + tsQuoted, nil
	}
	var tsq string
	if err := tx.QueryRowContext(ctx, `SELECT ($1::tsquery && $2::tsquery)::text`, tsFree, tsQuoted).Scan(&tsq); err != nil {
		return "", fmt.Errorf("search: parse query: %w", err)
	}
	return tsq, nil
}

// splitQuoted separates the phrases in quotes of a query (with their "-"
// when excluded; an unclosed quote runs to the end, as in
// websearch_to_tsquery) from the rest. A query that uses "or" outside
// quotes is not split (its operator may join a word and a phrase): it is
// all returned as free.
func splitQuoted(text string) (free, quoted string) {
	if !strings.Contains(text, `"`) {
		return text, ""
	}
	var f, q strings.Builder
	in := false
	start := 0
	for i := 0; i < len(text); i++ {
		if text[i] != '"' {
			continue
		}
		if !in {
			seg := text[start:i]
			if strings.HasSuffix(seg, "-") {
				seg = seg[:len(seg)-1]
				q.WriteString(" -")
			} else {
				q.WriteString(" ")
			}
			f.WriteString(seg + " ")
			start = i
		} else {
			q.WriteString(text[start : i+1])
			start = i + 1
		}
		in = !in
	}
	if in {
		q.WriteString(text[start:] + `"`)
	} else {
		f.WriteString(text[start:])
	}
	for _, w := range strings.Fields(f.String()) {
		if strings.EqualFold(w, "or") {
			return text, ""
		}
	}
	return f.String(), q.String()
}

// expandSynonyms rewrites the tsquery tsq with the rules whose every
// lexeme is in the query as typed (so that a substitute never triggers
// another rule), longest first. It returns tsq when none applies.
func (p *Postgres) expandSynonyms(ctx context.Context, tx *sql.Tx, tsq string) (string, error) {
	rules, err := p.synonyms.get(ctx, tx)
	if err != nil {
		return "", err
	}
	have := tsLexemes(tsq)
	expr, args := "$1::tsquery", []any{tsq}
	for _, r := range rules {
		if !containsAll(have, r.lexemes) {
			continue
		}
		args = append(args, r.target, r.substitute)
		expr = fmt.Sprintf("ts_rewrite(%s, $%d::tsquery, $%d::tsquery)", expr, len(args)-1, len(args))
	}
	if len(args) == 1 {
		return tsq, nil
	}
	var out string
	if err := tx.QueryRowContext(ctx, "SELECT ("+expr+")::text", args...).Scan(&out); err != nil {
		return "", fmt.Errorf("search: synonyms: %w", err)
	}
	return out, nil
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return len(want) > 0
}
