package web

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/answer"
	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/contribution"
)

// TestContributionMainHTMLEqualsTemplate checks that the main part of a
// contribution page written by Go for anonymous visitors is byte for byte
// what the template gives: hostile texts, every status, Hub proposals and
// reactions, answers, arguments hidden or not with replies, every phase.
func TestContributionMainHTMLEqualsTemplate(t *testing.T) {
	tpl := pageTemplate(t, tplContributionShow)
	hostile := hostileTexts
	backs := []string{"/contributions/12", `/contributions/12?"'<>&x=1`}
	when := time.Date(2026, 11, 29, 15, 4, 0, 0, time.UTC)
	str := func(s string) *string { return &s }
	i64 := func(n int64) *int64 { return &n }
	n := 0
	for flags := range 1 << 11 {
		if flags%3 != 0 && flags != 1<<11-1 && flags&(flags-1) != 0 { // every single flag, all of them, a third of the mixes
			continue
		}
		for k, text := range hostile {
			n++
			id := int64(n)
			status := contribution.StatusPublished
			switch {
			case flags&1 != 0:
				status = contribution.StatusHidden
			case flags&2 != 0:
				status = contribution.StatusWithdrawn
			}
			v := contribution.View{Contribution: contribution.Contribution{ID: id, Entry: contribution.EntryLibres, Title: "Titre " + text,
				Body: text, Status: status, CreatedAt: when, Assisted: flags&4 != 0},
				Counters:   contribution.Counters{Supports: n, ReactionsSoutient: k, ReactionsNuance: 2, ArgumentsPour: k, ArgumentsNeutre: flags % 4},
				AuthorName: text, CategoryLabel: "Citoyen " + text, HubName: "Hub " + text, HubSlug: "hub-" + text,
				TerritoryName: text + " Finistère", TerritoryCode: "29" + text, TerritoryKind: "departement"}
			if flags&1 != 0 {
				v.HiddenReason = str("hors sujet " + text)
			}
			if flags&8 != 0 {
				v.Entry, v.HubID = contribution.EntryHubs, i64(3)
			}
			if flags&16 != 0 {
				v.AuthorID = i64(40 + id)
				v.TerritoryKind = "region"
				v.EditedAt = &when
			}
			if flags&32 != 0 {
				rt := contribution.ReactionTypes[k%len(contribution.ReactionTypes)]
				v.ReactionType, v.ReactsToID = &rt, i64(7)
				if k%2 == 0 {
					v.ReactsToTitle, v.ReactsToHub = "Proposition "+text, "Hub "+text
				}
			}
			if k%3 == 0 {
				v.TerritoryName = ""
			}
			phase := consultation.PhaseOpen
			if flags&64 != 0 {
				phase = consultation.PhaseClosed
			}
			p := Page{Title: v.Title, Path: "/contributions/12", Phase: phase, CSRF: "jeton"}
			d := contributionShowPage{Page: p, C: v, Back: backs[k%len(backs)], Body: contribution.RenderBody(v.Body),
				CanReact: flags&128 != 0, CanEdit: flags&1024 != 0}
			if flags&256 != 0 {
				d.AxisLabel, d.AxisSlug = "Axe 1 : "+text, "axe-"+text
			}
			d.Support = supportView{ID: id, Count: n, Unit: supportUnit(n), Open: phase == consultation.PhaseOpen && v.Published(), CSRF: "jeton", Back: d.Back}
			if flags&512 != 0 {
				d.Answer = &answer.Answer{ContributionID: id, State: answer.States[k%len(answer.States)], Body: "Réponse " + text + "\n\nSuite", UpdatedAt: when}
				d.Reactions = []contribution.View{{Contribution: contribution.Contribution{ID: 90, Title: "Réaction " + text, ReactionType: str("nuance")}, AuthorName: text}}
				for j, st := range contribution.Stances {
					a := contribution.Argument{ID: int64(100 + j), Stance: st, Body: "Argument " + text, Status: contribution.StatusPublished, CreatedAt: when, AuthorName: text}
					if j == 1 {
						a.Status, a.HiddenReason = contribution.StatusHidden, str("injurieux "+text)
					}
					a.Replies = []contribution.Argument{
						{ID: int64(200 + j), Stance: "contre", Body: "Réponse " + text, Status: contribution.StatusPublished, CreatedAt: when},
						{ID: int64(300 + j), Stance: "pour", Status: contribution.StatusHidden, HiddenReason: str(text)},
					}
					d.Arguments = append(d.Arguments, argumentThread{Argument: a})
				}
			}
			if !d.anonymousMainHTML() {
				t.Fatal("an anonymous page is not written by Go")
			}
			var want bytes.Buffer
			if err := tpl.ExecuteTemplate(&want, "contribution-main", d); err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			d.writeContributionMain(&got)
			sameHTML(t, fmt.Sprintf("flags %b, text %q", flags, text), got.String(), want.String())
		}
	}
	if n < 500 {
		t.Fatalf("only %d pages compared", n)
	}
}
