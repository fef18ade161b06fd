package synthesis

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cnr-numerique/concertation/app/frtime"
)

// block is one piece of the report in a format-neutral form, rendered by the
// PDF and ODT writers (the HTML page has its own template).
type block struct {
	kind blockKind
	text string
	url  string
	rows [][]string // blockTable: header first
}

type blockKind int

const (
	blockTitle blockKind = iota
	blockHeading
	blockSubheading
	blockPara
	blockLink
	blockTable
)

// FormatInt writes n with a non-breaking space between thousands: 12 345.
func FormatInt(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + FormatInt(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "\u00a0" + s[i:]
	}
	return s
}

// FormatScore writes a TF-IDF score with a decimal comma.
func FormatScore(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', 2, 64), ".", ",", 1)
}

func countTable(first string, counts []Count) [][]string {
	rows := [][]string{{first, "Contributions", "Contributeurs"}}
	for _, c := range counts {
		rows = append(rows, []string{c.Label, FormatInt(c.Contributions), FormatInt(c.Contributors)})
	}
	return rows
}

func names(counts []Count) string {
	if len(counts) == 0 {
		return "aucun"
	}
	out := make([]string, len(counts))
	for i, c := range counts {
		out[i] = c.Label
	}
	return strings.Join(out, ", ")
}

func cites(list []Excerpt) string {
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = fmt.Sprintf("n° %d « %s »", e.ID, e.Title)
	}
	return strings.Join(out, " ; ")
}

// SnapshotText says when the data of the report was last changed.
func (r Report) SnapshotText() string {
	if r.Snapshot.IsZero() {
		return "aucune donnée dans cette sélection"
	}
	return frtime.DateTime(r.Snapshot)
}

// reportBlocks lays the report out: the same sections, in the same order,
// as the HTML page.
func reportBlocks(r Report, title string) []block {
	m := r.Metrics
	b := []block{
		{kind: blockTitle, text: title},
		{kind: blockPara, text: "Filtres : " + strings.Join(r.Filters, " ; ")},
		{kind: blockPara, text: "Données arrêtées au " + r.SnapshotText() + " (dernière publication, modification, soutien ou argument pris en compte)."},
		{kind: blockPara, text: "Empreinte SHA-256 des données : " + r.Hash},

		{kind: blockHeading, text: "1. Participation"},
		{kind: blockPara, text: countsSentence(m.Contributions, m.Contributors, ", par ")},
		{kind: blockTable, rows: countTable("Catégorie d'auteur", m.ByCategory)},
		{kind: blockPara, text: r.AssistedSentence()},
	}
	b = append(b, block{kind: blockHeading, text: "2. Par axe"})
	for _, a := range m.Axes {
		b = append(b, block{kind: blockSubheading, text: a.Label},
			block{kind: blockPara, text: countsSentence(a.Contributions, a.Contributors, ", ")},
			block{kind: blockTable, rows: countTable("Catégorie d'auteur", a.ByCategory)})
	}
	b = append(b, block{kind: blockHeading, text: "3. Par entrée"})
	for _, e := range m.Entries {
		b = append(b, block{kind: blockSubheading, text: e.Label},
			block{kind: blockPara, text: countsSentence(e.Contributions, e.Contributors, ", ")},
			block{kind: blockTable, rows: countTable("Catégorie d'auteur", e.ByCategory)})
	}
	b = append(b, block{kind: blockHeading, text: "4. Couverture territoriale"},
		block{kind: blockPara, text: fmt.Sprintf("%d régions sur %d et %d départements sur %d ont au moins une contribution.",
			len(r.RegionsWith), len(m.Regions), len(r.DepsWith), len(m.Departements))},
		block{kind: blockTable, rows: countTable("Région", r.RegionsWith)},
		block{kind: blockPara, text: "Régions sans contribution : " + names(r.RegionsWithout) + "."},
		block{kind: blockTable, rows: countTable("Département", r.DepsWith)},
		block{kind: blockPara, text: "Départements sans contribution : " + names(r.DepsWithout) + "."})

	b = append(b, block{kind: blockHeading, text: "5. Contributions les plus soutenues"})
	if len(r.TopSupported) == 0 {
		b = append(b, block{kind: blockPara, text: "Aucune contribution."})
	}
	for _, e := range r.TopSupported {
		b = append(b, block{kind: blockSubheading, text: fmt.Sprintf("n° %d – %s", e.ID, e.Title)},
			block{kind: blockPara, text: fmt.Sprintf("%s, %s – %s soutiens – %s", e.Axis, e.Entry, FormatInt(e.Supports), e.Status)},
			block{kind: blockPara, text: e.Excerpt},
			block{kind: blockLink, text: e.URL, url: e.URL})
	}

	b = append(b, block{kind: blockHeading, text: "6. Propositions des Hubs et réactions"},
		block{kind: blockPara, text: fmt.Sprintf("%s propositions de Hubs dans la sélection ; les %d qui ont reçu le plus de réactions :", FormatInt(r.HubTotal), len(r.HubProposals))})
	rows := [][]string{{"Proposition (Hub)", ReactionTypes[0], ReactionTypes[1], ReactionTypes[2], ReactionTypes[3]}}
	for _, e := range r.HubProposals {
		rows = append(rows, []string{fmt.Sprintf("n° %d %s (%s)", e.ID, e.Title, e.Hub),
			FormatInt(e.Reactions[0]), FormatInt(e.Reactions[1]), FormatInt(e.Reactions[2]), FormatInt(e.Reactions[3])})
	}
	b = append(b, block{kind: blockTable, rows: rows})

	b = append(b, block{kind: blockHeading, text: "7. Thèmes récurrents"},
		block{kind: blockPara, text: "Mots (regroupés par racine) et expressions de deux mots pondérés par TF-IDF, mots vides exclus ; pour chacun, le nombre de contributions qui l'emploient et les premières d'entre elles."})
	for _, group := range []struct {
		title string
		list  []Theme
	}{{"Mots", r.Themes}, {"Expressions de deux mots", r.Expressions}} {
		b = append(b, block{kind: blockSubheading, text: group.title})
		if len(group.list) == 0 {
			b = append(b, block{kind: blockPara, text: "Aucun thème récurrent."})
		}
		for _, t := range group.list {
			b = append(b, block{kind: blockPara, text: fmt.Sprintf("« %s » – %s contributions (score %s) : %s", t.Label, FormatInt(t.Contributions), FormatScore(t.Score), cites(t.Examples))})
		}
	}

	b = append(b, block{kind: blockHeading, text: "8. Contributions presque identiques"})
	if len(r.Duplicates) == 0 {
		b = append(b, block{kind: blockPara, text: "Aucun groupe de contributions presque identiques."})
	}
	for i, g := range r.Duplicates {
		b = append(b, block{kind: blockPara, text: fmt.Sprintf("Groupe %d (%s contributions) : %s", i+1, FormatInt(g.Size), cites(g.Members))})
	}

	b = append(b, block{kind: blockHeading, text: "9. Participation dans le temps"})
	rows = [][]string{{"Période (" + m.Bucket + ")", "Contributions"}}
	for _, tc := range m.Timeline {
		rows = append(rows, []string{tc.Label, FormatInt(tc.Contributions)})
	}
	b = append(b, block{kind: blockTable, rows: rows})
	return b
}

// countsSentence says "3 contributions, par 2 contributeurs distincts", with
// French plurals (0 and 1 take the singular).
func countsSentence(contributions, contributors int, sep string) string {
	c, p := "contribution", "contributeur distinct"
	if contributions > 1 {
		c = "contributions"
	}
	if contributors > 1 {
		p = "contributeurs distincts"
	}
	return FormatInt(contributions) + " " + c + sep + FormatInt(contributors) + " " + p + "."
}

// AssistedSentence is the report's line on the contributions accompagnées:
// "Dont 12 contributions accompagnées par un médiateur numérique (3 %)."
func (r Report) AssistedSentence() string {
	m := r.Metrics
	n := 0
	for _, c := range m.Assisted {
		if c.Code == "1" {
			n = c.Contributions
		}
	}
	c := "contribution accompagnée"
	if n > 1 {
		c = "contributions accompagnées"
	}
	pct := 0
	if m.Contributions > 0 {
		pct = (n*100 + m.Contributions/2) / m.Contributions
	}
	return fmt.Sprintf("Dont %s %s par un médiateur numérique (%d %%).", FormatInt(n), c, pct)
}
