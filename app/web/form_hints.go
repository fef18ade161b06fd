package web

// filterHints are the examples under the labels of the list filters, by
// parameter name: every form field has a visible example (see
// form_labels_browser_test.go).
var filterHints = map[string]string{
	"axe":         "Exemple : Axe 1, gouvernance et financement",
	"entree":      "Exemple : contributions libres",
	"categorie":   "Exemple : citoyen ou citoyenne",
	"region":      "Exemple : Bretagne",
	"departement": "Exemple : Finistère (29)",
	"hub":         "Exemple : RhinOcc",
	"reagit_a":    "Les réactions à une proposition de Hub",
	"reponse":     "Exemple : retenue par l'équipe de la concertation",
	"accompagnee": "Écrites avec l'aide d'un médiateur numérique, ou non",
}

// filterHint is the template function that gives the example of a filter.
func filterHint(name string) string {
	if h, ok := filterHints[name]; ok {
		return h
	}
	return "Choisissez dans la liste."
}
