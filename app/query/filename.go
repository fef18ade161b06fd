package query

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// FileSlug names the view in a file name: its filters, short, in ASCII
// ("axe3-elu", "region-53-hub-bretagne-retenues"), "" for the whole
// consultation. Long views are cut at 80 characters.
func (f Filter) FileSlug(refs Refs) string {
	var parts []string
	for _, id := range f.Axes {
		parts = append(parts, "axe"+strconv.Itoa(refs.AxisByID(id).Position))
	}
	parts = append(parts, f.Entries...)
	parts = append(parts, f.Categories...)
	for _, t := range refs.Regions {
		for _, id := range f.Regions {
			if t.ID == id {
				parts = append(parts, "region-"+t.Code)
			}
		}
	}
	for _, t := range refs.Departements {
		for _, id := range f.Departements {
			if t.ID == id {
				parts = append(parts, "dep-"+t.Code)
			}
		}
	}
	for _, h := range refs.Hubs {
		for _, id := range f.Hubs {
			if h.ID == id {
				parts = append(parts, h.Slug)
			}
		}
	}
	if f.ReactsTo > 0 {
		parts = append(parts, "reactions-"+strconv.FormatInt(f.ReactsTo, 10))
	}
	if f.Text != "" {
		parts = append(parts, "recherche-"+asciiSlug(f.Text, 30))
	}
	if !f.From.IsZero() {
		parts = append(parts, "du-"+f.From.Format("2006-01-02"))
	}
	if !f.To.IsZero() {
		parts = append(parts, "au-"+f.To.AddDate(0, 0, -1).Format("2006-01-02"))
	}
	if !f.Public {
		if v := f.query["statut"]; len(v) > 0 {
			parts = append(parts, v...)
		}
		for _, t := range f.Tags {
			parts = append(parts, "etiquette-"+asciiSlug(t, 20))
		}
		if f.Retained {
			parts = append(parts, "retenues")
		}
	}
	s := asciiSlug(strings.Join(parts, "-"), 80)
	return strings.Trim(s, "-")
}

// asciiSlug keeps letters and digits without accents, lower case, other
// characters becoming single dashes; at most n bytes.
func asciiSlug(s string, n int) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > n {
		out = strings.Trim(out[:n], "-")
	}
	return out
}
