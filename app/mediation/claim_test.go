package mediation

import (
	"errors"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/contribution"
)

// TestNormalizeCode checks how a code written down or read aloud is typed.
func TestNormalizeCode(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"1234 5678 9012", "123456789012", true},
		{"1234-5678-9012", "123456789012", true},
		{" 123456789012 ", "123456789012", true},
		{"1234.5678.9012", "123456789012", true},
		{"1234 5678 901", "", false},
		{"1234 5678 90123", "", false},
		{"1234 5678 901O", "", false}, // a letter O
		{"", "", false},
		{strings.Repeat("1", 100), "", false},
	}
	for _, c := range cases {
		got, ok := NormalizeCode(c.in)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("NormalizeCode(%q) = %q, %v", c.in, got, ok)
		}
	}
	if FormatCode("123456789012") != "1234 5678 9012" {
		t.Error(FormatCode("123456789012"))
	}
}

// TestClaimMovesAuthorshipOnce follows a claim code: the person signs in and
// takes their contribution, which keeps its mark; the code is single use,
// expires, cannot be taken by the médiateur who wrote it, and a new code
// replaces a lost one.
func TestClaimMovesAuthorshipOnce(t *testing.T) {
	f := newFixture(t, testLimits)
	r := f.contribute(f.mediator, person("Marie", "29"), "Un bus numérique")
	if _, err := f.svc.Claim(f.ctx, f.mediator, r.Code); !errors.Is(err, contribution.ErrOwn) {
		t.Errorf("the médiateur takes it: %v", err)
	}
	if _, err := f.svc.Claim(f.ctx, f.user("Quelqu'un"), "0000 0000 0000"); !errors.Is(err, contribution.ErrClaimUnknown) {
		t.Errorf("unknown code: %v", err)
	}
	if _, err := f.svc.Claim(f.ctx, f.user("Quelqu'un"), "12 34"); !errors.Is(err, ErrCodeFormat) {
		t.Errorf("short code: %v", err)
	}

	marie := f.user("Marie D.")
	got, err := f.svc.Claim(f.ctx, marie, strings.ReplaceAll(r.Code, " ", "-"))
	if err != nil {
		t.Fatal(err)
	}
	if got.ContributionID != r.ContributionID || got.MediatorID != f.mediator || got.PersonID != r.Person.ID {
		t.Errorf("claimed %+v", got)
	}
	v, err := f.store.Get(f.ctx, r.ContributionID)
	if err != nil {
		t.Fatal(err)
	}
	if v.AuthorID == nil || *v.AuthorID != marie || v.AuthorName != "Marie D." || !v.Assisted || v.AuthorCategory != "citoyen" {
		t.Errorf("after the claim: %+v", v)
	}
	if n := f.count(`SELECT count(*) FROM assisted_contributions WHERE contribution_id = ? AND claim_hash IS NULL AND claimed_by = ?`, r.ContributionID, marie); n != 1 {
		t.Error("the code was not used up")
	}
	if _, err := f.svc.Claim(f.ctx, f.user("Autre"), r.Code); !errors.Is(err, contribution.ErrClaimUnknown) {
		t.Errorf("second use: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'mediation.claim' AND actor_id = ? AND target = ?`, marie, contributionTarget(r.ContributionID)); n != 1 {
		t.Errorf("claim audited %d times", n)
	}
	// Her own contribution now: her page lists it, she may edit it.
	if !(contribution.View{Contribution: v.Contribution}).CanEdit(contribution.Actor{UserID: marie}) {
		t.Error("the person cannot edit her contribution")
	}
	if _, err := f.svc.NewCode(f.ctx, f.mediator, r.ContributionID); !errors.Is(err, ErrNotFound) {
		t.Errorf("new code after the claim: %v", err)
	}

	// A lost receipt: a new code, and the old one stops working.
	r2 := f.contribute(f.mediator, person("", "29"), "Des ordinateurs prêtés")
	if _, err := f.svc.NewCode(f.ctx, f.newMediator("departement", "29"), r2.ContributionID); !errors.Is(err, ErrNotFound) {
		t.Errorf("another médiateur's contribution: %v", err)
	}
	again, err := f.svc.NewCode(f.ctx, f.mediator, r2.ContributionID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Code == r2.Code || again.Title != "Des ordinateurs prêtés" {
		t.Errorf("new receipt %+v", again)
	}
	if _, err := f.svc.Claim(f.ctx, f.user("Paul"), r2.Code); !errors.Is(err, contribution.ErrClaimUnknown) {
		t.Errorf("the replaced code: %v", err)
	}
	// Expired codes are refused.
	f.exec(`UPDATE assisted_contributions SET claim_expires_at = now() - interval '1 minute' WHERE contribution_id = ?`, r2.ContributionID)
	if _, err := f.svc.Claim(f.ctx, f.user("Paule"), again.Code); !errors.Is(err, contribution.ErrClaimExpired) {
		t.Errorf("expired code: %v", err)
	}
}

// TestAccountsGoWithAssistedContributions deletes the accounts around
// contributions accompagnées: the médiateur's (the contributions stay, the
// trail keeps who collected the consent), then the person's who claimed one
// (it goes with their account when they ask so); counters and rollup stay
// exact.
func TestAccountsGoWithAssistedContributions(t *testing.T) {
	f := newFixture(t, testLimits)
	kept := f.contribute(f.mediator, person("Marie", "29"), "Reste après le médiateur")
	claimed := f.contribute(f.mediator, person("Jo", "29"), "Part avec le compte de Jo")
	if _, err := f.svc.Support(f.ctx, f.mediator, kept.Person.ID, claimed.ContributionID, true); err != nil {
		t.Fatal(err)
	}
	jo := f.user("Jo")
	if _, err := f.svc.Claim(f.ctx, jo, claimed.Code); err != nil {
		t.Fatal(err)
	}
	accounts := account.NewStore(f.db)
	if err := accounts.Delete(f.ctx, f.mediator, false, f.store); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM contributions WHERE assisted`); n != 2 {
		t.Errorf("%d contributions accompagnées after the médiateur left", n)
	}
	if n := f.count(`SELECT count(*) FROM mediation_people WHERE mediator_id IS NULL AND consent_by = ?`, f.mediator); n != 2 {
		t.Errorf("consents after the médiateur left: %d", n)
	}
	if err := accounts.Delete(f.ctx, jo, false, f.store); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM contributions`); n != 1 {
		t.Errorf("%d contributions after Jo left without keeping his", n)
	}
	if n := f.count(`SELECT count(*) FROM assisted_supports`); n != 0 {
		t.Errorf("the support of a deleted contribution stayed")
	}
	r, err := f.store.Recount(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Exact() {
		t.Errorf("recount set things right: %+v", r)
	}
	v, err := f.store.Get(f.ctx, kept.ContributionID)
	if err != nil || v.AuthorName != "Marie" {
		t.Errorf("kept contribution: %+v %v", v, err)
	}
}
