package fuzz

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/cnr-numerique/concertation/app/contribution"
	"golang.org/x/net/html"
)

// hostile are seed inputs from the usual XSS and parser attacks.
var hostile = []string{
	"",
	"Un texte simple.\n\nDeuxième paragraphe\navec un retour à la ligne.",
	`<script>alert(1)</script>`,
	`"><script>alert(1)</script>`,
	`'><img src=x onerror=alert(1)>`,
	`<a href="javascript:alert(1)">clic</a>`,
	`javascript:alert(1)`,
	`JaVaScRiPt:alert(1)`,
	`[lien](javascript:alert(1))`,
	`data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==`,
	`vbscript:msgbox(1)`,
	`https://exemple.fr/"><script>alert(1)</script>`,
	`https://exemple.fr/'onmouseover='alert(1)`,
	`www.exemple.fr/"onmouseover=alert(1)`,
	`http://exemple.fr/<img src=x>`,
	`https://exemple.fr/a?b=1&c=<2>#"x"`,
	`HTTPS://EXEMPLE.FR/PATH.`,
	`(voir https://fr.wikipedia.org/wiki/Test_(informatique)).`,
	`« https://exemple.fr/doc »`,
	`http://`, `https://`, `www.`, `http:///x`, `https://[::1]:80/`, `http://a@b.c/`, `http://%41.fr/`,
	"https://exemple.fr/\u2028<script>",
	"\xff\xfe\xfd", "a\x00b", "\u202e<b>", "\ufeff", "\r\n\r\n\r\n", "\r<p>\r", "&lt;script&gt;", "&#x3C;script&#x3E;",
	"<!-- commentaire -->", "<![CDATA[x]]>", "<!DOCTYPE html>", "</p><p>", "<br>", "<p onclick=alert(1)>",
	strings.Repeat("https://exemple.fr/ ", 50),
	strings.Repeat("<", 300) + strings.Repeat("a", 300),
}

// allowed are the only elements the body renderer may produce.
var allowed = map[string]bool{"p": true, "br": true, "a": true}

// checkRendered returns an error when out holds anything but <p>, <br> and
// links with an http(s) href and the rel of the renderer, or when its text
// is not the text of in.
func checkRendered(in, out string) error {
	z := html.NewTokenizer(strings.NewReader(out))
	depth := map[string]int{}
	var text strings.Builder
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if depth["p"] != 0 || depth["a"] != 0 {
				return fmt.Errorf("unbalanced tags %v for %q:\n%s", depth, in, out)
			}
			if utf8.ValidString(in) && !strings.ContainsRune(in, 0) {
				if got, want := squeeze(text.String()), squeeze(in); got != want {
					return fmt.Errorf("the text changed for %q:\ngot  %q\nwant %q", in, got, want)
				}
			}
			return nil
		case html.TextToken:
			text.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if !allowed[tok.Data] {
				return fmt.Errorf("element <%s> produced for %q:\n%s", tok.Data, in, out)
			}
			switch tt {
			case html.StartTagToken:
				if tok.Data != "br" {
					depth[tok.Data]++
				}
			case html.EndTagToken:
				depth[tok.Data]--
				if depth[tok.Data] < 0 {
					return fmt.Errorf("</%s> without its opening for %q", tok.Data, in)
				}
			}
			if tt == html.EndTagToken {
				continue
			}
			if tok.Data != "a" {
				if len(tok.Attr) > 0 {
					return fmt.Errorf("attributes %v on <%s> for %q", tok.Attr, tok.Data, in)
				}
				continue
			}
			if err := checkLink(in, tok); err != nil {
				return err
			}
		default:
			return fmt.Errorf("token %v (%q) produced for %q:\n%s", tt, z.Raw(), in, out)
		}
	}
}

func checkLink(in string, tok html.Token) error {
	var href, rel string
	for _, a := range tok.Attr {
		switch a.Key {
		case "href":
			href = a.Val
		case "rel":
			rel = a.Val
		default:
			return fmt.Errorf("attribute %s=%q on a link for %q", a.Key, a.Val, in)
		}
	}
	u, err := url.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("link to %q (scheme %q) for %q", href, u.Scheme, in)
	}
	if strings.ContainsAny(href, "<>\"' \n") {
		return fmt.Errorf("link %q with characters that break out of it, for %q", href, in)
	}
	if rel != "nofollow ugc noopener" {
		return fmt.Errorf("link rel %q for %q", rel, in)
	}
	return nil
}

// squeeze drops the white space, which the renderer turns into paragraphs
// and line breaks.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// FuzzRenderBody: the body renderer never produces an element other than
// <p>, <br> and <a>, never a link other than http(s), never loses or adds
// text, and never panics.
func FuzzRenderBody(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if err := checkRendered(in, string(contribution.RenderBody(in))); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCheckRenderedCatchesInjection: the checker itself sees what the fuzz
// target looks for.
func TestCheckRenderedCatchesInjection(t *testing.T) {
	for _, bad := range []string{`<p><script>x</script></p>`, `<p><a href="javascript:x" rel="nofollow ugc noopener">x</a></p>`,
		`<p><a href="https://a.b" rel="nofollow ugc noopener" onclick="x">x</a></p>`, `<p>x`, `<p><!-- x --></p>`, `<p>y</p>`,
		`<p><a href="https://a.b/" rel="nofollow">x</a></p>`, `<p class="x">x</p>`} {
		if checkRendered("x", bad) == nil {
			t.Errorf("checkRendered accepts %s", bad)
		}
	}
	if err := checkRendered("x https://a.b/", `<p>x <a href="https://a.b/" rel="nofollow ugc noopener">https://a.b/</a></p>`); err != nil {
		t.Error(err)
	}
}
