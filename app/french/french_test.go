package french

import "testing"

func TestCountUsesTheFrenchPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 soutien"}, {1, "1 soutien"}, {2, "2 soutiens"}, {12345, "12\u00a0345 soutiens"}, {-1, "-1 soutien"}, {-3, "-3 soutiens"}} {
		if got := Count(c.n, "soutien", "soutiens"); got != c.want {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	if Int(1234567) != "1\u00a0234\u00a0567" {
		t.Errorf("Int: %q", Int(1234567))
	}
}
