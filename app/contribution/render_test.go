package contribution

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestRenderBody(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Bonjour", "<p>Bonjour</p>\n"},
		{"paragraphs", "Un\n\nDeux", "<p>Un</p>\n<p>Deux</p>\n"},
		{"line breaks", "Un\nDeux", "<p>Un<br>\nDeux</p>\n"},
		{"crlf", "Un\r\n\r\nDeux\r\nTrois", "<p>Un</p>\n<p>Deux<br>\nTrois</p>\n"},
		{"many blank lines", "Un\n\n\n\n\nDeux", "<p>Un</p>\n<p>Deux</p>\n"},
		{"empty", "  \n\n ", ""},
		{"script escaped", "<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"},
		{"tags escaped", `<b onmouseover="x">gras</b> & co`, "<p>&lt;b onmouseover=&#34;x&#34;&gt;gras&lt;/b&gt; &amp; co</p>\n"},
		{"link", "Voir https://exemple.fr/page?a=1&b=2 ici",
			`<p>Voir <a href="https://exemple.fr/page?a=1&amp;b=2" rel="nofollow ugc noopener">https://exemple.fr/page?a=1&amp;b=2</a> ici</p>` + "\n"},
		{"www link", "Site : www.exemple.fr.",
			`<p>Site : <a href="https://www.exemple.fr" rel="nofollow ugc noopener">www.exemple.fr</a>.</p>` + "\n"},
		{"link in parentheses", "(voir http://a.fr/x)",
			`<p>(voir <a href="http://a.fr/x" rel="nofollow ugc noopener">http://a.fr/x</a>)</p>` + "\n"},
		{"link with parentheses", "http://fr.wikipedia.org/wiki/A_(b)",
			`<p><a href="http://fr.wikipedia.org/wiki/A_(b)" rel="nofollow ugc noopener">http://fr.wikipedia.org/wiki/A_(b)</a></p>` + "\n"},
		{"javascript scheme not linked", "javascript:alert(1)", "<p>javascript:alert(1)</p>\n"},
		{"quote breaking out of href", `https://a.fr/"onclick="alert(1)`,
			`<p><a href="https://a.fr/" rel="nofollow ugc noopener">https://a.fr/</a>&#34;onclick=&#34;alert(1)</p>` + "\n"},
		{"link then markup", "https://a.fr<script>", `<p><a href="https://a.fr" rel="nofollow ugc noopener">https://a.fr</a>&lt;script&gt;</p>` + "\n"},
		{"guillemets", "« https://a.fr »", `<p>« <a href="https://a.fr" rel="nofollow ugc noopener">https://a.fr</a> »</p>` + "\n"},
		{"no host", "http:// rien", "<p>http:// rien</p>\n"},
		{"entity stays text", "&lt;b&gt;", "<p>&amp;lt;b&amp;gt;</p>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(RenderBody(tt.in)); got != tt.want {
				t.Errorf("RenderBody(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestRenderBodyHostile checks that no hostile input ever yields a tag other
// than p, br and a.
func TestRenderBodyHostile(t *testing.T) {
	inputs := []string{
		"<img src=x onerror=alert(1)>", "<a href=\"javascript:alert(1)\">x</a>", "<<script>script>",
		"https://a.fr/<img>", "www.<svg/onload=alert(1)>.fr", "<!-- x -->", "<style>*{}</style>",
		"\"><script>alert(1)</script>", "https://a.fr/\u0000x", "https://exemple.fr/'><b>",
	}
	for _, in := range inputs {
		out := string(RenderBody(in))
		rest := strings.NewReplacer("<p>", "", "</p>", "", "<br>", "", "</a>", "").Replace(out)
		for strings.Contains(rest, `<a href="`) {
			i := strings.Index(rest, `<a href="`)
			j := strings.Index(rest[i:], `" rel="nofollow ugc noopener">`)
			if j < 0 {
				t.Fatalf("%q: malformed link in %q", in, out)
			}
			href := rest[i+9 : i+j]
			if strings.ContainsAny(href, `<>"`) {
				t.Errorf("%q: unsafe href %q", in, href)
			}
			rest = rest[:i] + rest[i+j+len(`" rel="nofollow ugc noopener">`):]
		}
		if strings.ContainsAny(rest, "<>") {
			t.Errorf("%q: markup left in %q", in, out)
		}
	}
}

// TestMayLinkAgreesWithPattern checks the shortcut before the regular
// expression: every line the pattern matches is one mayLink lets through.
func TestMayLinkAgreesWithPattern(t *testing.T) {
	lines := []string{"voir HTTPS://exemple.fr", "Www.exemple.fr", "hTtP://a.b", "wWw.x.fr et plus", "aucune adresse ici",
		"http", "www", "ftp://x.fr", "mail: a@b.fr", "é http://é.fr", "htt p://x", "ww w.x", "(https://x.fr).", ""}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "hHtTpPwW.:/ sé"
	for range 20000 {
		b := make([]byte, r.IntN(14))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		lines = append(lines, string(b))
	}
	for _, l := range lines {
		if linkPattern.MatchString(l) && !mayLink(l) {
			t.Fatalf("%q matches the link pattern but mayLink skips it", l)
		}
	}
	if mayLink("aucune adresse ici") || !mayLink("voir HTTPS://exemple.fr") {
		t.Error("mayLink does not tell lines apart")
	}
}
