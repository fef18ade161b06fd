package mediation

import (
	"errors"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/contribution"
)

// TestVolumesPerMediator checks the figures the moderators see for each
// médiateur, their sum, their order, and the activity trail.
func TestVolumesPerMediator(t *testing.T) {
	f := newFixture(t, testLimits)
	quiet := f.newMediator("region", "53")
	r1 := f.contribute(f.mediator, person("Marie", "29"), "Première")
	r2 := f.contribute(f.mediator, person("", "29"), "Deuxième")
	if _, err := f.svc.Support(f.ctx, f.mediator, r2.Person.ID, r1.ContributionID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Claim(f.ctx, f.user("Marie"), r1.Code); err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE contributions SET status = 'hidden', hidden_reason = 'spam' WHERE id = ?`, r2.ContributionID)
	if _, _, err := f.svc.RecordPerson(f.ctx, f.mediator, person("", "75")); !errors.Is(err, ErrOutsideTerritory) {
		t.Fatal(err)
	}
	f.exec(`UPDATE assisted_contributions SET created_at = now() - interval '8 days' WHERE contribution_id = ?`, r2.ContributionID)

	rows, total, err := f.svc.Volumes(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].UserID != f.mediator || rows[1].UserID != quiet {
		t.Fatalf("rows %+v", rows)
	}
	v := rows[0]
	want := Volume{Mediator: v.Mediator, People: 2, PeopleWeek: 2, Contributions: 2, ContributionsWeek: 1, Hidden: 1, Claimed: 1,
		Supports: 1, SupportsWeek: 1, Refusals: 1, LastActivity: v.LastActivity}
	if v != want {
		t.Errorf("volume %+v\nwant   %+v", v, want)
	}
	if v.LastActivity == nil || time.Since(*v.LastActivity) > time.Minute || v.TerritoryName != "Finistère (29)" {
		t.Errorf("last activity %v, territory %q", v.LastActivity, v.TerritoryName)
	}
	if total.Contributions != 2 || total.Supports != 1 || total.People != 2 || total.Refusals != 1 {
		t.Errorf("total %+v", total)
	}
	acts, err := f.svc.Activity(f.ctx, f.mediator, 50)
	if err != nil {
		t.Fatal(err)
	}
	// Two people, two contributions, one support, one refusal.
	if len(acts) != 6 || acts[0].Action != "mediation.refused" {
		t.Errorf("activity %+v", acts)
	}
	recent, err := f.svc.Recent(f.ctx, f.mediator, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 2 || recent[1].ID != r2.ContributionID || recent[1].Status != contribution.StatusHidden ||
		!recent[0].Claimed() || recent[1].Claimed() || recent[1].CodeExpired(time.Now()) {
		t.Errorf("recent %+v", recent)
	}
}
