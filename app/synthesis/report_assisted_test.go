package synthesis

import (
	"testing"

	"github.com/cnr-numerique/concertation/app/query"
)

// TestAssistedSentence checks the report's line on the contributions
// accompagnées: plurals, thousands and the rounded share.
func TestAssistedSentence(t *testing.T) {
	for _, c := range []struct {
		assisted, total int
		want            string
	}{
		{0, 0, "Dont 0 contribution accompagnée par un médiateur numérique (0 %)."},
		{1, 3, "Dont 1 contribution accompagnée par un médiateur numérique (33 %)."},
		{12345, 20000, "Dont 12\u00a0345 contributions accompagnées par un médiateur numérique (62 %)."},
	} {
		r := Report{Metrics: query.Metrics{Contributions: c.total, Assisted: []query.Count{
			{Code: "1", Contributions: c.assisted}, {Code: "0", Contributions: c.total - c.assisted}}}}
		if got := r.AssistedSentence(); got != c.want {
			t.Errorf("%d of %d: %q, want %q", c.assisted, c.total, got, c.want)
		}
	}
}
