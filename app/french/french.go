// Package french writes numbers and plurals the French way, for every page
// and document: one rule, one place.
package french

import "strconv"

// Plural returns one when n is 0, 1 or -1 (French uses the singular for
// zero and one), many otherwise.
func Plural(n int, one, many string) string {
	if n > 1 || n < -1 {
		return many
	}
	return one
}

// Count writes n with its noun: "0 soutien", "1 soutien", "12 345 soutiens".
func Count(n int, one, many string) string { return Int(n) + " " + Plural(n, one, many) }

// Int writes n with a non-breaking space between thousands: 12 345.
func Int(n int) string {
	if n < 0 {
		return "-" + Int(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "\u00a0" + s[i:]
	}
	return s
}
