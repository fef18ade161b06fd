package contribution

import (
	"html/template"
	"net/url"
	"regexp"
	"strings"
)

var linkPattern = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"']+`)

// RenderBody turns plain text into HTML: blank lines separate paragraphs, line
// breaks become <br>, and http(s) and www. addresses become links with
// rel="nofollow ugc noopener". Everything else is escaped: no markup typed by a
// person is ever interpreted.
func RenderBody(text string) template.HTML {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	var b strings.Builder
	for _, para := range strings.Split(text, "\n\n") {
		para = strings.Trim(para, "\n")
		if strings.TrimSpace(para) == "" {
			continue
		}
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>\n")
			}
			writeLinked(&b, line)
		}
		b.WriteString("</p>\n")
	}
	return template.HTML(b.String())
}

// writeLinked writes line escaped, with its addresses as links.
func writeLinked(b *strings.Builder, line string) {
	if !mayLink(line) { // most lines: no need for the regular expression, a tenth of a page's CPU
		b.WriteString(template.HTMLEscapeString(line))
		return
	}
	last := 0
	for _, m := range linkPattern.FindAllStringIndex(line, -1) {
		raw := trimTrailing(line[m[0]:m[1]])
		end := m[0] + len(raw)
		href, ok := linkTarget(raw)
		if !ok {
			continue
		}
		b.WriteString(template.HTMLEscapeString(line[last:m[0]]))
		b.WriteString(`<a href="`)
		b.WriteString(template.HTMLEscapeString(href))
		b.WriteString(`" rel="nofollow ugc noopener">`)
		b.WriteString(template.HTMLEscapeString(raw))
		b.WriteString("</a>")
		last = end
	}
	b.WriteString(template.HTMLEscapeString(line[last:]))
}

// trimTrailing drops the punctuation that ends a sentence rather than the
// address, and a closing parenthesis without its opening one.
func trimTrailing(s string) string {
	for {
		switch {
		case strings.HasSuffix(s, "»"):
			s = strings.TrimSuffix(s, "»")
		case s != "" && strings.IndexByte(".,;:!?", s[len(s)-1]) >= 0:
			s = s[:len(s)-1]
		case strings.HasSuffix(s, ")") && strings.Count(s, "(") < strings.Count(s, ")"):
			s = s[:len(s)-1]
		default:
			return s
		}
	}
}

// linkTarget returns the absolute http(s) address of raw, or false when it is
// not one.
func linkTarget(raw string) (string, bool) {
	href := raw
	if strings.HasPrefix(strings.ToLower(raw), "www.") {
		href = "https://" + raw
	}
	u, err := url.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return u.String(), true
}

// mayLink reports whether line holds "http" or "www." in any case: without
// them linkPattern cannot match (none of h, t, p, w has a case fold beyond
// ASCII).
func mayLink(line string) bool {
	for i := 0; i+3 < len(line); i++ {
		switch line[i] | 0x20 {
		case 'h':
			if line[i+1]|0x20 == 't' && line[i+2]|0x20 == 't' && line[i+3]|0x20 == 'p' {
				return true
			}
		case 'w':
			if line[i+1]|0x20 == 'w' && line[i+2]|0x20 == 'w' && line[i+3] == '.' {
				return true
			}
		}
	}
	return false
}
