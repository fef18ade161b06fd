// Package synthesistest inserts a small, known set of contributions for the
// tests of the synthesis package and of its pages. It writes the rows
// directly, as the contributions package would, counters included.
package synthesistest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
)

// Fixture names the rows inserted by Load.
type Fixture struct {
	Alice, Bernard, Chloe int64 // users: citoyen, élu, association
	// Contributions:
	Formation int64 // axis 3, libres, by Bernard (élu), Finistère, 2 supports, tagged "formation", retained
	HubProp   int64 // axis 3, Hub proposal of Hub Bretagne by Alice, formula-like title, 1 support
	Reaction  int64 // axis 3, libres by Chloé (association), reacts "nuance" to HubProp
	Hidden    int64 // axis 1, libres by Bernard (élu), hidden by moderation
	Withdrawn int64 // axis 2, libres by Alice, withdrawn
	Duplicate int64 // axis 3, libres by Chloé, near copy of Formation
	Day       time.Time
}

// Secrets are strings of the fixture that no export may contain.
var Secrets = []string{"alice@exemple.fr", "Alice Secrète", "bernard@exemple.fr", "Bernard Confidentiel", "chloe@exemple.fr", "Chloé Privée"}

// FormationBody is the text of the Formation contribution.
const FormationBody = "Créer des formations qualifiantes pour les médiateurs numériques, reconnues par l'État, afin de rendre le métier attractif et durable dans les territoires ruraux.\n\nLes médiateurs numériques ont besoin de formations continues."

// Load inserts the fixture; the reference data must be loaded.
func Load(t testing.TB, d *db.DB) Fixture {
	t.Helper()
	ctx := context.Background()
	s := d.SQL()
	var f Fixture
	f.Day = time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)
	f.Alice = user(t, s, "alice@exemple.fr", "Alice Secrète", "citoyen")
	f.Bernard = user(t, s, "bernard@exemple.fr", "Bernard Confidentiel", "elu")
	f.Chloe = user(t, s, "chloe@exemple.fr", "Chloé Privée", "association")
	var cons int64
	must(t, s.QueryRowContext(ctx, `SELECT id FROM consultations ORDER BY id LIMIT 1`).Scan(&cons))
	f.Formation = contribution(t, s, cons, "libres", 3, "", f.Bernard, "elu", "29", nil, "",
		"Former les médiateurs numériques", FormationBody, "published", f.Day)
	f.HubProp = contribution(t, s, cons, "hubs", 3, "hub-bretagne", f.Alice, "hub", "35", nil, "",
		"=HYPERLINK(\"http://x\") ; une proposition, \"citée\"", "Première ligne ; avec point-virgule, virgule et \"guillemets\".\nDeuxième ligne : Hub Bretagne propose des coordinations départementales.", "published", f.Day.Add(24*time.Hour))
	f.Reaction = contribution(t, s, cons, "libres", 3, "", f.Chloe, "association", "29", &f.HubProp, "nuance",
		"Nuancer la coordination", "La coordination départementale doit associer les associations locales.", "published", f.Day.Add(48*time.Hour))
	f.Hidden = contribution(t, s, cons, "libres", 1, "", f.Bernard, "elu", "75", nil, "",
		"Contribution masquée", "Texte masqué par la modération.", "hidden", f.Day.Add(49*time.Hour))
	f.Withdrawn = contribution(t, s, cons, "libres", 2, "", f.Alice, "citoyen", "29", nil, "",
		"Contribution retirée", "Texte retiré par son auteur.", "withdrawn", f.Day.Add(50*time.Hour))
	f.Duplicate = contribution(t, s, cons, "libres", 3, "", f.Chloe, "association", "13", nil, "",
		"Former les médiateurs numériques partout", FormationBody+" Merci.", "published", f.Day.Add(72*time.Hour))
	support(t, s, f.Formation, f.Alice, f.Day.Add(time.Hour))
	support(t, s, f.Formation, f.Chloe, f.Day.Add(2*time.Hour))
	support(t, s, f.HubProp, f.Bernard, f.Day.Add(25*time.Hour))
	exec(t, s, `UPDATE contribution_counters SET reactions_nuance = 1 WHERE contribution_id = $1`, f.HubProp)
	arg := argument(t, s, f.Formation, nil, f.Alice, "citoyen", "pour", "Oui, indispensable.", "published")
	argument(t, s, f.Formation, &arg, f.Chloe, "association", "contre", "Pas sans financement.", "published")
	exec(t, s, `UPDATE contribution_counters SET arguments_pour = 1, arguments_contre = 1 WHERE contribution_id = $1`, f.Formation)
	exec(t, s, `INSERT INTO synthesis_tags (contribution_id, tag) VALUES ($1, 'formation')`, f.Formation)
	exec(t, s, `INSERT INTO synthesis_retained (contribution_id) VALUES ($1)`, f.Formation)
	return f
}

func user(t testing.TB, s *sql.DB, email, name, category string) int64 {
	t.Helper()
	var id int64
	must(t, s.QueryRow(`INSERT INTO users (email, display_name, category) VALUES ($1, $2, $3) RETURNING id`, email, name, category).Scan(&id))
	return id
}

func contribution(t testing.TB, s *sql.DB, cons int64, entry string, axis int, hubSlug string, author int64, category, dep string,
	reactsTo *int64, reaction, title, body, status string, at time.Time) int64 {
	t.Helper()
	var id int64
	var hubID *int64
	if hubSlug != "" {
		var h int64
		must(t, s.QueryRow(`SELECT id FROM hubs WHERE slug = $1`, hubSlug).Scan(&h))
		hubID = &h
	}
	var reactionType *string
	if reaction != "" {
		reactionType = &reaction
	}
	must(t, s.QueryRow(`INSERT INTO contributions (consultation_id, entry, axis_id, hub_id, author_id, author_category,
		territory_id, region_id, departement_id, reacts_to_id, reaction_type, title, body, status, created_at, updated_at)
		SELECT $1, $2, a.id, $4, $5, $6, d.id, d.region_id, d.id, $8, $9, $10, $11, $12, $13, $13
		FROM axes a, territories d WHERE a.consultation_id = $1 AND a.position = $3 AND d.kind = 'departement' AND d.code = $7
		RETURNING id`, cons, entry, axis, hubID, author, category, dep, reactsTo, reactionType, title, body, status, at).Scan(&id))
	exec(t, s, `INSERT INTO contribution_counters (contribution_id) VALUES ($1)`, id)
	return id
}

func support(t testing.TB, s *sql.DB, contribution, user int64, at time.Time) {
	t.Helper()
	exec(t, s, `INSERT INTO supports (contribution_id, user_id, created_at) VALUES ($1, $2, $3)`, contribution, user, at)
	exec(t, s, `UPDATE contribution_counters SET supports = supports + 1 WHERE contribution_id = $1`, contribution)
}

func argument(t testing.TB, s *sql.DB, contribution int64, parent *int64, author int64, category, stance, body, status string) int64 {
	t.Helper()
	var id int64
	must(t, s.QueryRow(`INSERT INTO arguments (contribution_id, parent_id, author_id, author_category, stance, body, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, contribution, parent, author, category, stance, body, status).Scan(&id))
	return id
}

func exec(t testing.TB, s *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := s.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
