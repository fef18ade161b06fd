package fuzz

import (
	"errors"
	"html"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/cnr-numerique/concertation/app/answer"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/moderation"
	"github.com/cnr-numerique/concertation/app/query"
)

// The reference data of the filter parser: two axes, two entries, the
// categories, two régions with a département each, two Hubs.
var refs = query.Refs{
	ConsultationID: 1,
	Axes:           []query.Axis{{ID: 11, Position: 1, Slug: "gouvernance"}, {ID: 12, Position: 2, Slug: "mediation"}},
	Entries:        []query.Entry{{Kind: "hubs", Slug: "propositions-des-hubs"}, {Kind: "libres", Slug: "contributions-libres"}},
	Categories:     []query.Category{{Code: "citoyen", Label: "Citoyen·ne"}, {Code: "elu", Label: "Élu·e"}, {Code: "autre", Label: "Autre"}},
	Regions:        []query.Territory{{ID: 53, Code: "53", Name: "Bretagne"}, {ID: 76, Code: "76", Name: "Occitanie"}},
	Departements:   []query.Territory{{ID: 29, Code: "29", Name: "Finistère", RegionID: 53}, {ID: 2001, Code: "2A", Name: "Corse-du-Sud"}},
	Hubs:           []query.HubRef{{ID: 1, Slug: "rhinocc", Name: "RhinOcc"}, {ID: 2, Slug: "hub-bretagne", Name: "Hub Bretagne"}},
}

var listParams = []string{"axe", "entree", "categorie", "region", "departement", "hub", "reagit_a", query.ParamText, query.ParamSort,
	query.ParamSeed, query.ParamPage, query.ParamPerPage, query.ParamAfter, query.ParamBefore, "du", "au", "statut", "etiquette", "retenue",
	"reponse"}

// FuzzParseListQuery: the filter and page parsers never panic, every value
// they keep is from the allowed sets, the searched text is clean one-line
// text, a public view ignores the rapporteurs' parameters, and the address
// rebuilt from a view (to share it) parses back to the same view.
func FuzzParseListQuery(f *testing.F) {
	seeds := []struct{ raw, value string }{
		{"", ""},
		{"axe=gouvernance&entree=hubs&categorie=elu&region=53&departement=29&hub=rhinocc&reagit_a=7&q=m%C3%A9diation&tri=hasard&graine=42&page=3&par=50", ""},
		{"axe=gouvernance&axe=mediation&tri=soutiens&tri=hasard", "mediation"},
		{"page=-1&par=7&graine=99999999999&reagit_a=-3", "-1"},
		{"page=99999999999999999999999&par=1e9&graine=0x10&apres=0.123.4&avant=1.-5.6", "1e400"},
		{"q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E&categorie=%3Cimg%20src=x%3E", `"><script>alert(1)</script>`},
		{"q=%FF%FE&hub=%00&departement=2A&region=%20%2053%20", "\xff\x00\u202e"},
		{"%zz=1&q=%", "javascript:alert(1)"},
		{"q=" + strings.Repeat("a", 300), strings.Repeat("é", 201)},
		{"q=%0D%0Aligne%09tab&du=2026-11-01&au=31/12/2026&statut=masquee&etiquette=x&retenue=1", "1' OR '1'='1"},
		{"reponse=non-retenue&reponse=etude&reponse=non_retenue&reponse=peut-etre", "retenue"},
		{"tri=recentes;DROP TABLE contributions&apres=2.1.1", "hasard"},
	}
	for _, s := range seeds {
		f.Add(s.raw, s.value)
	}
	f.Fuzz(func(t *testing.T, raw, value string) {
		v, _ := url.ParseQuery(raw)
		check(t, v)
		for _, p := range listParams {
			v.Add(p, value)
		}
		check(t, v)
		w := url.Values{}
		for _, p := range listParams {
			w.Set(p, value)
		}
		check(t, w)
	})
}

func check(t *testing.T, v url.Values) {
	t.Helper()
	for _, public := range []bool{true, false} {
		q := query.Parse(v, refs, public)
		for _, id := range q.Axes {
			if id != 11 && id != 12 {
				t.Fatalf("axis %d", id)
			}
		}
		for _, e := range q.Entries {
			if e != "hubs" && e != "libres" {
				t.Fatalf("entry %q", e)
			}
		}
		for _, c := range q.Categories {
			if c != "citoyen" && c != "elu" && c != "autre" {
				t.Fatalf("category %q", c)
			}
		}
		for _, id := range q.Regions {
			if id != 53 && id != 76 {
				t.Fatalf("région %d", id)
			}
		}
		for _, id := range q.Departements {
			if id != 29 && id != 2001 {
				t.Fatalf("département %d", id)
			}
		}
		for _, id := range q.Hubs {
			if id != 1 && id != 2 {
				t.Fatalf("hub %d", id)
			}
		}
		for _, st := range q.Answers {
			if !slices.Contains(answer.States, st) {
				t.Fatalf("answer state %q", st)
			}
		}
		switch {
		case q.ReactsTo < 0:
			t.Fatalf("reacts to %d", q.ReactsTo)
		case q.Author != 0 || q.ConsultationID != 1:
			t.Fatalf("a field the address must not set: %+v", q)
		case public && (len(q.Statuses) != 1 || q.Statuses[0] != query.StatusPublished || len(q.Tags) > 0 || q.Retained):
			t.Fatalf("a public view with rapporteur filters: %+v", q)
		}
		if q.Text != "" {
			clean, ok := contribution.CleanLine(q.Text)
			if !ok || clean != q.Text || utf8.RuneCountInString(q.Text) > query.MaxText || strings.ContainsAny(q.Text, "\n\r\t\x00") {
				t.Fatalf("searched text %q", q.Text)
			}
		}
		// The shared address gives the same view.
		back := query.Parse(q.Query(), refs, public)
		if !reflect.DeepEqual(back, q) {
			t.Fatalf("shared address changes the view:\n%+v\n%+v", q, back)
		}
	}
	r := query.ParseRequest(v)
	switch {
	case r.Sort.Label() == "":
		t.Fatalf("sort %q", r.Sort)
	case r.Seed < 0 || r.Seed >= 1<<31:
		t.Fatalf("seed %d", r.Seed)
	case r.Number < 1:
		t.Fatalf("page %d", r.Number)
	case !slices.Contains(query.PageSizes, r.PerPage):
		t.Fatalf("per page %d", r.PerPage)
	case r.After != "" && r.Before != "":
		t.Fatalf("two cursors: %+v", r)
	}
	shared := r.Values(first(v, query.ParamText) != "")
	if text := first(v, query.ParamText); text != "" {
		shared.Set(query.ParamText, text) // the view's part of the shared address
	}
	back := query.ParseRequest(shared)
	if back.Sort != r.Sort || back.PerPage != r.PerPage || (r.Sort == query.SortRandom && back.Seed != r.Seed) {
		t.Fatalf("shared address changes the order:\n%+v\n%+v", r, back)
	}
}

// first is the first non-empty value of key, as the parsers read it.
func first(v url.Values, key string) string {
	for _, s := range v[key] {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// cleanStored checks that text accepted by a form is what may be stored:
// valid UTF-8, without control characters (line feeds and tabs allowed in
// multi-line texts), trimmed, at most max characters.
func cleanStored(t *testing.T, field, s string, max int, multiline bool) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s: invalid UTF-8 accepted: %q", field, s)
	}
	if n := utf8.RuneCountInString(s); n == 0 || n > max {
		t.Fatalf("%s: %d characters accepted", field, n)
	}
	if s != strings.TrimSpace(s) {
		t.Fatalf("%s: not trimmed: %q", field, s)
	}
	for _, r := range s {
		if (unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t'))) || r == '\u2028' || r == '\u2029' {
			t.Fatalf("%s: control character %U accepted in %q", field, r, s)
		}
	}
}

// problemsAreFrench checks that every validation problem names a form field
// and has a message.
func problemsAreFrench(t *testing.T, p contribution.Problems) {
	t.Helper()
	fields := map[string]bool{contribution.FieldEntry: true, contribution.FieldAxis: true, contribution.FieldHub: true, contribution.FieldTerritory: true,
		contribution.FieldReaction: true, contribution.FieldTitle: true, contribution.FieldBody: true, contribution.FieldStance: true}
	for f, msg := range p {
		if !fields[f] || msg == "" || !utf8.ValidString(msg) {
			t.Fatalf("problem %q: %q", f, msg)
		}
	}
}

// FuzzContributionForm: the contribution form decoder never panics; what it
// accepts is clean and consistent (entry, Hub, reaction, territory), what it
// refuses gets French messages, and the accepted text is never rendered as
// markup.
func FuzzContributionForm(f *testing.F) {
	f.Add("libres", "Un titre", "Un texte.\n\nAvec https://exemple.fr/doc.", "", int64(1), int64(0), int64(0), "")
	f.Add("hubs", "Proposition", "Texte", "region", int64(1), int64(2), int64(0), "")
	f.Add("hubs", "Réaction d'un Hub", "Texte", "departement", int64(1), int64(2), int64(7), "nuance")
	f.Add("libres", "Réaction", "Texte", "", int64(1), int64(0), int64(7), "conteste")
	f.Add("libres", "<script>alert(1)</script>", `"><img src=x onerror=alert(1)>`, "commune", int64(-1), int64(-5), int64(-7), "<b>")
	f.Add("hubs", "   ", "\r\n\t", "", int64(0), int64(0), int64(0), "soutient")
	f.Add("LIBRES", "\xff\xfe", "a\x00b\u2028c", "region", int64(1), int64(0), int64(1), "complete")
	f.Add("libres", strings.Repeat("t", 141), strings.Repeat("é", 5001), "", int64(1), int64(0), int64(0), "")
	f.Add("libres", strings.Repeat("t", 140), strings.Repeat("é", 5000), "", int64(1), int64(0), int64(0), "")
	f.Add("libres", "javascript:alert(1)", "[x](javascript:alert(1)) data:text/html,<script>", "", int64(1), int64(0), int64(0), "")
	f.Fuzz(func(t *testing.T, entry, title, body, territoryKind string, axis, hubID, reactsTo int64, reaction string) {
		d := contribution.Draft{Entry: entry, Title: title, Body: body, TerritoryKind: territoryKind, AxisID: axis, HubID: hubID,
			ReactsToID: reactsTo, ReactionType: reaction}
		p := d.Normalize()
		problemsAreFrench(t, p)
		if !utf8.ValidString(title) && p[contribution.FieldTitle] == "" {
			t.Fatal("invalid UTF-8 title without a problem")
		}
		if len(p) > 0 {
			return
		}
		cleanStored(t, "title", d.Title, contribution.MaxTitle, false)
		cleanStored(t, "body", d.Body, contribution.MaxBody, true)
		switch {
		case d.Entry != contribution.EntryHubs && d.Entry != contribution.EntryLibres:
			t.Fatalf("entry %q accepted", d.Entry)
		case d.AxisID == 0:
			t.Fatal("no axis accepted")
		case d.Entry == contribution.EntryHubs && (d.HubID == 0 || d.ReactsToID != 0):
			t.Fatalf("Hub proposal with Hub %d reacting to %d", d.HubID, d.ReactsToID)
		case d.Entry == contribution.EntryLibres && d.HubID != 0:
			t.Fatalf("free contribution with Hub %d", d.HubID)
		case d.ReactsToID != 0 && contribution.ReactionLabel(d.ReactionType) == "":
			t.Fatalf("reaction type %q accepted", d.ReactionType)
		case d.ReactsToID == 0 && d.ReactionType != "":
			t.Fatalf("reaction type %q without a target", d.ReactionType)
		case d.TerritoryKind != "" && d.TerritoryKind != "region" && d.TerritoryKind != "departement":
			t.Fatalf("territory kind %q", d.TerritoryKind)
		}
		if err := checkRendered(d.Body, string(contribution.RenderBody(d.Body))); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(html.EscapeString(d.Title), "<>\"'") {
			t.Fatalf("title %q not escapable", d.Title)
		}
	})
}

// FuzzArgumentForm: the argument form decoder never panics; it accepts only
// a known stance and clean text of 1 to 2,000 characters.
func FuzzArgumentForm(f *testing.F) {
	f.Add("pour", "Je suis d'accord.", int64(0))
	f.Add("contre", "Réponse\n\navec deux paragraphes", int64(3))
	f.Add("neutre", strings.Repeat("x", 2001), int64(-1))
	f.Add("POUR", "<script>alert(1)</script>", int64(0))
	f.Add("pour'; DROP TABLE arguments; --", "\xff", int64(1))
	f.Add("", "   \r\n ", int64(0))
	f.Add("neutre", "a\x00b\x1bc\u2029", int64(0))
	f.Fuzz(func(t *testing.T, stance, body string, parent int64) {
		d := contribution.ArgumentDraft{Stance: stance, Body: body, ParentID: parent}
		p := d.Normalize()
		problemsAreFrench(t, p)
		if len(p) > 0 {
			return
		}
		if contribution.StanceLabel(d.Stance) == "" {
			t.Fatalf("stance %q accepted", d.Stance)
		}
		cleanStored(t, "argument", d.Body, contribution.MaxArgument, true)
		if d.ParentID != parent {
			t.Fatal("the decoder changed the parent")
		}
	})
}

// FuzzReportForm: the report form decoder never panics; it accepts only a
// known reason with clean details (required for "autre"); refusals are
// French validation errors.
func FuzzReportForm(f *testing.F) {
	f.Add("spam", "")
	f.Add("autre", "Il donne le numéro de téléphone de quelqu'un.")
	f.Add("autre", "   ")
	f.Add("donnees-personnelles", strings.Repeat("é", 1001))
	f.Add("injurieux", "<script>alert(1)</script>")
	f.Add("SPAM", "\xff\xfe")
	f.Add("hors-sujet", "a\x00b")
	f.Add("spam' OR 1=1 --", "x")
	f.Fuzz(func(t *testing.T, reason, details string) {
		in := moderation.ReportInput{Reason: reason, Details: details}
		err := in.Validate()
		if err != nil {
			var ve *moderation.ValidationError
			if !errors.As(err, &ve) || ve.Message == "" {
				t.Fatalf("refusal that is not a French validation error: %v", err)
			}
			return
		}
		if moderation.ReasonLabel(in.Reason) == "" {
			t.Fatalf("reason %q accepted", in.Reason)
		}
		if in.Details != "" {
			cleanStored(t, "details", in.Details, moderation.MaxDetails, true)
		} else if in.Reason == moderation.ReasonAutre {
			t.Fatal("« autre » without details accepted")
		}
	})
}

// FuzzHideForm: the moderator's hide form never panics and gives a public
// reason that is clean text (it is shown after "masquée par la
// modération : ").
func FuzzHideForm(f *testing.F) {
	f.Add("spam", "")
	f.Add("autre", "Propos hors charte")
	f.Add("injurieux", `"><script>alert(1)</script>`)
	f.Add("autre", "")
	f.Add("hors-sujet", strings.Repeat("x", 301))
	f.Add("x", "\xff")
	f.Fuzz(func(t *testing.T, motif, precision string) {
		reason, err := moderation.HideInput{Motif: motif, Precision: precision}.PublicReason()
		if err != nil {
			var ve *moderation.ValidationError
			if !errors.As(err, &ve) || ve.Message == "" {
				t.Fatalf("refusal that is not a French validation error: %v", err)
			}
			return
		}
		if moderation.ReasonLabel(motif) == "" || reason == "" || !utf8.ValidString(reason) || strings.ContainsRune(reason, 0) {
			t.Fatalf("motif %q gave the public reason %q", motif, reason)
		}
		for _, r := range reason {
			if unicode.IsControl(r) && r != '\n' && r != '\t' {
				t.Fatalf("control character %U in the public reason %q", r, reason)
			}
		}
	})
}
