package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Contributions and arguments kept anonymised after their author deleted the
// account are signed "Participant·e anonyme" everywhere.
func TestAnonymisedAuthorName(t *testing.T) {
	f := newModFix(t)
	author := f.user("Disparue")
	id := f.contribution(author, "Contribution orpheline")
	f.argument(id, author, "Argument orphelin")
	f.as(author)
	resp, body := f.post("/compte/supprimer", url.Values{"contributions": {"anonymiser"}, "confirmer": {"oui"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete account: %d\n%s", resp.StatusCode, excerpt(body))
	}
	if f.scalar(`SELECT count(*) FROM contributions WHERE id = ? AND author_id IS NULL`, id) != 1 {
		t.Fatal("the contribution was not kept anonymised")
	}
	f.as(f.user("Lectrice"))
	_, body = f.get(fmt.Sprintf("/contributions/%d", id))
	if n := strings.Count(body, "Participant·e anonyme"); n < 2 {
		t.Errorf("contribution page: %d mentions of Participant·e anonyme, want the contribution and its argument\n%s", n, excerpt(body))
	}
	_, body = f.get("/contributions")
	mustContain(t, body, "Participant·e anonyme")
	if strings.Contains(strings.ToLower(body), "compte supprimé") || strings.Contains(body, "Disparue") {
		t.Error("the list does not sign the anonymised contribution Participant·e anonyme")
	}
}

// TestDeleteAccountRecountsAndKeepsHubProposals: deleting an account with
// its contributions recounts the reactions of the Hub proposals it reacted
// to, tells the search index, and keeps its own Hub proposals (they belong
// to the Hub) without its name, with the supports of others.
func TestDeleteAccountRecountsAndKeepsHubProposals(t *testing.T) {
	for _, choice := range []string{"supprimer", "anonymiser"} {
		t.Run(choice, func(t *testing.T) {
			a := newTestApp(t, nil).withAccounts(nil)
			ctx := context.Background()
			conn := a.deps.DB.Conn(ctx)
			u := a.newUser("zoe@exemple.fr", "Zoé Testeuse")
			other := a.newUser("olga@exemple.fr", "Olga")
			target := insertContribution(t, a, other.ID, "hubs", "Proposition d'Olga", nil)
			mine := insertContribution(t, a, u.ID, "hubs", "Proposition de Zoé", nil)
			insertContribution(t, a, u.ID, "libres", "Ma réaction", &target)
			insertContribution(t, a, other.ID, "libres", "Réaction d'Olga", &target)
			for _, sql := range []string{
				`UPDATE contribution_counters SET reactions_soutient = 2 WHERE contribution_id = ?`,
				`INSERT INTO supports (contribution_id, user_id) VALUES ( ?, ` + fmt.Sprint(other.ID) + `)`,
				`UPDATE contribution_counters SET supports = 1 WHERE contribution_id = ?`,
			} {
				id := target
				if !strings.HasPrefix(sql, "UPDATE contribution_counters SET reactions") {
					id = mine
				}
				if err := conn.Exec(sql, id).Error; err != nil {
					t.Fatal(err)
				}
			}
			if err := conn.Exec(`DELETE FROM search_outbox`).Error; err != nil {
				t.Fatal(err)
			}
			a.signIn(u.ID)
			resp, _ := a.post("/compte/supprimer", url.Values{"contributions": {choice}, "confirmer": {"oui"}})
			wantRedirect(t, resp, "/connexion?info=compte-supprime")

			wantReactions := int64(2)
			if choice == "supprimer" {
				wantReactions = 1
			}
			if n := a.count(`SELECT reactions_soutient FROM contribution_counters WHERE contribution_id = ?`, target); n != wantReactions {
				t.Errorf("reactions counter %d, want %d", n, wantReactions)
			}
			if n := a.count(`SELECT count(*) FROM contributions WHERE reacts_to_id = ? AND reaction_type = 'soutient' AND status = 'published'`, target); n != wantReactions {
				t.Errorf("%d reactions left, want %d", n, wantReactions)
			}
			if n := a.count(`SELECT count(*) FROM search_outbox WHERE contribution_id = ?`, target); n == 0 {
				t.Error("the search index is not told about the Hub proposal reacted to")
			}
			if n := a.count(`SELECT count(*) FROM contributions WHERE id = ? AND author_id IS NULL AND status = 'published'`, mine); n != 1 {
				t.Fatal("the Hub proposal of the deleted account is gone or still signed")
			}
			if n := a.count(`SELECT count(*) FROM supports WHERE contribution_id = ?`, mine); n != 1 {
				t.Error("the supports of others on the Hub proposal are gone")
			}
			if n := a.count(`SELECT supports FROM contribution_counters WHERE contribution_id = ?`, mine); n != 1 {
				t.Errorf("support counter of the Hub proposal %d, want 1", n)
			}
		})
	}
}

// insertContribution adds a published contribution of author with its counters;
// entry 'hubs' goes to the first Hub.
func insertContribution(t *testing.T, a *testApp, author int64, entry, title string, reactsTo *int64) int64 {
	t.Helper()
	conn := a.deps.DB.Conn(context.Background())
	var id int64
	var rt any
	if reactsTo != nil {
		rt = "soutient"
	}
	err := conn.Raw(`INSERT INTO contributions (consultation_id, entry, axis_id, hub_id, author_id, author_category, title, body, reacts_to_id, reaction_type)
		SELECT c.id, ?, x.id, CASE WHEN ? = 'hubs' THEN (SELECT id FROM hubs ORDER BY id LIMIT 1) END, ?, CASE WHEN ? = 'hubs' THEN 'hub' ELSE 'citoyen' END, ?, 'Un texte.', ?, ?
		FROM consultations c JOIN axes x ON x.consultation_id = c.id
		ORDER BY x.position LIMIT 1 RETURNING id`, entry, entry, author, entry, title, reactsTo, rt).Scan(&id).Error
	if err != nil || id == 0 {
		t.Fatalf("insert contribution: %v", err)
	}
	if err := conn.Exec(`INSERT INTO contribution_counters (contribution_id) VALUES ( ? )`, id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}
