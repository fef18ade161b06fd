package web

import (
	"html/template"
	"strconv"
	"strings"
)

// The cards of a list are written by Go rather than by html/template: a list
// page holds 20 to 100 of them, about 20 template actions each, and the
// template engine's reflective calls were a third of a list's CPU. The
// output is byte for byte what the templates "contribution-card" and
// "support-form" (views/partials/contributions.html) give, escaping
// included: TestCardsHTMLEqualTemplates compares them on hostile texts.

// CardsHTML is the cards of the list, for {{.CardsHTML}}.
func (lv listView) CardsHTML() template.HTML {
	var b strings.Builder
	b.Grow(len(lv.Cards) * 2200)
	for i := range lv.Cards {
		lv.Cards[i].writeHTML(&b)
	}
	return template.HTML(b.String()) // escaped below as html/template does
}

// writeHTML writes the card as the template "contribution-card" does.
func (c *card) writeHTML(b *strings.Builder) {
	b.WriteString("\n<li class=\"fr-card fr-mb-3w contribution-card\">\n  <div class=\"fr-card__body\">\n    <div class=\"fr-card__content\">\n      <h3 class=\"fr-card__title\"><a href=\"/contributions/")
	b.WriteString(strconv.FormatInt(c.ID, 10))
	b.WriteString("\">")
	if c.TitleHTML != "" {
		b.WriteString(string(c.TitleHTML))
	} else {
		escapeHTML(b, c.Title)
	}
	b.WriteString("</a></h3>\n      <p class=\"fr-card__desc\">")
	if c.ExcerptHTML != "" {
		b.WriteString(string(c.ExcerptHTML))
	} else {
		escapeHTML(b, c.Excerpt)
	}
	b.WriteString("</p>\n      <div class=\"fr-card__start\">\n        <ul class=\"fr-badges-group\">\n          ")
	if c.HubProposal {
		b.WriteString(`<li><p class="fr-badge fr-badge--purple-glycine fr-badge--sm">Proposition de Hub</p></li>`)
	} else {
		b.WriteString(`<li><p class="fr-badge fr-badge--blue-ecume fr-badge--sm">Contribution libre</p></li>`)
	}
	b.WriteString("\n          ")
	if c.AxisLabel != "" {
		b.WriteString(`<li><p class="fr-badge fr-badge--sm">`)
		escapeHTML(b, c.AxisLabel)
		b.WriteString(`</p></li>`)
	}
	b.WriteString("\n          ")
	if c.ReactionLabel != "" {
		b.WriteString(`<li><p class="fr-badge fr-badge--sm fr-badge--yellow-tournesol">Réaction : `)
		escapeHTML(b, c.ReactionLabel)
		b.WriteString(`</p></li>`)
	}
	b.WriteString("\n          ")
	if c.Assisted {
		b.WriteString(`<li><p class="fr-badge fr-badge--sm fr-badge--green-emeraude">Contribution accompagnée</p></li>`)
	}
	b.WriteString("\n        </ul>\n      </div>\n      <div class=\"fr-card__end\">\n        <p class=\"fr-card__detail\">")
	escapeHTML(b, c.Byline)
	b.WriteString(" · ")
	escapeHTML(b, c.Details)
	if c.ReactsToTitle != "" {
		b.WriteString("<br>En réaction à « ")
		escapeHTML(b, c.ReactsToTitle)
		b.WriteString(" »")
	}
	b.WriteString("</p>\n      </div>\n    </div>\n    <div class=\"fr-card__footer\">")
	c.Support.writeHTML(b)
	b.WriteString("</div>\n  </div>\n</li>\n")
}

// writeHTML writes the support block as the template "support-form" does.
func (s *supportView) writeHTML(b *strings.Builder) {
	b.WriteString("\n")
	if s.Open && s.SignedIn && !s.Own {
		b.WriteString("\n<form class=\"support\" method=\"post\" action=\"/contributions/")
		b.WriteString(strconv.FormatInt(s.ID, 10))
		if s.Supported {
			b.WriteString("/retirer-soutien")
		} else {
			b.WriteString("/soutenir")
		}
		b.WriteString("\" data-hx-boost=\"true\" data-hx-push-url=\"false\" data-hx-target=\"this\" data-hx-swap=\"outerHTML\">\n  <input type=\"hidden\" name=\"_csrf\" value=\"")
		escapeHTML(b, s.CSRF)
		b.WriteString("\">\n  <input type=\"hidden\" name=\"retour\" value=\"")
		escapeHTML(b, s.Back)
		b.WriteString("\">\n  <p class=\"support__count fr-mb-1w\" role=\"status\"><strong>")
		b.WriteString(strconv.Itoa(s.Count))
		b.WriteString("</strong> ")
		escapeHTML(b, s.Unit)
		b.WriteString("</p>\n  ")
		if s.Supported {
			b.WriteString("\n  <button class=\"fr-btn fr-btn--sm fr-btn--secondary fr-icon-heart-fill fr-btn--icon-left\" type=\"submit\">Retirer mon soutien</button>\n  ")
		} else {
			b.WriteString("\n  <button class=\"fr-btn fr-btn--sm fr-icon-heart-line fr-btn--icon-left\" type=\"submit\">Soutenir</button>\n  ")
		}
		b.WriteString("\n</form>\n")
	} else {
		b.WriteString("\n<div class=\"support\">\n  <p class=\"support__count fr-mb-1w\"><strong>")
		start := b.Len()
		writeSupportCount(b, s.Count, s.Unit)
		if s.counted != nil {
			s.counted[0], s.counted[1] = start, b.Len()
		}
		b.WriteString("</p>\n  ")
		if s.Open && !s.SignedIn {
			b.WriteString(`<p class="fr-text--sm fr-mb-0"><a href="/connexion?retour=`)
			escapeQuery(b, s.Back)
			b.WriteString(`">Connectez-vous</a> pour soutenir.</p>`)
		}
		b.WriteString("\n</div>\n")
	}
	b.WriteString("\n")
}

// writeSupportCount writes a count of supports and its unit, inside the
// count's paragraph.
func writeSupportCount(b *strings.Builder, n int, unit string) {
	b.WriteString(strconv.Itoa(n))
	b.WriteString("</strong> ")
	escapeHTML(b, unit)
}

// escapeHTML writes s escaped as html/template escapes text and quoted
// attribute values: & < > " ' and + (against UTF-7 sniffing), NUL replaced.
func escapeHTML(b interface{ WriteString(string) (int, error) }, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case 0:
			r = "\uFFFD"
		case '"':
			r = "&#34;"
		case '&':
			r = "&amp;"
		case '\'':
			r = "&#39;"
		case '+':
			r = "&#43;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(r)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// escapeQuery writes s as html/template writes a value in the query of a
// URL attribute: every byte but the unreserved ones percent-encoded (lower
// case hexadecimal), which needs no further HTML escaping.
func escapeQuery(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}
