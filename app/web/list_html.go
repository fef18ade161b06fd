package web

import (
	"html/template"
	"strings"

	"github.com/cnr-numerique/concertation/app/french"
)

// A list's section and its filter form are written by Go, as its cards are
// (card_html.go): random filter combinations make most lists new, and the
// templates "contribution-list" and "contribution-filters" were a seventh
// of a list page's CPU. The output is byte for byte theirs, escaping
// included: TestListHTMLEqualsTemplates compares them.

// listHTML is the list as the template "contribution-list" writes it.
func (lv *listView) listHTML() template.HTML {
	var b strings.Builder
	b.Grow(64 << 10)
	lv.writeListHTML(&b)
	return template.HTML(b.String()) // escaped as html/template does
}

// writeListHTML writes the list as the template "contribution-list" does.
func (lv *listView) writeListHTML(b *strings.Builder) {
	b.WriteString("\n")
	if lv.HTML != "" {
		b.WriteString(string(lv.HTML))
		b.WriteString("\n")
		return
	}
	b.WriteString("\n<section class=\"contribution-list fr-mt-6w\" id=\"liste-contributions\"")
	if lv.Heading != "" {
		b.WriteString(` aria-labelledby="titre-liste"`)
	} else {
		b.WriteString(` aria-label="Liste des contributions"`)
	}
	b.WriteString(">\n  ")
	if lv.Heading != "" {
		b.WriteString(`<h2 id="titre-liste">`)
		escapeHTML(b, lv.Heading)
		b.WriteString(`</h2>`)
	}
	b.WriteString("\n  ")
	if lv.FiltersHTML != "" {
		b.WriteString(string(lv.FiltersHTML))
	} else {
		lv.writeFiltersHTML(b)
	}
	b.WriteString("\n  <div id=\"resultats\">\n    ")
	s := lv.Search
	if s != nil && s.Corrected != "" {
		b.WriteString(`<p class="fr-mt-2w">Aucun résultat pour « `)
		escapeHTML(b, s.Text)
		b.WriteString(` ». Résultats pour « <strong>`)
		escapeHTML(b, s.Corrected)
		b.WriteString(`</strong> » :</p>`)
	}
	b.WriteString("\n    <p class=\"fr-mt-2w\" role=\"status\">")
	if s != nil && s.Approx {
		b.WriteString("Environ ")
	}
	b.WriteString("<strong>")
	b.WriteString(french.Int(lv.Result.Total)) // digits and no-break spaces: nothing to escape
	b.WriteString("</strong> ")
	escapeHTML(b, pluralWord(lv.Result.Total, "contribution", "contributions"))
	if s != nil {
		b.WriteString(" pour « ")
		escapeHTML(b, s.Text)
		b.WriteString(" »")
	}
	if lv.Result.Pages > 1 {
		b.WriteString(", page ")
		b.WriteString(french.Int(lv.Result.Number))
		b.WriteString(" sur ")
		b.WriteString(french.Int(lv.Result.Pages))
	}
	b.WriteString("</p>\n    <p class=\"fr-text--sm\">Lien vers cette sélection, à partager : <a href=\"")
	escapeURLAttr(b, lv.ShareURL)
	b.WriteString(`">`)
	escapeHTML(b, lv.ShareURL)
	b.WriteString("</a></p>\n    ")
	switch {
	case len(lv.Cards) > 0:
		b.WriteString("\n    <ul class=\"contribution-cards\">\n      ")
		for i := range lv.Cards {
			lv.Cards[i].writeHTML(b)
		}
		b.WriteString("\n    </ul>\n    ")
	case s != nil:
		b.WriteString("\n    <div class=\"fr-callout fr-mt-2w\">\n      ")
		if s.TooBroad {
			b.WriteString("\n      <p class=\"fr-callout__text\">Cette recherche est trop large pour être faite en une fois. Ajoutez un mot plus précis ou choisissez un axe ou un territoire.</p>\n      ")
		} else {
			b.WriteString("\n      <p class=\"fr-callout__text\">Aucun résultat pour « ")
			escapeHTML(b, s.Text)
			b.WriteString(" ».</p>\n      <ul>\n        <li>Vérifiez l'orthographe des mots.</li>\n        <li>Essayez un mot plus général, ou un seul mot.</li>\n        <li>Retirez un filtre (axe, territoire, catégorie).</li>\n        <li>Pour chercher une expression exacte, mettez-la entre guillemets ; pour exclure un mot, mettez un tiret devant : <code>\"conseillers numériques\" -coordinateurs</code>.</li>\n      </ul>\n      ")
		}
		b.WriteString("\n    </div>\n    ")
	default:
		b.WriteString("\n    <p>Aucune contribution ne correspond à ces critères.</p>\n    ")
	}
	b.WriteString("\n    ")
	if len(lv.Pages) > 0 {
		b.WriteString("\n    <nav role=\"navigation\" class=\"fr-pagination\" aria-label=\"Pagination\">\n      <ul class=\"fr-pagination__list\">\n        <li>")
		writePageEdge(b, lv.First, "fr-pagination__link fr-pagination__link--first", "Première page")
		b.WriteString("</li>\n        <li>")
		writePageEdge(b, lv.Prev, "fr-pagination__link fr-pagination__link--prev fr-pagination__link--lg-label", "Page précédente")
		b.WriteString("</li>\n        ")
		for _, p := range lv.Pages {
			b.WriteString("<li>")
			if p.URL != "" {
				b.WriteString(`<a class="fr-pagination__link" href="`)
				escapeURLAttr(b, p.URL)
				b.WriteString(`" title="Page `)
				writeInt(b, int64(p.Number))
				b.WriteString(`"`)
				if p.Current {
					b.WriteString(` aria-current="page"`)
				}
				b.WriteString(`>`)
			} else {
				b.WriteString(`<a class="fr-pagination__link" aria-current="page" title="Page `)
				writeInt(b, int64(p.Number))
				b.WriteString(`">`)
			}
			writeInt(b, int64(p.Number))
			b.WriteString("</a></li>\n        ")
		}
		b.WriteString("\n        <li>")
		writePageEdge(b, lv.Next, "fr-pagination__link fr-pagination__link--next fr-pagination__link--lg-label", "Page suivante")
		b.WriteString("</li>\n        <li>")
		writePageEdge(b, lv.Last, "fr-pagination__link fr-pagination__link--last", "Dernière page")
		b.WriteString("</li>\n      </ul>\n    </nav>\n    ")
	}
	b.WriteString("\n  </div>\n</section>\n\n")
}

// writePageEdge writes the link to the first, previous, next or last page,
// or its disabled form when url is empty.
func writePageEdge(b *strings.Builder, url, class, label string) {
	b.WriteString(`<a class="`)
	b.WriteString(class)
	if url != "" {
		b.WriteString(`" href="`)
		escapeURLAttr(b, url)
		b.WriteString(`">`)
	} else {
		b.WriteString(`" aria-disabled="true" role="link">`)
	}
	b.WriteString(label)
	b.WriteString("</a>")
}

// writeFiltersHTML writes the filter form as "contribution-filters" does.
func (lv *listView) writeFiltersHTML(b *strings.Builder) {
	b.WriteString("\n  <form method=\"get\" action=\"")
	escapeURLAttr(b, lv.Action)
	b.WriteString(`" class="contribution-filters" data-hx-get="`)
	escapeHTML(b, lv.Action)
	b.WriteString("\" data-hx-target=\"#liste-contributions\" data-hx-select=\"#liste-contributions\" data-hx-swap=\"outerHTML\" data-hx-push-url=\"true\">\n    <fieldset class=\"fr-fieldset\">\n      <legend class=\"fr-fieldset__legend\">Rechercher, filtrer et trier (le nombre de contributions est indiqué entre parenthèses)</legend>\n      <div class=\"fr-fieldset__element\">\n        <div class=\"fr-input-group\">\n          <label class=\"fr-label\" for=\"recherche-q\">Rechercher des mots\n            <span class=\"fr-hint-text\">Par exemple : médiateurs numériques. Une expression exacte entre guillemets, un tiret devant un mot pour l'exclure.</span>\n          </label>\n          <input class=\"fr-input\" type=\"search\" id=\"recherche-q\" name=\"q\" value=\"")
	escapeHTML(b, lv.Text)
	b.WriteString("\" maxlength=\"200\">\n        </div>\n      </div>\n      ")
	for _, f := range lv.Fields {
		b.WriteString("\n      <div class=\"fr-fieldset__element fr-col-12 fr-col-md-4\">\n        <div class=\"fr-select-group\">\n          <label class=\"fr-label\" for=\"filtre-")
		escapeHTML(b, f.Name)
		b.WriteString(`">`)
		escapeHTML(b, f.Label)
		b.WriteString(` <span class="fr-hint-text">`)
		escapeHTML(b, filterHint(f.Name))
		b.WriteString("</span></label>\n          <select class=\"fr-select\" id=\"filtre-")
		escapeHTML(b, f.Name)
		b.WriteString(`" name="`)
		escapeHTML(b, f.Name)
		b.WriteString("\">\n            <option value=\"\">Tous</option>\n            ")
		b.WriteString(string(f.OptionsHTML)) // escaped by optionsHTML
		b.WriteString("\n          </select>\n        </div>\n      </div>\n      ")
	}
	b.WriteString("\n      <div class=\"fr-fieldset__element fr-col-12 fr-col-md-4\">\n        <div class=\"fr-select-group\">\n          <label class=\"fr-label\" for=\"filtre-tri\">Trier <span class=\"fr-hint-text\">Exemple : les plus soutenues d'abord</span></label>\n          <select class=\"fr-select\" id=\"filtre-tri\" name=\"tri\">\n            ")
	for _, o := range lv.Sorts {
		b.WriteString(`<option value="`)
		escapeHTML(b, o.Value)
		b.WriteString(`"`)
		if o.Selected {
			b.WriteString(" selected")
		}
		b.WriteString(">")
		escapeHTML(b, o.Text)
		b.WriteString("</option>\n            ")
	}
	b.WriteString("\n          </select>\n        </div>\n      </div>\n      ")
	if lv.Sort == "hasard" {
		b.WriteString(`<input type="hidden" name="graine" value="`)
		writeInt(b, lv.Seed)
		b.WriteString(`">`)
	}
	b.WriteString("\n      ")
	if lv.PerPage != 20 {
		b.WriteString(`<input type="hidden" name="par" value="`)
		writeInt(b, int64(lv.PerPage))
		b.WriteString(`">`)
	}
	b.WriteString("\n      <div class=\"fr-fieldset__element\">\n        <ul class=\"fr-btns-group fr-btns-group--inline-md\">\n          <li><button class=\"fr-btn\" type=\"submit\">Afficher les contributions</button></li>\n          ")
	if lv.Filtered || lv.Text != "" {
		b.WriteString(`<li><a class="fr-btn fr-btn--tertiary" href="`)
		escapeURLAttr(b, lv.Action)
		b.WriteString(`">Effacer les filtres</a></li>`)
	}
	b.WriteString("\n        </ul>\n      </div>\n    </fieldset>\n  </form>\n")
}

// escapeURLAttr writes s as html/template writes a whole URL attribute: an
// address with a scheme other than http, https or mailto is replaced by
// "#ZgotmplZ", the rest normalized and HTML-escaped (escapeURLPath).
func escapeURLAttr(b *strings.Builder, s string) {
	if i := strings.IndexByte(s, ':'); i >= 0 && !strings.Contains(s[:i], "/") {
		if p := strings.ToLower(s[:i]); p != "http" && p != "https" && p != "mailto" {
			b.WriteString("#ZgotmplZ")
			return
		}
	}
	escapeURLPath(b, s)
}
