package web

import (
	"fmt"
	"strings"
	"testing"
)

// A contribution hidden by moderation shows the reason instead of its text;
// a hidden argument is listed with its reason instead of its body; each
// argument has its anchor (the public moderation log links to #arg-N).
func TestHiddenContentShowsTheReason(t *testing.T) {
	f := newModFix(t)
	author := f.user("Autrice")
	hidden := f.contribution(author, "Titre masqué")
	f.exec(`UPDATE contributions SET status = 'hidden', hidden_reason = 'spam (publicité)' WHERE id = ?`, hidden)
	shown := f.contribution(author, "Titre visible")
	kept := f.argument(shown, author, "Argument toujours visible")
	gone := f.argument(shown, author, "Texte injurieux à cacher")
	f.exec(`UPDATE arguments SET status = 'hidden', hidden_reason = 'propos injurieux' WHERE id = ?`, gone)

	for _, who := range []int64{0, f.user("Lectrice")} {
		f.as(who)
		resp, body := f.get(fmt.Sprintf("/contributions/%d", hidden))
		expect(t, "hidden contribution", resp, body, 200, "masquée par la modération : spam (publicité)")
		if strings.Contains(body, "Premier paragraphe du texte.") {
			t.Error("the text of a hidden contribution is shown")
		}
		resp, body = f.get(fmt.Sprintf("/contributions/%d", shown))
		expect(t, "hidden argument", resp, body, 200, "Argument masqué par la modération : propos injurieux",
			fmt.Sprintf(`id="arg-%d"`, gone), fmt.Sprintf(`id="arg-%d"`, kept), "Argument toujours visible")
		if strings.Contains(body, "Texte injurieux à cacher") {
			t.Error("the body of a hidden argument is shown")
		}
	}
}

// Signed-in people other than the author get "Signaler" links; the author
// and anonymous visitors do not.
func TestReportLinks(t *testing.T) {
	f := newModFix(t)
	author := f.user("Autrice")
	other := f.user("Autre")
	id := f.contribution(author, "Sujet")
	mine := f.argument(id, author, "Argument de l'autrice")
	theirs := f.argument(id, other, "Argument de l'autre")
	cLink := fmt.Sprintf(`href="/contributions/%d/signaler"`, id)
	mineLink := fmt.Sprintf(`href="/arguments/%d/signaler"`, mine)
	theirsLink := fmt.Sprintf(`href="/arguments/%d/signaler"`, theirs)
	for _, tt := range []struct {
		name                string
		who                 int64
		contrib, arg1, arg2 bool
	}{
		{"anonymous", 0, false, false, false},
		{"author", author, false, false, true},
		{"other", other, true, true, false},
	} {
		f.as(tt.who)
		_, body := f.get(fmt.Sprintf("/contributions/%d", id))
		for _, c := range []struct {
			link string
			want bool
		}{{cLink, tt.contrib}, {mineLink, tt.arg1}, {theirsLink, tt.arg2}} {
			if strings.Contains(body, c.link) != c.want {
				t.Errorf("%s: %s shown = %v, want %v", tt.name, c.link, !c.want, c.want)
			}
		}
	}
	f.as(other)
	resp, body := f.get(fmt.Sprintf("/arguments/%d/signaler", mine))
	expect(t, "report form from the link", resp, body, 200, "Signaler cet argument")
}
