package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/cnr-numerique/concertation/search"
)

// searchReadiness describes the state of the Meilisearch engine for /readyz.
func searchReadiness(st search.Status) string {
	var b strings.Builder
	switch {
	case st.Failing:
		fmt.Fprintf(&b, "recherche : Meilisearch en échec depuis %s, les recherches sont servies par PostgreSQL (%d recherches de secours) ; dernière erreur : %s\n",
			st.Since.UTC().Format(time.RFC3339), st.Fallbacks, st.LastError)
	default:
		fmt.Fprintf(&b, "recherche : Meilisearch répond (%d recherches de secours par PostgreSQL depuis le démarrage)\n", st.Fallbacks)
	}
	switch {
	case !st.VersionChecked:
		fmt.Fprintf(&b, "version de Meilisearch : pas encore vérifiée (attendue : %s)\n", search.MeiliServerVersion)
	case st.VersionProblem != "":
		fmt.Fprintf(&b, "version de Meilisearch : %s, différente de la version attendue %s\n", st.ServerVersion, search.MeiliServerVersion)
	default:
		fmt.Fprintf(&b, "version de Meilisearch : %s (attendue)\n", st.ServerVersion)
	}
	return b.String()
}
