package contribution

import (
	"strings"
	"testing"
)

func TestDraftNormalize(t *testing.T) {
	valid := func() Draft {
		return Draft{Entry: EntryLibres, AxisID: 1, Title: " Un titre ", Body: "Un texte\r\nsur deux lignes"}
	}
	tests := []struct {
		name   string
		change func(*Draft)
		field  string // "" when valid
	}{
		{"valid", func(d *Draft) {}, ""},
		{"empty title", func(d *Draft) { d.Title = "   " }, FieldTitle},
		{"title of 140 characters", func(d *Draft) { d.Title = strings.Repeat("é", 140) }, ""},
		{"title too long", func(d *Draft) { d.Title = strings.Repeat("é", 141) }, FieldTitle},
		{"empty body", func(d *Draft) { d.Body = "\n\n" }, FieldBody},
		{"body of 5000 characters", func(d *Draft) { d.Body = strings.Repeat("à", 5000) }, ""},
		{"body too long", func(d *Draft) { d.Body = strings.Repeat("à", 5001) }, FieldBody},
		{"invalid UTF-8 title", func(d *Draft) { d.Title = "abc\xff" }, FieldTitle},
		{"invalid UTF-8 body", func(d *Draft) { d.Body = "abc\xc3\x28" }, FieldBody},
		{"only control characters", func(d *Draft) { d.Title = "\x00\x01" }, FieldTitle},
		{"markup is kept as text", func(d *Draft) { d.Title = "<script>alert(1)</script>" }, ""},
		{"unknown entry", func(d *Draft) { d.Entry = "autre" }, FieldEntry},
		{"no axis", func(d *Draft) { d.AxisID = 0 }, FieldAxis},
		{"hub proposal without hub", func(d *Draft) { d.Entry = EntryHubs }, FieldHub},
		{"hub proposal reacting", func(d *Draft) { d.Entry, d.HubID, d.ReactsToID, d.ReactionType = EntryHubs, 1, 2, "nuance" }, FieldReaction},
		{"reaction without type", func(d *Draft) { d.ReactsToID = 3 }, FieldReaction},
		{"reaction with bad type", func(d *Draft) { d.ReactsToID, d.ReactionType = 3, "adore" }, FieldReaction},
		{"reaction", func(d *Draft) { d.ReactsToID, d.ReactionType = 3, "complete" }, ""},
		{"bad territory kind", func(d *Draft) { d.TerritoryKind = "commune" }, FieldTerritory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := valid()
			tt.change(&d)
			p := d.Normalize()
			if tt.field == "" && len(p) != 0 {
				t.Fatalf("unexpected problems %v", p)
			}
			if tt.field != "" && p[tt.field] == "" {
				t.Fatalf("no problem on %s, got %v", tt.field, p)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  a  ", "a"},
		{"a\r\nb\rc", "a\nb\nc"},
		{"a\x00b\x07c", "abc"},
		{"a\u2028b\ufeff", "ab"},
		{"<b>x</b>", "<b>x</b>"},
	}
	for _, tt := range tests {
		if got, ok := CleanText(tt.in); !ok || got != tt.want {
			t.Errorf("CleanText(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	if got, _ := CleanLine(" a \n\t b "); got != "a b" {
		t.Errorf("CleanLine = %q", got)
	}
	if _, ok := CleanText("\xff"); ok {
		t.Error("invalid UTF-8 accepted")
	}
}

func TestArgumentNormalize(t *testing.T) {
	tests := []struct {
		d     ArgumentDraft
		field string
	}{
		{ArgumentDraft{Stance: "pour", Body: "Oui"}, ""},
		{ArgumentDraft{Stance: "peut-être", Body: "Oui"}, FieldStance},
		{ArgumentDraft{Stance: "contre", Body: " "}, FieldBody},
		{ArgumentDraft{Stance: "neutre", Body: strings.Repeat("x", 2001)}, FieldBody},
		{ArgumentDraft{Stance: "neutre", Body: "\xff"}, FieldBody},
	}
	for _, tt := range tests {
		p := tt.d.Normalize()
		if (tt.field == "") != (len(p) == 0) || (tt.field != "" && p[tt.field] == "") {
			t.Errorf("%+v: problems %v, want on %q", tt.d, p, tt.field)
		}
	}
}
