package search

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Index implements Engine: the vectors are kept by a trigger, so indexing
// only adds the documents' new words to the dictionary of known words; the
// documents whose counters alone changed add none.
func (p *Postgres) Index(ctx context.Context, docs []Document) error {
	return p.addWords(ctx, p.db, "search_words", textChanged(docs), false)
}

// textChanged returns the documents of docs that are not CountsOnly.
func textChanged(docs []Document) []Document {
	out := make([]Document, 0, len(docs))
	for _, d := range docs {
		if !d.CountsOnly {
			out = append(out, d)
		}
	}
	return out
}

// Delete implements Engine: nothing to do, searches read the current rows
// and find only published ones.
func (p *Postgres) Delete(ctx context.Context, ids []int64) error { return nil }

// wordsFilter keeps the words worth correcting to.
const wordsFilter = `char_length(w) BETWEEN 3 AND 40 AND w !~ '^[0-9]+$'`

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// addWords adds the words of docs to the words table; with count, it adds
// their document counts to those already there.
func (p *Postgres) addWords(ctx context.Context, db execer, table string, docs []Document, count bool) error {
	if len(docs) == 0 {
		return nil
	}
	texts := make([]string, len(docs))
	for i, d := range docs {
		texts[i] = d.Title + " " + d.Body
	}
	conflict := "DO NOTHING"
	if count {
		conflict = fmt.Sprintf("DO UPDATE SET ndoc = %s.ndoc + excluded.ndoc", quoteIdent(table))
	}
	_, err := db.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s (word, ndoc)
SELECT w, count(*) FROM unnest($1::text[]) t, unnest(tsvector_to_array(to_tsvector('fr_words', t))) w
WHERE %s GROUP BY w ORDER BY w
ON CONFLICT (word) %s`, quoteIdent(table), wordsFilter, conflict), textArray(texts))
	if err != nil {
		return fmt.Errorf("search: add words: %w", err)
	}
	return nil
}

var wordRE = regexp.MustCompile(`[\p{L}\p{N}]+`)

// correct replaces the words of text that the dictionary does not know by
// the closest known word (trigram similarity), and returns the new text, or
// "" when nothing was replaced. Excluded words (-word) are kept.
func (p *Postgres) correct(ctx context.Context, tx *sql.Tx, text string) (string, error) {
	locs := wordRE.FindAllStringIndex(text, -1)
	var words []string
	for _, l := range locs {
		w := text[l[0]:l[1]]
		// Short words, excluded ones (-word) and anything with a digit (an
		// INSEE code, a postcode, a year: "29019" is not a typo of "29018")
		// are kept as typed.
		if len([]rune(w)) < 4 || (l[0] > 0 && text[l[0]-1] == '-') || strings.ContainsAny(w, "0123456789") {
			continue
		}
		words = append(words, w)
	}
	if len(words) == 0 {
		return "", nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT w.orig, s.word
FROM (SELECT o AS orig, lower(unaccent(o)) AS norm FROM unnest($1::text[]) o) w
CROSS JOIN LATERAL (
	SELECT word FROM search_words
	WHERE word % w.norm AND abs(char_length(word) - char_length(w.norm)) <= 3
	ORDER BY similarity(word, w.norm) DESC, ndoc DESC, word LIMIT 1) s
WHERE NOT EXISTS (SELECT 1 FROM search_words k WHERE k.word = w.norm)`, textArray(words))
	if err != nil {
		return "", fmt.Errorf("search: correct: %w", err)
	}
	defer rows.Close()
	fix := map[string]string{}
	for rows.Next() {
		var orig, word string
		if err := rows.Scan(&orig, &word); err != nil {
			return "", fmt.Errorf("search: correct: %w", err)
		}
		fix[orig] = word
	}
	if err := rows.Err(); err != nil || len(fix) == 0 {
		return "", err
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		if w, ok := fix[text[l[0]:l[1]]]; ok && !(l[0] > 0 && text[l[0]-1] == '-') {
			b.WriteString(text[last:l[0]])
			b.WriteString(w)
			last = l[1]
		}
	}
	b.WriteString(text[last:])
	return b.String(), nil
}

// NewTarget implements Rebuilder: the target is a new words table; the
// vectors themselves are recomputed in place.
func (p *Postgres) NewTarget() string {
	return "search_words_" + time.Now().UTC().Format("20060102150405")
}

var targetRE = regexp.MustCompile(`^search_words_[0-9]{14}$`)

func checkTarget(target string) error {
	if !targetRE.MatchString(target) {
		return fmt.Errorf("search: invalid target %q", target)
	}
	return nil
}

// Prepare implements Rebuilder.
func (p *Postgres) Prepare(ctx context.Context, target string) error {
	if err := checkTarget(target); err != nil {
		return err
	}
	_, err := p.db.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	word text NOT NULL, ndoc int NOT NULL DEFAULT 1, CONSTRAINT %s PRIMARY KEY (word))`,
		quoteIdent(target), quoteIdent(target+"_pkey")))
	if err != nil {
		return fmt.Errorf("search: prepare %s: %w", target, err)
	}
	return nil
}

// IndexInto implements Rebuilder: it recomputes the stored vectors of docs
// and counts their words into the target table. A CountsOnly document is
// left to the rebuild's own pass over every contribution, which counts its
// words once.
func (p *Postgres) IndexInto(ctx context.Context, target string, docs []Document) error {
	if err := checkTarget(target); err != nil {
		return err
	}
	docs = textChanged(docs)
	ids := make([]int64, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	if err := p.recompute(ctx, ids); err != nil {
		return err
	}
	return p.addWords(ctx, p.db, target, docs, true)
}

// DeleteFrom implements Rebuilder: the words of unpublished contributions
// stay out of the dictionary, but their vectors are recomputed too, for
// searches of moderators (Filters.Statuses).
func (p *Postgres) DeleteFrom(ctx context.Context, target string, ids []int64) error {
	if err := checkTarget(target); err != nil {
		return err
	}
	return p.recompute(ctx, ids)
}

func (p *Postgres) recompute(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	// Rows whose vector is already right are not rewritten.
	if _, err := p.db.ExecContext(ctx, `UPDATE contributions SET search_vector = v.new
FROM (SELECT id, contribution_search_vector(title, body) AS new FROM contributions WHERE id = ANY($1::bigint[])) v
WHERE contributions.id = v.id AND contributions.search_vector IS DISTINCT FROM v.new`, int64Array(ids)); err != nil {
		return fmt.Errorf("search: reindex vectors: %w", err)
	}
	return nil
}

// Swap implements Rebuilder: the target table replaces search_words.
func (p *Postgres) Swap(ctx context.Context, target string) error {
	if err := checkTarget(target); err != nil {
		return err
	}
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, target).Scan(&exists); err != nil {
		return fmt.Errorf("search: swap %s: %w", target, err)
	}
	if !exists { // swapped already, by a run interrupted just after
		return nil
	}
	for _, stmt := range []string{
		fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s USING gin (word gin_trgm_ops)`, quoteIdent(target+"_trgm_idx"), quoteIdent(target)),
		`DROP TABLE search_words`,
		fmt.Sprintf(`ALTER TABLE %s RENAME TO search_words`, quoteIdent(target)),
		fmt.Sprintf(`ALTER INDEX %s RENAME TO search_words_pkey`, quoteIdent(target+"_pkey")),
		fmt.Sprintf(`ALTER INDEX %s RENAME TO search_words_trgm_idx`, quoteIdent(target+"_trgm_idx")),
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("search: swap %s: %w", target, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("search: swap %s: %w", target, err)
	}
	_, err = p.db.ExecContext(ctx, `ANALYZE search_words`)
	return err
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
