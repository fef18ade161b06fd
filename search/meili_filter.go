package search

import (
	"strconv"
	"strings"
)

// MeiliFilter builds the Meilisearch filter expression of f. String values
// are quoted, with their quotes and backslashes escaped, so a value can
// never change the expression.
func MeiliFilter(f Filters) string {
	var parts []string
	quoted := make([]string, 0, len(f.statuses()))
	for _, s := range f.statuses() {
		quoted = append(quoted, meiliQuote(s))
	}
	parts = append(parts, "status IN ["+strings.Join(quoted, ", ")+"]")
	num := func(attr string, v int64) {
		if v != 0 {
			parts = append(parts, attr+" = "+strconv.FormatInt(v, 10))
		}
	}
	str := func(attr, v string) {
		if v != "" {
			parts = append(parts, attr+" = "+meiliQuote(v))
		}
	}
	num("consultation_id", f.ConsultationID)
	num(string(FacetAxis), f.AxisID)
	str(string(FacetEntry), f.Entry)
	str(string(FacetAuthorCategory), f.AuthorCategory)
	num(string(FacetRegion), f.RegionID)
	num(string(FacetDepartement), f.DepartementID)
	num(string(FacetHub), f.HubID)
	return strings.Join(parts, " AND ")
}

// meiliQuote quotes a string value of a filter expression.
func meiliQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
