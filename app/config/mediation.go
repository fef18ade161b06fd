package config

import (
	"strconv"
	"strings"
)

// MediationLimits bound what one médiateur numérique does in one day (Paris
// time): people accompanied, contributions written for them, supports
// recorded for them, supports recorded for one person.
type MediationLimits struct {
	People            int
	Contributions     int
	Supports          int
	SupportsPerPerson int
}

// DefaultMediationLimits suit a busy desk (a France services sees a few
// dozen people a day).
var DefaultMediationLimits = MediationLimits{People: 40, Contributions: 40, Supports: 300, SupportsPerPerson: 30}

// loadMediationLimits reads MEDIATION_LIMITS, e.g.
// "personnes=40,contributions=40,soutiens=300,soutiens_par_personne=30";
// names left out keep their default.
func (c *Config) loadMediationLimits(get func(k, def string) string) error {
	c.MediationLimits = DefaultMediationLimits
	raw := get("MEDIATION_LIMITS", "")
	if raw == "" {
		return nil
	}
	bad := &Error{"MEDIATION_LIMITS", "attendu nom=nombre séparés par des virgules (noms : personnes, contributions, soutiens, " +
		"soutiens_par_personne ; nombres de 1 à 100000), par exemple personnes=40,soutiens=300"}
	for _, item := range strings.Split(raw, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(item), "=")
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if !ok || err != nil || n < 1 || n > 100000 {
			return bad
		}
		switch strings.TrimSpace(name) {
		case "personnes":
			c.MediationLimits.People = n
		case "contributions":
			c.MediationLimits.Contributions = n
		case "soutiens":
			c.MediationLimits.Supports = n
		case "soutiens_par_personne":
			c.MediationLimits.SupportsPerPerson = n
		default:
			return bad
		}
	}
	return nil
}
