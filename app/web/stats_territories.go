package web

import "github.com/cnr-numerique/concertation/app/synthesis"

// The figures per 100,000 inhabitants of /statistiques (and of the report):
// the template of the statistics page calls perInhabitant on the metrics it
// already has and renders the "territories" partial (map, legend, tables),
// so the statistics handler needs no change. They come from the same counts
// by territory as the rest of the page.
func perInhabitant(m synthesis.Metrics) synthesis.Territories { return synthesis.PerInhabitant(m) }
