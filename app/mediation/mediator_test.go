package mediation

import (
	"errors"
	"testing"

	"github.com/cnr-numerique/concertation/app/account"
)

// TestGrantAndRevoke checks that the role comes with a valid structure and
// territory, is audited both ways, and that a revoked médiateur can no
// longer act.
func TestGrantAndRevoke(t *testing.T) {
	f := newFixture(t, testLimits)
	admin := f.user("Administratrice")
	u := f.user("Léa")
	bad := []Profile{
		{StructureKind: "mairie", StructureName: "Mairie", TerritoryKind: "departement", TerritoryCode: "29"},
		{StructureKind: StructureAssociation, StructureName: "  ", TerritoryKind: "departement", TerritoryCode: "29"},
		{StructureKind: StructureAssociation, StructureName: "Emmaüs Connect", TerritoryKind: "departement", TerritoryCode: "999"},
		{StructureKind: StructureAssociation, StructureName: "Emmaüs Connect", TerritoryKind: "pays", TerritoryCode: "FR"},
	}
	for _, p := range bad {
		var inv *Invalid
		if err := f.svc.Grant(f.ctx, &admin, u, p); !errors.As(err, &inv) || inv.Message == "" {
			t.Errorf("grant %+v: %v, want a French message", p, err)
		}
	}
	if n := f.count(`SELECT count(*) FROM user_roles WHERE user_id = ?`, u); n != 0 {
		t.Fatalf("a refused grant left %d roles", n)
	}

	p := Profile{StructureKind: StructureConseiller, StructureName: "Conseillère de Morlaix", TerritoryKind: "region", TerritoryCode: "53"}
	if err := f.svc.Grant(f.ctx, &admin, u, p); err != nil {
		t.Fatal(err)
	}
	m, err := f.svc.Get(f.ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Active() || m.TerritoryName != "Bretagne" || m.Structure() != "Conseiller numérique – Conseillère de Morlaix" {
		t.Errorf("médiateur %+v", m)
	}
	if n := f.count(`SELECT count(*) FROM user_roles WHERE user_id = ? AND role = ?`, u, account.RoleMediator); n != 1 {
		t.Errorf("role rows: %d", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'mediation.granted' AND actor_id = ? AND target = ?`, admin, userTarget(u)); n != 1 {
		t.Errorf("grant audited %d times", n)
	}
	// A médiateur of Bretagne accompanies people of Ille-et-Vilaine, not of Paris.
	f.contribute(u, person("Yann", "35"), "Plus de permanences")
	if _, _, err := f.svc.Contribute(f.ctx, u, f.cons.ID, 0, person("Paul", "75"), f.draft("Hors territoire")); !errors.Is(err, ErrOutsideTerritory) {
		t.Errorf("outside the région: %v", err)
	}

	if err := f.svc.Revoke(f.ctx, &admin, u); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Revoke(f.ctx, &admin, u); !errors.Is(err, ErrNotMediator) {
		t.Errorf("second revoke: %v", err)
	}
	if n := f.count(`SELECT count(*) FROM user_roles WHERE user_id = ?`, u); n != 0 {
		t.Errorf("role kept after revoke")
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'mediation.revoked' AND target = ?`, userTarget(u)); n != 1 {
		t.Errorf("revoke audited %d times", n)
	}
	if _, _, err := f.svc.Contribute(f.ctx, u, f.cons.ID, 0, person("Yann", "35"), f.draft("Après le retrait")); !errors.Is(err, ErrNotMediator) {
		t.Errorf("revoked médiateur contributes: %v", err)
	}
	if _, _, err := f.svc.RecordPerson(f.ctx, u, person("Yann", "35")); !errors.Is(err, ErrNotMediator) {
		t.Errorf("revoked médiateur records a person: %v", err)
	}
	m, _ = f.svc.Get(f.ctx, u)
	if m.Active() {
		t.Error("still active after revoke")
	}
	// Granted again: active again, with the new profile.
	if err := f.svc.Grant(f.ctx, nil, u, Profile{StructureKind: StructureAssociation, StructureName: "Emmaüs Connect", TerritoryKind: "departement", TerritoryCode: "29"}); err != nil {
		t.Fatal(err)
	}
	if m, _ = f.svc.Get(f.ctx, u); !m.Active() || m.TerritoryName != "Finistère (29)" {
		t.Errorf("granted again: %+v", m)
	}
	if _, err := f.svc.Get(f.ctx, admin); !errors.Is(err, ErrNotFound) {
		t.Errorf("an account that never was médiateur: %v", err)
	}
}

// TestDepartementsOfTerritory checks the départements offered to a médiateur.
func TestDepartementsOfTerritory(t *testing.T) {
	f := newFixture(t, testLimits)
	m, err := f.svc.Get(f.ctx, f.mediator)
	if err != nil {
		t.Fatal(err)
	}
	deps, err := f.svc.Departements(f.ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(deps) != 1 || deps[0].Code != "29" {
		t.Errorf("département médiateur: %+v", deps)
	}
	region, err := f.svc.Get(f.ctx, f.newMediator("region", "53"))
	if err != nil {
		t.Fatal(err)
	}
	if deps, _ = f.svc.Departements(f.ctx, region); len(deps) != 4 {
		t.Errorf("Bretagne: %d départements, want 4", len(deps))
	}
}
