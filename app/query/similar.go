package query

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/search"
)

// minSimilarTitle is the shortest title, in characters, that is compared:
// shorter ones would match too much to help.
const minSimilarTitle = 4

// Similar returns up to limit published contributions of the consultation
// that resemble title, most relevant first, without exclude (the
// contribution being edited). It asks the search engine, with its bounded
// cost and its typo correction, for the contributions with every word of
// the title (relaxed by the engine when none has them all), then, when that
// gives fewer than limit, for those with any of its words. Answers are
// reused like any search's. A search too broad for its time bound suggests
// nothing more: the writing help is optional.
func (s *Service) Similar(ctx context.Context, consultationID int64, title string, exclude int64, limit int) ([]contribution.View, error) {
	words := similarWords(title)
	text := strings.Join(words, " ")
	if len([]rune(text)) < minSimilarTitle || limit <= 0 {
		return nil, nil
	}
	ids := make([]int64, 0, limit)
	texts := []string{text}
	if some := distinctive(words); len(some) > 1 {
		texts = append(texts, strings.Join(some, " or "))
	}
	for _, text := range texts {
		if len(ids) == limit {
			break
		}
		sq := search.Query{Text: text, Filters: search.Filters{ConsultationID: consultationID},
			Sort: search.SortRelevance, Page: 1, PerPage: limit + 1}.Normalize()
		res, err := s.searchCached(ctx, sq)
		if errors.Is(err, search.ErrTimeout) {
			break
		}
		if err != nil {
			return nil, err
		}
		for _, id := range res.IDs() {
			if id != exclude && len(ids) < limit && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return s.contributions.Views(ctx, ids) // published ones, read fresh
}

// distinctive keeps the words that can tell a title from another: any word
// would do in the search of them all, but with "or" a "les" or a "plus"
// (which the French dictionary keeps) would match nearly every title.
func distinctive(words []string) []string {
	var out []string
	for _, w := range words {
		if utf8.RuneCountInString(w) > 3 && !commonWords[strings.ToLower(w)] {
			out = append(out, w)
		}
	}
	return out
}

// commonWords are words of four letters or more that the French dictionary
// keeps and that nearly every title may hold.
var commonWords = map[string]bool{"plus": true, "tout": true, "toute": true, "tous": true, "toutes": true,
	"leur": true, "leurs": true, "entre": true, "chaque": true, "faire": true, "mieux": true}

// similarWords is title as plain words for the engine: its quotes, the
// exclusion dashes at the start of words and the "or" operator would be
// read as query syntax, and a title is none. It is cut to the title's
// maximum length.
func similarWords(title string) []string {
	title, ok := contribution.CleanLine(title)
	if !ok {
		return nil
	}
	if r := []rune(title); len(r) > contribution.MaxTitle {
		title = string(r[:contribution.MaxTitle])
	}
	words := strings.Fields(strings.ReplaceAll(title, `"`, " "))
	out := words[:0]
	for _, w := range words {
		w = strings.TrimLeft(w, "-")
		if w == "" || strings.EqualFold(w, "or") {
			continue
		}
		out = append(out, w)
	}
	return out
}
