package query

import "testing"

// TestPageReach checks which page numbers a list reaches without a cursor
// (from the nearer end, as Service.page reads them):
// any page of a list read whole; in a walked list, the pages whose walk
// from the nearer end reads at most maxWalk index entries, or that lie
// within maxOffset rows of an end.
func TestPageReach(t *testing.T) {
	page := func(n int) PageRequest { return PageRequest{Number: n, PerPage: 20} }
	cases := []struct {
		name  string
		h     reach
		total int
		r     PageRequest
		want  bool
	}{
		{"read whole: the middle of 20,000", reach{whole: true}, 20000, page(500), true},
		{"no filter: 19,980 rows walked", reach{scale: 1}, 1000000, page(1000), true},
		{"no filter: 20,000 rows walked", reach{scale: 1}, 1000000, page(1001), false},
		{"no filter: near the end", reach{scale: 1}, 1000000, page(49990), true},
		{"no filter: past the end is the last page", reach{scale: 1}, 1000000, page(999999), true},
		{"one row in 10: 20,000 entries", reach{scale: 10}, 100000, page(100), true},
		{"one row in 10: 20,200 entries", reach{scale: 10}, 100000, page(101), false},
		{"one row in 500: within maxOffset", reach{scale: 500}, 2000000, page(51), true},
		{"one row in 500: beyond", reach{scale: 500}, 2000000, page(52), false},
		{"unknown cost: within maxOffset", reach{}, 100000, page(51), true},
		{"unknown cost: beyond", reach{}, 100000, page(52), false},
	}
	for _, c := range cases {
		before, after := skipped(c.r, c.total)
		if got := c.h.skips(before, c.r.PerPage) || c.h.skips(after, c.r.PerPage); got != c.want {
			t.Errorf("%s: reaches %v, want %v", c.name, got, c.want)
		}
	}
	// The entries a walk reads, from the nearer end: what decides to read a
	// middle-sized list whole instead.
	for _, c := range []struct {
		r     PageRequest
		total int
		want  float64
	}{
		{page(1), 10000, 20 * 100},
		{page(26), 10000, 520 * 100},
		{page(500), 10000, 20 * 100},  // the last page
		{page(490), 10000, 220 * 100}, // from the end
		{PageRequest{Number: 300, PerPage: 20, Before: "0.1.2"}, 10000, 0},
	} {
		if got := (reach{scale: 100}).walk(c.r, c.total); got != c.want {
			t.Errorf("walk to page %d of %d rows: %v entries, want %v", c.r.Number, c.total, got, c.want)
		}
	}
}
