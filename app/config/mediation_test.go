package config

import (
	"errors"
	"testing"
)

func TestMediationLimits(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil || c.MediationLimits != DefaultMediationLimits {
		t.Fatalf("default: %+v, %v", c.MediationLimits, err)
	}
	c, err = Load(env(map[string]string{"MEDIATION_LIMITS": " personnes=10, soutiens_par_personne=5 "}))
	want := DefaultMediationLimits
	want.People, want.SupportsPerPerson = 10, 5
	if err != nil || c.MediationLimits != want {
		t.Fatalf("override: %+v, %v", c.MediationLimits, err)
	}
	for _, bad := range []string{"personnes", "personnes=0", "soutiens=-3", "contributions=dix", "visites=3", "soutiens=100001", "personnes=4,,"} {
		_, err := Load(env(map[string]string{"MEDIATION_LIMITS": bad}))
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != "MEDIATION_LIMITS" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
