package web

import (
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/synthesis/synthesistest"
)

func TestStatisticsShowParticipationPerInhabitant(t *testing.T) {
	a := newTestApp(t, nil)
	synthesistest.Load(t, a.deps.DB)
	stats := a.statistics("/statistiques?axe=3")
	for _, want := range []string{"<caption>Participation par région, pour 100 000 habitants</caption>",
		`href="/statistiques/territoires?axe=formation-structuration-filiere"`} {
		if !strings.Contains(stats, want) {
			t.Errorf("statistics page lacks %q", want)
		}
	}
	if strings.Contains(stats, "Finistère (29) : ") {
		t.Error("the map weighs on the statistics page: it belongs to the territories page")
	}
	body := a.statistics("/statistiques/territoires")
	for _, want := range []string{
		"pour 100 000 habitants", "<svg", "Finistère (29) : ", "Mayotte", "La Réunion", // map with the overseas insets
		"INSEE, populations légales millésimées 2023", "CC BY 4.0", // source and credit
		"<caption>Participation par département, pour 100 000 habitants</caption>", "933\u00a0455", // the table: Finistère's population
		"aucune contribution", // legend
	} {
		if !strings.Contains(body, want) {
			t.Errorf("territories page lacks %q", want)
		}
	}
}
