package web

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/cnr-numerique/concertation/app/contribution"
)

// The main part of a contribution page, as anonymous visitors see it, is
// written by Go rather than by html/template: pages are asked for at random
// among a million, so each is rendered afresh, and the template's 190-odd
// reflective actions were a quarter of a page's CPU. The output is byte for
// byte what the template "contribution-main" (views/contribution/show.html)
// gives to a visitor who is not signed in, escaping included:
// TestContributionMainHTMLEqualsTemplate compares them on hostile texts and
// every combination of what changes the markup. Signed-in visitors, who get
// forms and links of their own, still go through the template.

// anonymousMainHTML reports whether the page can be written by
// writeContributionMain (the visitor is not signed in).
func (d *contributionShowPage) anonymousMainHTML() bool {
	return d.User == nil // the signed-in get forms, links and a médiateur part of their own
}

// writeContributionMain writes the main part as "contribution-main" does for
// an anonymous visitor.
func (d *contributionShowPage) writeContributionMain(b *strings.Builder) {
	c := &d.C
	b.WriteString("\n<div class=\"fr-container fr-my-6w\">\n  <nav role=\"navigation\" class=\"fr-breadcrumb\" aria-label=\"vous êtes ici :\">\n    <button class=\"fr-breadcrumb__button\" aria-expanded=\"false\" aria-controls=\"fil-ariane\">Voir le fil d'Ariane</button>\n    <div class=\"fr-collapse\" id=\"fil-ariane\">\n      <ol class=\"fr-breadcrumb__list\">\n        <li><a class=\"fr-breadcrumb__link\" href=\"/\">Accueil</a></li>\n        <li><a class=\"fr-breadcrumb__link\" href=\"/contributions\">Contributions</a></li>\n        <li><a class=\"fr-breadcrumb__link\" aria-current=\"page\">Contribution n° ")
	writeInt(b, c.ID)
	b.WriteString("</a></li>\n      </ol>\n    </div>\n  </nav>\n  ")
	if c.Hidden() {
		b.WriteString("\n  <h1>Contribution masquée</h1>\n  <div class=\"fr-alert fr-alert--info\"><p>Contribution masquée par la modération : ")
		escapeHTML(b, c.Reason())
		b.WriteString("</p></div>\n  ")
		b.WriteString("\n</div>\n")
		return
	}
	b.WriteString("\n  <ul class=\"fr-badges-group\">\n    ")
	if c.IsHubProposal() {
		b.WriteString(`<li><p class="fr-badge fr-badge--purple-glycine">Proposition de Hub</p></li>`)
	} else {
		b.WriteString(`<li><p class="fr-badge fr-badge--blue-ecume">Contribution libre</p></li>`)
	}
	b.WriteString("\n    ")
	if l := c.ReactionLabel(); l != "" {
		b.WriteString(`<li><p class="fr-badge fr-badge--yellow-tournesol">Réaction : `)
		escapeHTML(b, l)
		b.WriteString(`</p></li>`)
	}
	b.WriteString("\n    ")
	if c.Assisted {
		b.WriteString(`<li><p class="fr-badge fr-badge--green-emeraude">Contribution accompagnée</p></li>`)
	}
	b.WriteString("\n  </ul>\n  <h1>")
	escapeHTML(b, c.Title)
	b.WriteString("</h1>\n  ")
	if c.Withdrawn() {
		b.WriteString(`<div class="fr-alert fr-alert--info fr-mb-3w"><p>Cette contribution a été retirée par son auteur.</p></div>`)
	}
	b.WriteString("\n  <p class=\"contribution-meta\">\n    ")
	if c.IsHubProposal() {
		b.WriteString(`Proposée par le Hub <a href="/hubs/`)
		escapeURLPath(b, c.HubSlug)
		b.WriteString(`">`)
		escapeHTML(b, c.HubName)
		b.WriteString("</a>\n    ")
	} else {
		b.WriteString("Proposée par ")
		switch {
		case c.AuthorID != nil && c.AuthorName != "":
			b.WriteString(`<a href="/auteurs/`)
			writeInt(b, *c.AuthorID)
			b.WriteString(`">`)
			escapeHTML(b, c.AuthorName)
			b.WriteString(`</a>`)
		case c.AuthorName != "":
			escapeHTML(b, c.AuthorName)
		case c.Assisted:
			b.WriteString("Personne accompagnée")
		default:
			b.WriteString("Participant·e anonyme")
		}
		b.WriteString(" (")
		escapeHTML(b, c.CategoryLabel)
		b.WriteString(")")
	}
	b.WriteString("\n    ")
	if c.TerritoryName != "" {
		b.WriteString(" · ")
		if c.TerritoryKind == "region" {
			b.WriteString("Région ")
			escapeHTML(b, c.TerritoryName)
		} else {
			escapeHTML(b, c.TerritoryName)
			b.WriteString(" (")
			escapeHTML(b, c.TerritoryCode)
			b.WriteString(")")
		}
	}
	b.WriteString("\n    <br>Publiée le ")
	escapeHTML(b, frenchDate(c.CreatedAt))
	if c.EditedAt != nil {
		b.WriteString(", modifiée le ")
		escapeHTML(b, frenchDateTime(*c.EditedAt))
	}
	b.WriteString("\n    ")
	if c.Assisted {
		b.WriteString("<br>Écrite avec l'aide d'un médiateur numérique.")
	}
	b.WriteString("\n    ")
	if d.AxisLabel != "" {
		b.WriteString(`<br><a href="/axes/`)
		escapeURLPath(b, d.AxisSlug)
		b.WriteString(`">`)
		escapeHTML(b, d.AxisLabel)
		b.WriteString(`</a>`)
	}
	b.WriteString("\n  </p>\n  ")
	if c.ReactsToID != nil {
		b.WriteString("\n  <div class=\"fr-callout fr-mb-3w\">\n    <p class=\"fr-callout__text\">Cette contribution réagit (")
		escapeHTML(b, c.ReactionLabel())
		b.WriteString(") à la proposition\n      ")
		if c.ReactsToTitle != "" {
			b.WriteString(`<a href="/contributions/`)
			writeInt(b, *c.ReactsToID)
			b.WriteString(`">« `)
			escapeHTML(b, c.ReactsToTitle)
			b.WriteString(` »</a> du Hub `)
			escapeHTML(b, c.ReactsToHub)
		} else {
			b.WriteString("n° ")
			writeInt(b, *c.ReactsToID)
			b.WriteString(", qui n'est plus publiée")
		}
		b.WriteString(".</p>\n  </div>\n  ")
	}
	b.WriteString("\n  ")
	if c.Published() {
		b.WriteString("\n  <div class=\"contribution-body\">")
		if h, ok := d.Body.(template.HTML); ok {
			b.WriteString(string(h)) // built escaped by contribution.RenderBody
		}
		b.WriteString("</div>\n  ")
		if a := d.Answer; a != nil {
			b.WriteString("<div class=\"fr-callout fr-callout--blue-ecume fr-my-3w\" id=\"reponse-officielle\">\n    <h2 class=\"fr-callout__title fr-h5\">Réponse officielle : ")
			escapeHTML(b, a.StateLabel())
			b.WriteString("</h2>\n    ")
			for _, p := range paragraphs(a.Body) {
				b.WriteString(`<p class="fr-callout__text fr-text--md">`)
				escapeHTML(b, p)
				b.WriteString(`</p>`)
			}
			b.WriteString("\n    <p class=\"fr-text--xs fr-mb-0\">Réponse de l'équipe de la consultation, le ")
			escapeHTML(b, frenchDate(a.UpdatedAt))
			b.WriteString(".</p>\n  </div>")
		}
		b.WriteString("\n  ")
		d.Support.writeHTML(b)
		b.WriteString("\n  \n  ")
		if d.CanEdit {
			b.WriteString("\n  <ul class=\"fr-btns-group fr-btns-group--inline-md fr-mt-3w\">\n    <li><a class=\"fr-btn fr-btn--secondary\" href=\"/contributions/")
			writeInt(b, c.ID)
			b.WriteString("/modifier\">Modifier</a></li>\n    <li><a class=\"fr-btn fr-btn--tertiary\" href=\"/contributions/")
			writeInt(b, c.ID)
			b.WriteString("/retirer\">Retirer</a></li>\n  </ul>\n  ")
		}
		b.WriteString("\n  \n  ")
	}
	b.WriteString("\n\n  ")
	if c.IsHubProposal() {
		b.WriteString("\n  <h2 class=\"fr-mt-6w\" id=\"reactions\">Réactions à cette proposition</h2>\n  <ul class=\"reaction-counts\">\n    ")
		for _, rc := range c.ReactionCounts() {
			b.WriteString("<li><strong>")
			writeInt(b, int64(rc.Count))
			b.WriteString("</strong> ")
			escapeHTML(b, rc.Label)
			b.WriteString("</li>")
		}
		b.WriteString("\n  </ul>\n  ")
		if len(d.Reactions) > 0 {
			b.WriteString("\n  <ul>\n    ")
			for i := range d.Reactions {
				r := &d.Reactions[i]
				b.WriteString(`<li><a href="/contributions/`)
				writeInt(b, r.ID)
				b.WriteString(`">`)
				escapeHTML(b, r.Title)
				b.WriteString("</a> (")
				escapeHTML(b, r.ReactionLabel())
				b.WriteString(", ")
				if r.AuthorName != "" {
					escapeHTML(b, r.AuthorName)
				} else {
					b.WriteString("Participant·e anonyme")
				}
				b.WriteString(")</li>")
			}
			b.WriteString("\n  </ul>\n  ")
		} else {
			b.WriteString("<p>Aucune réaction pour le moment.</p>")
		}
		b.WriteString("\n  <p><a href=\"/contributions?reagit_a=")
		writeInt(b, c.ID)
		b.WriteString("\">Voir toutes les réactions dans la liste</a></p>\n  ")
		if d.CanReact {
			b.WriteString(`<p><a href="/connexion?retour=`)
			escapeQuery(b, d.Back)
			b.WriteString(`">Connectez-vous</a> pour réagir à cette proposition.</p>`)
		}
		b.WriteString("\n  ")
	}
	b.WriteString("\n\n  <h2 class=\"fr-mt-6w\" id=\"arguments\">Arguments (")
	writeInt(b, int64(c.Arguments()))
	b.WriteString(")</h2>\n  <p>")
	writeInt(b, int64(c.ArgumentsPour))
	b.WriteString(" pour · ")
	writeInt(b, int64(c.ArgumentsContre))
	b.WriteString(" contre · ")
	writeInt(b, int64(c.ArgumentsNeutre))
	b.WriteString(" neutre")
	if c.ArgumentsNeutre > 1 {
		b.WriteString("s")
	}
	b.WriteString("</p>\n  ")
	for i := range d.Arguments {
		a := &d.Arguments[i]
		b.WriteString("\n  <article class=\"argument fr-mb-3w\" id=\"arg-")
		writeInt(b, a.ID)
		b.WriteString("\">\n    ")
		writeArgument(b, &a.Argument, "\n    ", "")
		b.WriteString("\n    ")
		for j := range a.Replies {
			r := &a.Replies[j]
			b.WriteString("\n    <div class=\"argument-reply fr-ml-4w fr-mb-2w\" id=\"arg-")
			writeInt(b, r.ID)
			b.WriteString("\">\n      ")
			writeArgument(b, r, "\n      ", "Réponse de ")
			b.WriteString("\n    </div>\n    ")
		}
		b.WriteString("\n    \n  </article>\n  ")
	}
	if len(d.Arguments) == 0 {
		b.WriteString("\n  <p>Aucun argument pour le moment.</p>\n  ")
	}
	b.WriteString("\n  ")
	if d.Open() && c.Published() {
		b.WriteString("\n  \n  <p><a href=\"/connexion?retour=")
		escapeQuery(b, d.Back)
		b.WriteString("%23arguments\">Connectez-vous</a> pour donner un argument.</p>\n  \n  ")
	}
	b.WriteString("\n  ")
	b.WriteString("\n</div>\n")
}

// writeArgument writes an argument or a reply (by: "Réponse de "), each
// line starting with ind, as the template's two identical blocks do.
func writeArgument(b *strings.Builder, a *contribution.Argument, ind, by string) {
	b.WriteString(ind)
	if a.Hidden() {
		b.WriteString(`<p class="fr-mb-1w"><em>Argument masqué par la modération : `)
		escapeHTML(b, a.Reason())
		b.WriteString("</em></p>")
		b.WriteString(ind)
		return
	}
	b.WriteString(`<p class="fr-mb-1w"><span class="fr-badge fr-badge--sm argument--`)
	escapeHTML(b, a.Stance)
	b.WriteString(`">`)
	escapeHTML(b, a.StanceLabel())
	b.WriteString("</span>")
	b.WriteString(ind + "  " + by)
	writeAuthorName(b, a.AuthorName)
	b.WriteString(", le ")
	escapeHTML(b, frenchDateTime(a.CreatedAt))
	b.WriteString("</p>")
	b.WriteString(ind)
	writeParagraphs(b, a.Body)
	b.WriteString(ind + ind)
}

func writeInt(b *strings.Builder, n int64) {
	var buf [20]byte
	b.Write(strconv.AppendInt(buf[:0], n, 10))
}

func writeAuthorName(b *strings.Builder, name string) {
	if name == "" {
		b.WriteString("Participant·e anonyme")
		return
	}
	escapeHTML(b, name)
}

func writeParagraphs(b *strings.Builder, s string) {
	for _, p := range paragraphs(s) {
		b.WriteString("<p>")
		escapeHTML(b, p)
		b.WriteString("</p>")
	}
}

// escapeURLPath writes s as html/template writes a value in the path of a
// URL attribute: percent-encoded but for unreserved and reserved characters
// and existing escapes (its URL normalizer), then HTML-escaped.
func escapeURLPath(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9':
			b.WriteByte(c)
		case strings.IndexByte("-._~!#$*,/:;=?@[]%", c) >= 0:
			b.WriteByte(c)
		case c == '&':
			b.WriteString("&amp;")
		case c == '+':
			b.WriteString("&#43;")
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
}
