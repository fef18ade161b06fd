package mediation

import (
	"errors"
	"strings"
	"testing"

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
