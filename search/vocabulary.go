package search

import (
	_ "embed"
	"slices"
	"strings"
)

// The vocabulary of the search, one file each, read by both engines.
var (
	//go:embed synonyms_fr.txt
	synonymsFile string
	//go:embed stopwords_fr.txt
	stopWordsFile string
)

// SynonymGroups returns the groups of synonyms of synonyms_fr.txt: each
// group lists expressions (one word or several) that mean the same.
func SynonymGroups() [][]string {
	var groups [][]string
	for _, line := range strings.Split(synonymsFile, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var g []string
		for _, m := range strings.Split(line, ",") {
			if m = strings.Join(strings.Fields(m), " "); m != "" && !slices.Contains(g, m) {
				g = append(g, m)
			}
		}
		if len(g) > 1 {
			groups = append(groups, g)
		}
	}
	return groups
}

// StopWords returns the French stop words of stopwords_fr.txt: the list of
// PostgreSQL's french dictionary (Snowball), given to Meilisearch too so
// that both engines ignore the same words.
func StopWords() []string {
	var out []string
	for _, w := range strings.Fields(stopWordsFile) {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// meiliSynonyms turns the groups into Meilisearch's synonyms setting: each
// expression lists the others of its group (mutual synonyms). An
// expression in several groups gets the members of all of them.
func meiliSynonyms() map[string][]string {
	out := map[string][]string{}
	for _, g := range SynonymGroups() {
		for _, m := range g {
			key := strings.ToLower(m)
			for _, other := range g {
				if other != m && !slices.Contains(out[key], strings.ToLower(other)) {
					out[key] = append(out[key], strings.ToLower(other))
				}
			}
		}
	}
	return out
}
