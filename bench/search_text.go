package main

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// textGen writes French-looking contributions: words drawn with a Zipf law
// from stop words, the vocabulary of digital inclusion, then a long tail
// of made-up rare words; a few set phrases recur.
type textGen struct {
	r     *rand.Rand
	zipf  *rand.Zipf
	vocab []string
}

var stopWords = strings.Fields(`de la le les des et pour à un une du en dans sur qui que par au aux avec est sont plus ne pas il elle nous vous ils ce cette ces leur leurs son sa ses on se`)

var domainWords = strings.Fields(`numérique numériques inclusion accompagnement médiation médiateurs médiateur formation formations
conseillers conseiller coordinateurs coordinateur territoire territoires habitants usagers services public publics
démarches administratives accès droits compétences outils ateliers association associations collectivités commune communes
département départements région régions financement financements modèle économique gouvernance données évaluation
politique filière structuration parcours professionnels aidants aidant autonomie fracture illettrisme équipement
ordinateur ordinateurs tablette tablettes smartphone connexion internet réseau réseaux bibliothèque bibliothèques
médiathèque médiathèques tiers-lieux tiers-lieu france services maison solidarité jeunes seniors personnes âgées
handicap accessibilité emploi insertion entreprise entreprises école écoles collège lycée parents enfants familles
quartier quartiers rural ruraux ville villes mobilité itinérant bus permanence permanences rendez-vous guichet
dématérialisation sécurité cybersécurité arnaques confiance identité messagerie courriel mot passe compte
coordination animation hub hubs partenaires partenariat mutualisation cartographie diagnostic besoins repérage
orientation prescripteurs travailleurs sociaux agents accueil proximité pérenniser pérennité budget crédits
appel projets subvention labellisation qualité certification pix référentiel compétences montée gratuit gratuite
logiciel libre matériel reconditionné recyclage sobriété environnement énergie transition culture citoyenneté
participation démocratie concertation proposition propositions solution solutions action actions plan national local`)

func newTextGen(seed uint64) *textGen {
	r := rand.New(rand.NewPCG(seed, seed))
	vocab := append(append([]string{}, stopWords...), domainWords...)
	syll := strings.Fields(`ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo fu ga ge go la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu tra tre tri cro pla gre`)
	seen := map[string]bool{}
	for _, w := range vocab {
		seen[w] = true
	}
	for len(vocab) < 40000 {
		var b strings.Builder
		for range 3 + r.IntN(2) {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		if w := b.String() + []string{"tion", "ment", "ique", "age", "eur", "ise", "ance"}[r.IntN(7)]; !seen[w] {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	return &textGen{r: r, zipf: rand.NewZipf(r, 1.07, 2, uint64(len(vocab)-1)), vocab: vocab}
}

var phrases = []string{
	"les médiateurs numériques", "des conseillers numériques", "les conseillers numériques et leurs coordinateurs",
	"France services", "l'accompagnement aux démarches administratives", "la formation des aidants",
}

func (g *textGen) words(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			if i%12 == 0 {
				b.WriteString(". ")
			} else {
				b.WriteByte(' ')
			}
		}
		if g.r.IntN(400) == 0 {
			b.WriteString(phrases[g.r.IntN(len(phrases))])
			continue
		}
		b.WriteString(g.vocab[g.zipf.Uint64()])
	}
	return b.String()
}

func (g *textGen) title() string {
	t := g.words(5 + g.r.IntN(7))
	if len(t) > 140 {
		t = t[:140]
		for !utf8.ValidString(t) {
			t = t[:len(t)-1]
		}
	}
	r, size := utf8.DecodeRuneInString(t)
	return string(unicode.ToUpper(r)) + t[size:]
}

func (g *textGen) body() string { return g.words(40+g.r.IntN(80)) + "." }
