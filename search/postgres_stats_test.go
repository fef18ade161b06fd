package search

import (
	"math"
	"testing"
)

func TestTsqueryTree(t *testing.T) {
	freq := map[string]float64{"le": 0.99, "numer": 0.7, "handicap": 0.19, "rural": 0.2,
		"outre-m": 0.197, "outr": 0.197, "mer": 0.197, "acce": 0.3, "mediat": 0.47}
	tests := []struct {
		in, out    string
		dense, max float64
	}{
		{`'handicap'`, `'handicap'`, 0.19, 0.19},
		{`'le' & 'handicap' & 'rural'`, `( 'handicap' & 'rural' )`, 0.19 * math.Sqrt(0.2), 0.2},
		{`'le' & 'numer'`, `'numer'`, 0.7, 0.7},
		{`'le'`, `'le'`, 0.99, 0.99},
		{`'mediateur' <-> 'le' <-> 'numer'`, `( 'mediateur' <-> 'le' <-> 'numer' )`, 0, 0.99},
		{`( 'numer' | 'digital' ) & !'rural' & 'le'`, `( ( 'numer' | 'digital' ) & !'rural' )`, 0.7, 0.7},
		{`'handicap':* & 'l''ecol':A`, `( 'handicap':* & 'l''ecol':A )`, 0, 0.19},
		{`'a' <2> 'b' | 'c'`, `( ( 'a' <2> 'b' ) | 'c' )`, 0, 0},
		// A compound word: its parts come with it in every text.
		{`'outre-m' <-> 'outr' <-> 'mer'`, `( 'outre-m' <-> 'outr' <-> 'mer' )`, 0.197, 0.197},
		{`'acce' <2> 'outre-m' <-> 'outr' <-> 'mer'`, `( ( 'acce' <2> 'outre-m' ) <-> 'outr' <-> 'mer' )`, 0.197 * math.Sqrt(0.3), 0.3},
		{`'handicap' <-> 'rural'`, `( 'handicap' <-> 'rural' )`, 0.19 * math.Sqrt(0.2), 0.2},
		// Only the parts right after the compound, in order: "outre-mer
		// médiation" keeps 'mediat', though the piece 'm' begins it.
		{`'outre-m' <-> 'outr' <-> 'mer' <-> 'mediat'`, `( 'outre-m' <-> 'outr' <-> 'mer' <-> 'mediat' )`, 0.197 * math.Sqrt(0.47), 0.47},
		{`'rural' <-> 'outre-m' <-> 'outr' <-> 'mer' <-> 'mer'`, `( 'rural' <-> 'outre-m' <-> 'outr' <-> 'mer' <-> 'mer' )`, 0.197 * math.Sqrt(0.2*0.197), 0.2},
	}
	for _, tt := range tests {
		n := parseTsquery(tt.in)
		if n == nil {
			t.Errorf("%s: not parsed", tt.in)
			continue
		}
		n.dropUniversal(freq, 0.9)
		maxLex := n.maxLexeme(freq)
		if got := n.String(); got != tt.out {
			t.Errorf("%s: %s, want %s", tt.in, got, tt.out)
		}
		if got := n.freq(freq); math.Abs(got-tt.dense) > 1e-12 {
			t.Errorf("%s: estimated frequency %v, want %v", tt.in, got, tt.dense)
		}
		if maxLex != tt.max {
			t.Errorf("%s: highest lexeme frequency left %v, want %v", tt.in, maxLex, tt.max)
		}
	}
	for _, bad := range []string{``, `'a' &`, `( 'a'`, `'a`, `&`} {
		if parseTsquery(bad) != nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
