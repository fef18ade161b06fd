package synthetic

import (
	"math/rand/v2"
	"strings"
)

// French-like vocabulary of the concertation, for synthetic contributions.
var (
	synthVerbs = []string{"Créer", "Développer", "Renforcer", "Financer durablement", "Former", "Simplifier", "Mutualiser",
		"Pérenniser", "Déployer", "Évaluer", "Structurer", "Soutenir", "Accompagner", "Mieux reconnaître", "Ouvrir", "Coordonner"}
	synthObjects = []string{"les conseillers numériques", "la médiation numérique", "les tiers-lieux", "un fonds territorial d'inclusion numérique",
		"les aidants numériques", "le Pass numérique", "les parcours d'accompagnement", "les données de l'inclusion numérique",
		"les espaces France services", "la formation des travailleurs sociaux", "les lieux de médiation", "les outils de diagnostic des compétences",
		"le reconditionnement des ordinateurs", "l'accès à une connexion de qualité", "l'aide aux démarches administratives en ligne",
		"les ateliers d'initiation", "la gouvernance locale de l'inclusion numérique", "les métiers de la médiation numérique"}
	synthPlaces = []string{"dans les zones rurales", "pour les personnes âgées", "auprès des jeunes en insertion", "dans chaque département",
		"avec les collectivités", "dans les quartiers prioritaires", "pour les personnes en situation de handicap", "à l'échelle intercommunale",
		"en lien avec les associations", "avec un financement pluriannuel", "dans les bibliothèques et médiathèques", "en outre-mer"}
	synthProblems = []string{"beaucoup de personnes renoncent à leurs droits faute d'accompagnement",
		"les structures de médiation manquent de moyens stables", "les financements changent chaque année et fragilisent les équipes",
		"les usagers ne savent pas où trouver de l'aide près de chez eux", "les professionnels du social sont souvent démunis face aux démarches en ligne",
		"les données sur les besoins restent dispersées", "les ateliers existent mais sont mal connus", "le matériel coûte trop cher pour les ménages modestes"}
	synthBenefits = []string{"toucher les publics les plus éloignés", "donner de la visibilité aux acteurs de terrain", "stabiliser les emplois de médiateurs",
		"mesurer les effets réels des dispositifs", "mieux orienter les personnes vers le bon lieu", "partager les bonnes pratiques entre territoires",
		"éviter les ruptures de parcours", "réduire le non-recours aux droits"}
	synthFirstNames = []string{"Camille", "Lucas", "Emma", "Hugo", "Chloé", "Louis", "Léa", "Nathan", "Manon", "Jules", "Inès", "Gabriel",
		"Sarah", "Arthur", "Zoé", "Paul", "Anaïs", "Yanis", "Claire", "Mehdi", "Nadia", "Pierre", "Fatou", "Thomas", "Élodie", "Karim"}
	synthLastNames = "ABCDEFGHIJKLMNOPRSTVW"
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func lowerFirst(s string) string {
	for i := range s {
		if i > 0 {
			return strings.ToLower(s[:i]) + s[i:]
		}
	}
	return strings.ToLower(s)
}

func synthTitle(r *rand.Rand) string {
	t := pick(r, synthVerbs) + " " + pick(r, synthObjects) + " " + pick(r, synthPlaces)
	if len([]rune(t)) > 140 {
		t = string([]rune(t)[:140])
	}
	return t
}

func synthBody(r *rand.Rand) string {
	var paras []string
	for range 2 + r.IntN(3) {
		var sentences []string
		switch r.IntN(4) {
		case 0:
			sentences = append(sentences, "Aujourd'hui, "+pick(r, synthProblems)+".")
		case 1:
			sentences = append(sentences, "Nous proposons de "+lowerFirst(pick(r, synthVerbs))+" "+pick(r, synthObjects)+" "+pick(r, synthPlaces)+".")
		case 2:
			sentences = append(sentences, "Cela permettrait de "+pick(r, synthBenefits)+", notamment "+pick(r, synthPlaces)+".")
		default:
			sentences = append(sentences, "Sur notre territoire, "+pick(r, synthProblems)+" ; il faut donc "+lowerFirst(pick(r, synthVerbs))+" "+pick(r, synthObjects)+".")
		}
		sentences = append(sentences, "L'objectif est de "+pick(r, synthBenefits)+".")
		if r.IntN(8) == 0 {
			sentences = append(sentences, "Plus d'informations : https://exemple.fr/inclusion/"+pick(r, []string{"guide", "bilan", "carte", "etude"})+".")
		}
		paras = append(paras, strings.Join(sentences, " "))
	}
	return strings.Join(paras, "\n\n")
}

func synthName(r *rand.Rand) string {
	return pick(r, synthFirstNames) + " " + string(synthLastNames[r.IntN(len(synthLastNames))]) + "."
}
