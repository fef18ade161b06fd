package synthesis

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cnr-numerique/concertation/app/french"
	"github.com/cnr-numerique/concertation/app/frtime"
)

// block is one piece of the report in a format-neutral form, rendered by the
// PDF and ODT writers (the HTML page has its own template, with the same
// sections in the same order).
type block struct {
	kind  blockKind
	text  string
	url   string
	rows  [][]string // blockTable: header first
	chart *Chart     // blockChart
	terr  *Territories
}

type blockKind int

const (
	blockTitle blockKind = iota
	blockHeading
	blockSubheading
	blockPara
	blockQuote
	blockLink
	blockTable
	blockChart
	blockMap
)

// FormatInt writes n with a non-breaking space between thousands: 12 345.
func FormatInt(n int) string { return french.Int(n) }

// FormatScore writes a TF-IDF score with a decimal comma.
func FormatScore(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', 2, 64), ".", ",", 1)
}

func countTable(first string, counts []Count) [][]string {
	rows := [][]string{{first, "Contributions", "Contributeurs distincts"}}
	for _, c := range counts {
		rows = append(rows, []string{c.Label, FormatInt(c.Contributions), FormatInt(c.Contributors)})
	}
	return rows
}

func names(counts []Count, none string) string {
	if len(counts) == 0 {
		return none
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

// CrossRows lays a cross-table out as rows, header first, totals last.
func (t CrossTable) CrossRows() [][]string {
	head := append([]string{t.RowHead}, t.Columns...)
	rows := [][]string{append(head, "Total")}
	for _, r := range t.Rows {
		row := []string{r.Label}
		for _, n := range r.Cells {
			row = append(row, FormatInt(n))
		}
		rows = append(rows, append(row, FormatInt(r.Total)))
	}
	total := []string{"Total"}
	for _, n := range t.Totals {
		total = append(total, FormatInt(n))
	}
	return append(rows, append(total, FormatInt(t.Total)))
}

// RateRows lays the figures per inhabitant out as rows, header first.
func RateRows(first string, rates []Rate) [][]string {
	rows := [][]string{{first, "Population", "Contributions", "Pour 100 000 habitants", "Contributeurs distincts", "Contributeurs pour 100 000 habitants"}}
	for _, r := range rates {
		rows = append(rows, []string{r.Label, FormatInt(r.Population), FormatInt(r.Contributions), FormatRate(r.Per100k),
			FormatInt(r.Contributors), FormatRate(r.PeoplePer100k)})
	}
	return rows
}

// ThemeText is the sentence that presents a validated theme in the report.
func (t ReportTheme) ThemeText() string {
	s := fmt.Sprintf("Thème n° %d de l'analyse n° %d : %s dans la sélection (%s au total).",
		t.ID, t.RunID, french.Count(t.InView, "contribution", "contributions"), french.Count(t.Size, "contribution", "contributions"))
	if t.ValidatedBy != "" {
		s += " Validé par " + t.ValidatedBy + " le " + frtime.DateTime(t.ValidatedAt) + "."
	}
	return s + " Historique : " + french.Count(t.Changes, "modification", "modifications") + "."
}

// BreakdownText says who wrote a theme's contributions: by axis, category
// and région.
func (t ReportTheme) BreakdownText() string {
	part := func(cs []Count) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Label+" "+FormatInt(c.Contributions))
		}
		if len(out) == 0 {
			return "aucune"
		}
		return strings.Join(out, ", ")
	}
	return "Par axe : " + part(t.ByAxis) + ". Par catégorie d'auteur : " + part(t.ByCategory) + ". Par région : " + part(t.ByRegion) + "."
}

// RetainedMeta is the line of facts under a retained contribution.
func (it RetainedItem) RetainedMeta() string {
	parts := []string{it.Axis, it.Entry}
	if it.Hub != "" {
		parts = append(parts, "Hub : "+it.Hub)
	}
	parts = append(parts, "catégorie : "+it.Category)
	if it.Territory != "" {
		parts = append(parts, "territoire : "+it.Territory)
	}
	if len(it.Tags) > 0 {
		parts = append(parts, "étiquettes : "+strings.Join(it.Tags, ", "))
	}
	if it.Status != StatusLabel(StatusPublished) {
		parts = append(parts, it.Status)
	}
	return strings.Join(parts, " – ")
}

// reportBlocks lays the report out: the same sections, in the same order,
// as the HTML page.
func reportBlocks(r Report, title string) []block {
	m := r.Metrics
	b := []block{
		{kind: blockTitle, text: title},
		{kind: blockPara, text: "Filtres : " + strings.Join(r.Filters, " ; ")},
		{kind: blockPara, text: "Données arrêtées au " + r.SnapshotText() + " (dernière publication, modification, soutien, argument, décision des rapporteurs ou réponse officielle prise en compte)."},
		{kind: blockPara, text: "Empreinte SHA-256 des données : " + r.Hash},
	}
	if r.Empty {
		b = append(b, block{kind: blockPara, text: "Aucune contribution ne correspond à cette sélection : le rapport ne contient donc aucun chiffre ni aucune citation. Élargissez les filtres pour obtenir un rapport."})
	}
	b = append(b,
		block{kind: blockHeading, text: "1. Participation"},
		block{kind: blockPara, text: countsSentence(m.Contributions, m.Contributors, ", par ")},
		block{kind: blockTable, rows: countTable("Catégorie d'auteur", m.ByCategory)},
		block{kind: blockPara, text: r.AssistedSentence()})
	for i := range r.Charts {
		if r.Charts[i].ID == "categories" {
			b = append(b, block{kind: blockChart, chart: &r.Charts[i]})
		}
	}
	b = append(b, block{kind: blockHeading, text: "2. Par axe"})
	b = append(b, chartBlocks(r, "axes")...)
	for _, a := range r.Axes {
		b = append(b, block{kind: blockSubheading, text: a.Label},
			block{kind: blockPara, text: countsSentence(a.Contributions, a.Contributors, ", ")},
			block{kind: blockTable, rows: countTable("Catégorie d'auteur", a.ByCategory)})
	}
	b = append(b, block{kind: blockHeading, text: "3. Par entrée"})
	b = append(b, chartBlocks(r, "entrees")...)
	for _, e := range r.Entries {
		b = append(b, block{kind: blockSubheading, text: e.Label},
			block{kind: blockPara, text: countsSentence(e.Contributions, e.Contributors, ", ")},
			block{kind: blockTable, rows: countTable("Catégorie d'auteur", e.ByCategory)})
	}
	b = append(b, block{kind: blockHeading, text: "4. Tableaux croisés"},
		block{kind: blockPara, text: "Seuls les axes de la sélection figurent en colonnes ; les lignes sans contribution sont omises."})
	for _, t := range r.Cross {
		b = append(b, block{kind: blockSubheading, text: t.Title})
		if len(t.Rows) == 0 {
			b = append(b, block{kind: blockPara, text: "Aucune contribution."})
			continue
		}
		b = append(b, block{kind: blockTable, rows: t.CrossRows()})
	}
	b = append(b, block{kind: blockHeading, text: "5. Territoires"},
		block{kind: blockPara, text: fmt.Sprintf("%d %s sur %d et %d %s sur %d ont au moins une contribution.",
			len(r.RegionsWith), french.Plural(len(r.RegionsWith), "région", "régions"), len(m.Regions),
			len(r.DepsWith), french.Plural(len(r.DepsWith), "département", "départements"), len(m.Departements))})
	b = append(b, chartBlocks(r, "regions")...)
	b = append(b, block{kind: blockSubheading, text: "Participation pour 100 000 habitants, par département"},
		block{kind: blockMap, terr: &r.Territories},
		block{kind: blockPara, text: r.Territories.Source + " " + r.Territories.Credit},
		block{kind: blockSubheading, text: "Par région, pour 100 000 habitants"},
		block{kind: blockTable, rows: RateRows("Région", r.Territories.Regions)},
		block{kind: blockSubheading, text: "Par département, pour 100 000 habitants (départements avec des contributions)"},
		block{kind: blockTable, rows: RateRows("Département", withContributions(r.Territories.Departements))},
		block{kind: blockPara, text: "Départements sans contribution : " + names(r.DepsWithout, "aucun") + "."})

	b = append(b, block{kind: blockHeading, text: "6. Thèmes validés par les rapporteurs"})
	if len(r.Themes) == 0 {
		b = append(b, block{kind: blockPara, text: "Aucun thème validé : lancez une analyse des thèmes depuis l'espace des rapporteurs, relisez les thèmes proposés, puis validez ceux qui doivent figurer au rapport."})
	}
	for _, t := range r.Themes {
		b = append(b, block{kind: blockSubheading, text: t.Label},
			block{kind: blockPara, text: t.ThemeText()},
			block{kind: blockPara, text: "Expressions caractéristiques : " + strings.Join(t.Terms, ", ") + "."},
			block{kind: blockPara, text: t.BreakdownText()})
		for _, q := range t.Quotes {
			b = append(b, block{kind: blockQuote, text: fmt.Sprintf("n° %d « %s » : %s", q.ID, q.Title, q.Excerpt)},
				block{kind: blockLink, text: q.URL, url: q.URL})
		}
	}

	b = append(b, block{kind: blockHeading, text: "7. Contributions retenues pour le rapport"})
	if len(r.Retained) == 0 {
		b = append(b, block{kind: blockPara, text: "Aucune contribution de la sélection n'est retenue pour le rapport."})
	} else {
		b = append(b, block{kind: blockPara, text: french.Count(len(r.Retained), "contribution retenue", "contributions retenues") + ", citées en entier."})
	}
	for _, it := range r.Retained {
		b = append(b, block{kind: blockSubheading, text: fmt.Sprintf("n° %d – %s", it.ID, it.Title)},
			block{kind: blockPara, text: it.RetainedMeta()})
		for _, p := range paragraphsOf(it.Body) {
			b = append(b, block{kind: blockQuote, text: p})
		}
		if it.PublicNote != "" {
			b = append(b, block{kind: blockPara, text: "Note des rapporteurs : " + it.PublicNote})
		}
		b = append(b, block{kind: blockLink, text: it.URL, url: it.URL})
	}

	b = append(b, block{kind: blockHeading, text: "8. Réponses officielles"},
		block{kind: blockPara, text: fmt.Sprintf("%s ; %s.",
			french.Count(r.Answers.Total, "contribution a reçu une réponse officielle", "contributions ont reçu une réponse officielle"),
			french.Count(r.Answers.Without, "contribution sans réponse", "contributions sans réponse"))},
		block{kind: blockTable, rows: countRows("État de la réponse", r.Answers.ByState)})
	for _, it := range r.Answers.Items {
		b = append(b, block{kind: blockPara, text: fmt.Sprintf("n° %d « %s » – %s : %s", it.ID, it.Title, it.State, it.Answer)},
			block{kind: blockLink, text: it.URL, url: it.URL})
	}
	if r.Answers.Truncate {
		b = append(b, block{kind: blockPara, text: fmt.Sprintf("Les %d premières réponses sont citées ; toutes figurent dans les exports.", len(r.Answers.Items))})
	}

	b = append(b, block{kind: blockHeading, text: "9. Contributions les plus soutenues"})
	if len(r.TopSupported) == 0 {
		b = append(b, block{kind: blockPara, text: "Aucune contribution."})
	}
	for _, e := range r.TopSupported {
		where := e.Axis + ", " + e.Entry
		if e.Hub != "" {
			where += " (" + e.Hub + ")"
		}
		b = append(b, block{kind: blockSubheading, text: fmt.Sprintf("n° %d – %s", e.ID, e.Title)},
			block{kind: blockPara, text: where + " – " + french.Count(e.Supports, "soutien", "soutiens") + " – " + e.Status},
			block{kind: blockQuote, text: e.Excerpt},
			block{kind: blockLink, text: e.URL, url: e.URL})
	}

	b = append(b, block{kind: blockHeading, text: "10. Propositions des Hubs et réactions"},
		block{kind: blockPara, text: fmt.Sprintf("%s dans la sélection ; %s :",
			french.Count(r.HubTotal, "proposition de Hub", "propositions de Hubs"),
			french.Plural(len(r.HubProposals), "celle qui a reçu le plus de réactions", fmt.Sprintf("les %d qui ont reçu le plus de réactions", len(r.HubProposals))))})
	rows := [][]string{{"Proposition", "Hub", ReactionTypes[0], ReactionTypes[1], ReactionTypes[2], ReactionTypes[3]}}
	for _, e := range r.HubProposals {
		rows = append(rows, []string{fmt.Sprintf("n° %d %s", e.ID, e.Title), e.Hub,
			FormatInt(e.Reactions[0]), FormatInt(e.Reactions[1]), FormatInt(e.Reactions[2]), FormatInt(e.Reactions[3])})
	}
	b = append(b, block{kind: blockTable, rows: rows})

	b = append(b, block{kind: blockHeading, text: "11. Expressions récurrentes"},
		block{kind: blockPara, text: "Expressions de deux mots pondérées par TF-IDF : un repère brut, à lire avec les thèmes validés ci-dessus."})
	if len(r.Expressions) == 0 {
		b = append(b, block{kind: blockPara, text: "Aucune expression récurrente."})
	}
	for _, t := range r.Expressions {
		b = append(b, block{kind: blockPara, text: fmt.Sprintf("« %s » – %s (score %s) : %s", t.Label,
			french.Count(t.Contributions, "contribution", "contributions"), FormatScore(t.Score), cites(t.Examples))})
	}

	b = append(b, block{kind: blockHeading, text: "12. Contributions presque identiques"})
	if len(r.Duplicates) == 0 {
		b = append(b, block{kind: blockPara, text: "Aucun groupe de contributions presque identiques."})
	}
	for i, g := range r.Duplicates {
		b = append(b, block{kind: blockPara, text: fmt.Sprintf("Groupe %d (%s) : %s", i+1, french.Count(g.Size, "contribution", "contributions"), cites(g.Members))})
	}

	b = append(b, block{kind: blockHeading, text: "13. Participation dans le temps"})
	b = append(b, chartBlocks(r, "temps")...)
	rows = [][]string{{"Période (" + m.Bucket + ")", "Contributions"}}
	for _, tc := range m.Timeline {
		rows = append(rows, []string{tc.Label, FormatInt(tc.Contributions)})
	}
	b = append(b, block{kind: blockTable, rows: rows})
	return b
}

func chartBlocks(r Report, id string) []block {
	for i := range r.Charts {
		if r.Charts[i].ID == id && len(r.Charts[i].Bars) > 0 && !r.Empty {
			return []block{{kind: blockChart, chart: &r.Charts[i]}}
		}
	}
	return nil
}

func withContributions(rates []Rate) []Rate {
	var out []Rate
	for _, r := range rates {
		if r.Contributions > 0 {
			out = append(out, r)
		}
	}
	return out
}

func countRows(first string, counts []Count) [][]string {
	rows := [][]string{{first, "Contributions"}}
	for _, c := range counts {
		rows = append(rows, []string{c.Label, FormatInt(c.Contributions)})
	}
	return rows
}

// paragraphsOf splits plain text on blank lines.
func paragraphsOf(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// countsSentence says "3 contributions, par 2 contributeurs distincts", with
// French plurals (0 and 1 take the singular).
func countsSentence(contributions, contributors int, sep string) string {
	return french.Count(contributions, "contribution", "contributions") + sep + french.Count(contributors, "contributeur distinct", "contributeurs distincts") + "."
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
	pct := 0
	if m.Contributions > 0 {
		pct = (n*100 + m.Contributions/2) / m.Contributions
	}
	return fmt.Sprintf("Dont %s par un médiateur numérique (%d %%).", french.Count(n, "contribution accompagnée", "contributions accompagnées"), pct)
}
