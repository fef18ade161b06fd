package mediation

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/contribution"
)

// TestContributeWithoutConsentIsRefused checks that nothing is stored
// without the person's consent, whatever else the form holds, and that the
// message says why in plain French.
func TestContributeWithoutConsentIsRefused(t *testing.T) {
	f := newFixture(t, testLimits)
	in := person("Marie", "29")
	in.Consent = false
	_, p, err := f.svc.Contribute(f.ctx, f.mediator, f.cons.ID, 0, in, f.draft("Des ateliers"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p[FieldConsent], "Sans l'accord de la personne, rien n'est enregistré") {
		t.Errorf("problems: %v", p)
	}
	if _, p, _ = f.svc.RecordPerson(f.ctx, f.mediator, in); p[FieldConsent] == "" {
		t.Errorf("person without consent: %v", p)
	}
	for _, table := range []string{"contributions", "mediation_people", "assisted_contributions"} {
		if n := f.count(`SELECT count(*) FROM ` + table); n != 0 {
			t.Errorf("%s: %d rows stored without consent", table, n)
		}
	}
}

// TestContributeFormProblems checks the other problems of the form, all
// given at once, and that nothing is stored.
func TestContributeFormProblems(t *testing.T) {
	f := newFixture(t, testLimits)
	cases := []struct {
		in    PersonInput
		d     contribution.Draft
		field string
	}{
		{PersonInput{Label: "marie@exemple.fr", Category: "citoyen", Departement: "29", Consent: true}, f.draft("Titre"), FieldLabel},
		{PersonInput{Label: strings.Repeat("a", MaxLabel+1), Category: "citoyen", Departement: "29", Consent: true}, f.draft("Titre"), FieldLabel},
		{PersonInput{Category: "hub", Departement: "29", Consent: true}, f.draft("Titre"), FieldCategory},
		{PersonInput{Category: "inconnue", Departement: "29", Consent: true}, f.draft("Titre"), FieldCategory},
		{PersonInput{Category: "citoyen", Departement: "2C", Consent: true}, f.draft("Titre"), FieldDepartement},
		{person("", "29"), contribution.Draft{AxisID: f.cons.Axes[0].ID, Body: "Texte"}, contribution.FieldTitle},
		{person("", "29"), contribution.Draft{AxisID: 999999, Title: "Titre", Body: "Texte"}, contribution.FieldAxis},
	}
	for _, c := range cases {
		_, p, err := f.svc.Contribute(f.ctx, f.mediator, f.cons.ID, 0, c.in, c.d)
		if err != nil || p[c.field] == "" {
			t.Errorf("%+v %+v: problems %v, err %v; want one on %s", c.in, c.d, p, err, c.field)
		}
	}
	if n := f.count(`SELECT count(*) FROM mediation_people`); n != 0 {
		t.Errorf("%d people stored by refused forms", n)
	}
}

// TestContributionIsMarkedAssisted checks the stored contribution: assisted,
// no author account, the person's category and département, the médiateur
// never named in public, the claim code only hashed, and the audit trail.
func TestContributionIsMarkedAssisted(t *testing.T) {
	f := newFixture(t, testLimits)
	r := f.contribute(f.mediator, PersonInput{Label: " Marie ", Category: "association", Departement: "29", Consent: true}, "Un lieu pour apprendre")
	if !regexp.MustCompile(`^\d{4} \d{4} \d{4}$`).MatchString(r.Code) {
		t.Errorf("code %q", r.Code)
	}
	if r.Person.Label != "Marie" || r.Structure != "France services – France services 29" || r.ExpiresAt.Before(time.Now().Add(80*24*time.Hour)) {
		t.Errorf("receipt %+v", r)
	}
	v, err := f.store.Get(f.ctx, r.ContributionID)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Assisted || v.AuthorID != nil || v.AuthorCategory != "association" || v.TerritoryCode != "29" || v.AuthorName != "Marie" || v.Entry != contribution.EntryLibres {
		t.Errorf("view %+v", v)
	}
	if strings.Contains(v.AuthorName, "Médiatrice") {
		t.Error("the médiateur is named")
	}
	digits, _ := NormalizeCode(r.Code)
	if n := f.count(`SELECT count(*) FROM assisted_contributions WHERE claim_hash = ? OR encode(claim_hash, 'escape') LIKE ?`,
		[]byte(digits), "%"+digits+"%"); n != 0 {
		t.Error("the claim code is stored in clear")
	}
	if n := f.count(`SELECT count(*) FROM assisted_contributions WHERE claim_hash = ?`, f.svc.hash(digits)); n != 1 {
		t.Error("the hash of the code is not stored")
	}
	if n := f.count(`SELECT count(*) FROM mediation_people WHERE consent_by = ? AND consent_version = ? AND consent_at IS NOT NULL`, f.mediator, ConsentVersion); n != 1 {
		t.Errorf("consent recorded %d times", n)
	}
	for _, action := range []string{"mediation.person", "mediation.contribution"} {
		if n := f.count(`SELECT count(*) FROM audit_log WHERE action = ? AND actor_id = ?`, action, f.mediator); n != 1 {
			t.Errorf("%s audited %d times", action, n)
		}
	}

	// A second contribution for the same person, still at the médiateur's side.
	r2, p, err := f.svc.Contribute(f.ctx, f.mediator, f.cons.ID, r.Person.ID, PersonInput{}, f.draft("Une deuxième idée"))
	if err != nil || len(p) > 0 {
		t.Fatal(p, err)
	}
	if r2.Person.ID != r.Person.ID || r2.Code == r.Code {
		t.Errorf("second receipt %+v", r2)
	}
	// Not once the visit is over, nor for another médiateur's person.
	other := f.newMediator("departement", "29")
	if _, _, err := f.svc.Contribute(f.ctx, other, f.cons.ID, r.Person.ID, PersonInput{}, f.draft("Pas la mienne")); !errors.Is(err, ErrPersonAbsent) {
		t.Errorf("another médiateur's person: %v", err)
	}
	f.exec(`UPDATE mediation_people SET consent_at = now() - interval '13 hours' WHERE id = ?`, r.Person.ID)
	if _, _, err := f.svc.Contribute(f.ctx, f.mediator, f.cons.ID, r.Person.ID, PersonInput{}, f.draft("Trop tard")); !errors.Is(err, ErrPersonAbsent) {
		t.Errorf("consent of yesterday: %v", err)
	}
}

// TestContributeOutsideTerritoryIsRefusedAndAudited checks the territory
// rule and its trace.
func TestContributeOutsideTerritoryIsRefusedAndAudited(t *testing.T) {
	f := newFixture(t, testLimits)
	_, _, err := f.svc.Contribute(f.ctx, f.mediator, f.cons.ID, 0, person("Paul", "35"), f.draft("Ailleurs"))
	if !errors.Is(err, ErrOutsideTerritory) {
		t.Fatalf("outside the département: %v", err)
	}
	if _, _, err := f.svc.RecordPerson(f.ctx, f.mediator, person("Paul", "35")); !errors.Is(err, ErrOutsideTerritory) {
		t.Errorf("person outside: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM contributions`) + f.count(`SELECT count(*) FROM mediation_people`); n != 0 {
		t.Errorf("%d rows stored outside the territory", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'mediation.refused' AND actor_id = ? AND details->>'motif' = 'territoire'`, f.mediator); n != 2 {
		t.Errorf("refusals audited: %d, want 2", n)
	}
}

// TestDailyLimits checks each limit of a médiateur's day, exact and audited.
func TestDailyLimits(t *testing.T) {
	f := newFixture(t, testLimits) // 3 people, 3 contributions, 4 supports, 2 per person
	var receipts []Receipt
	for i := range 3 {
		receipts = append(receipts, f.contribute(f.mediator, person("", "29"), "Idée "+string(rune('A'+i))))
	}
	var le *LimitError
	if _, _, err := f.svc.Contribute(f.ctx, f.mediator, f.cons.ID, receipts[0].Person.ID, PersonInput{}, f.draft("Une de trop")); !errors.As(err, &le) || le.What != "contributions" || le.Max != 3 {
		t.Errorf("fourth contribution: %v", err)
	}
	if _, _, err := f.svc.RecordPerson(f.ctx, f.mediator, person("", "29")); !errors.As(err, &le) || le.What != "personnes" {
		t.Errorf("fourth person: %v", err)
	}
	u, err := f.svc.Usage(f.ctx, f.mediator)
	if err != nil {
		t.Fatal(err)
	}
	if u.People != 3 || u.Contributions != 3 || u.Supports != 0 || u.Limits != testLimits {
		t.Errorf("usage %+v", u)
	}

	// Supports: 2 per person, 4 a day. Other accounts wrote the targets.
	author := contribution.Actor{UserID: f.user("Autrice"), Category: "citoyen", DepartementID: &receipts[0].Person.DepartementID}
	var targets []int64
	for i := range 4 {
		id, p, err := f.store.Create(f.ctx, author, f.cons.ID, contribution.Draft{Entry: contribution.EntryLibres, AxisID: f.cons.Axes[0].ID,
			Title: "Cible " + string(rune('A'+i)), Body: "Texte"})
		if err != nil || len(p) > 0 {
			t.Fatal(p, err)
		}
		targets = append(targets, id)
	}
	p0, p1 := receipts[0].Person.ID, receipts[1].Person.ID
	for _, id := range targets[:2] {
		if _, err := f.svc.Support(f.ctx, f.mediator, p0, id, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Support(f.ctx, f.mediator, p0, targets[2], true); !errors.As(err, &le) || le.What != "soutiens_par_personne" {
		t.Errorf("third support of one person: %v", err)
	}
	for _, id := range targets[:2] {
		if _, err := f.svc.Support(f.ctx, f.mediator, p1, id, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Support(f.ctx, f.mediator, receipts[2].Person.ID, targets[3], true); !errors.As(err, &le) || le.What != "soutiens" {
		t.Errorf("fifth support of the day: %v", err)
	}
	// Removing a support stays possible at the limit.
	if n, err := f.svc.Support(f.ctx, f.mediator, p1, targets[0], false); err != nil || n != 1 {
		t.Errorf("remove at the limit: %d %v", n, err)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'mediation.refused' AND actor_id = ? AND details->>'motif' LIKE 'limite:%'`, f.mediator); n != 4 {
		t.Errorf("refusals at the limits audited: %d, want 4", n)
	}
	// Yesterday's actions do not count today.
	f.exec(`UPDATE mediation_people SET created_at = created_at - interval '1 day'`)
	f.exec(`UPDATE assisted_contributions SET created_at = created_at - interval '1 day'`)
	f.contribute(f.mediator, person("", "29"), "Le lendemain")
}
