package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
)

// personalFixture gives u a contribution, an argument, a support, a role, a
// Hub membership, an OpenID identity and a pending token, and returns the id
// of u's contribution and of another person's contribution u supported.
func (a *testApp) personalFixture(u account.User) (own, other int64) {
	a.t.Helper()
	ctx := context.Background()
	conn := a.deps.DB.Conn(ctx)
	someone := a.newUser("quelquun@exemple.fr", "Quelqu'un")
	exec := func(sql string, args ...any) {
		a.t.Helper()
		if err := conn.Exec(sql, args...).Error; err != nil {
			a.t.Fatalf("%s: %v", sql, err)
		}
	}
	insert := func(author int64, title string) int64 {
		var id int64
		err := conn.Raw(`INSERT INTO contributions (consultation_id, entry, axis_id, author_id, author_category, title, body)
			SELECT c.id, 'libres', x.id, ?, 'citoyen', ?, 'Un texte.' FROM consultations c JOIN axes x ON x.consultation_id = c.id
			ORDER BY x.position LIMIT 1 RETURNING id`, author, title).Scan(&id).Error
		if err != nil || id == 0 {
			a.t.Fatalf("insert contribution: %v", err)
		}
		exec(`INSERT INTO contribution_counters (contribution_id) VALUES ( ? )`, id)
		return id
	}
	own, other = insert(u.ID, "Ma proposition"), insert(someone.ID, "Sa proposition")
	exec(`INSERT INTO supports (contribution_id, user_id) VALUES ( ?, ? )`, other, u.ID)
	exec(`UPDATE contribution_counters SET supports = 1, arguments_pour = 1 WHERE contribution_id = ?`, other)
	exec(`INSERT INTO arguments (contribution_id, author_id, author_category, stance, body) VALUES ( ?, ?, 'citoyen', 'pour', 'Mon argument.')`, other, u.ID)
	exec(`INSERT INTO user_roles (user_id, role) VALUES ( ?, 'rapporteur')`, u.ID)
	exec(`INSERT INTO hub_members (hub_id, user_id) SELECT id, ? FROM hubs LIMIT 1`, u.ID)
	exec(`INSERT INTO user_identities (provider, subject, user_id) VALUES ('franceconnect', 'sujet-zoe', ?)`, u.ID)
	if _, err := a.deps.Accounts.IssueToken(ctx, u.ID, account.PurposeReset, time.Now()); err != nil {
		a.t.Fatal(err)
	}
	return own, other
}

// rowsMentioning counts, in every table, the rows whose text mentions s.
func (a *testApp) rowsMentioning(s string) map[string]int64 {
	a.t.Helper()
	var tables []string
	if err := a.deps.DB.Conn(context.Background()).Raw(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables).Error; err != nil {
		a.t.Fatal(err)
	}
	found := map[string]int64{}
	for _, t := range tables {
		if n := a.count(`SELECT count(*) FROM "`+t+`" t WHERE t::text ILIKE ?`, "%"+s+"%"); n > 0 {
			found[t] = n
		}
	}
	return found
}

func TestDownloadMyData(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	u := a.newUser("zoe@exemple.fr", "Zoé Testeuse")
	a.personalFixture(u)
	resp, _ := a.get("/compte/donnees")
	wantRedirect(t, resp, "/connexion?retour=%2Fcompte%2Fdonnees")
	a.signIn(u.ID)
	resp, body := a.get("/compte/donnees")
	wantStatus(t, resp, body, 200)
	resp, body = a.post("/compte/donnees/export", nil)
	wantStatus(t, resp, body, 200)
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	if !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Error("the export is not a download")
	}
	var e account.Export
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if e.Account.Email != "zoe@exemple.fr" || e.Account.DisplayName != "Zoé Testeuse" || *e.Account.Departement != "29" ||
		len(e.Contributions) != 1 || len(e.Arguments) != 1 || len(e.Supports) != 1 || len(e.Identities) != 1 ||
		len(e.Roles) != 1 || len(e.Hubs) != 1 || len(e.Sessions) != 1 {
		t.Errorf("incomplete export: %s", body)
	}
	if strings.Contains(body, "password") || strings.Contains(body, "argon2") {
		t.Error("the export shows the password hash")
	}
	// No GET link to the export: nothing to share or cache.
	resp, _ = a.get("/compte/donnees/export")
	if resp.StatusCode == 200 {
		t.Error("the export answers a GET")
	}
}

func TestDeleteAccountLeavesNoPersonalData(t *testing.T) {
	for _, keep := range []bool{true, false} {
		name := map[bool]string{true: "keep contributions anonymised", false: "delete contributions"}[keep]
		t.Run(name, func(t *testing.T) {
			a := newTestApp(t, nil).withAccounts(nil)
			u := a.newUser("zoe@exemple.fr", "Zoé Testeuse")
			own, other := a.personalFixture(u)
			m := mailVerify("http://x", "t", "/")
			m.To = "zoe@exemple.fr"
			_ = a.deps.Mailer.Send(context.Background(), m)
			if a.mailsTo("zoe@exemple.fr") != 1 {
				t.Fatal("mail not kept")
			}
			a.signIn(u.ID)
			token := a.sessionToken()

			resp, body := a.post("/compte/supprimer", url.Values{"contributions": {"anonymiser"}})
			wantStatus(t, resp, body, http.StatusUnprocessableEntity) // not confirmed
			choice := map[bool]string{true: "anonymiser", false: "supprimer"}[keep]
			resp, _ = a.post("/compte/supprimer", url.Values{"contributions": {choice}, "confirmer": {"oui"}})
			wantRedirect(t, resp, "/connexion?info=compte-supprime")

			for what, sql := range map[string]string{
				"account":    `SELECT count(*) FROM users WHERE id = ?`,
				"sessions":   `SELECT count(*) FROM sessions WHERE user_id = ?`,
				"identities": `SELECT count(*) FROM user_identities WHERE user_id = ?`,
				"tokens":     `SELECT count(*) FROM account_tokens WHERE user_id = ?`,
				"roles":      `SELECT count(*) FROM user_roles WHERE user_id = ?`,
				"hubs":       `SELECT count(*) FROM hub_members WHERE user_id = ?`,
				"supports":   `SELECT count(*) FROM supports WHERE user_id = ?`,
				"authorship": `SELECT count(*) FROM contributions WHERE author_id = ?`,
				"arguments":  `SELECT count(*) FROM arguments WHERE author_id = ?`,
			} {
				if n := a.count(sql, u.ID); n != 0 {
					t.Errorf("%s: %d rows left", what, n)
				}
			}
			if _, err := a.deps.Sessions.Get(context.Background(), token); err == nil {
				t.Error("the session still works")
			}
			for _, s := range []string{"zoe@exemple.fr", "Zoé Testeuse", "sujet-zoe"} {
				if found := a.rowsMentioning(s); len(found) > 0 {
					t.Errorf("%q is still in the database: %v", s, found)
				}
			}
			if a.mailsTo("zoe@exemple.fr") != 0 {
				t.Error("the local mailbox keeps mails to the deleted address")
			}
			if n := a.count(`SELECT count(*) FROM contributions WHERE id = ?`, own); (n == 1) != keep {
				t.Errorf("own contribution kept=%v, want %v", n == 1, keep)
			}
			if n := a.count(`SELECT count(*) FROM arguments WHERE contribution_id = ?`, other); (n == 1) != keep {
				t.Errorf("argument kept=%v, want %v", n == 1, keep)
			}
			if n := a.count(`SELECT supports FROM contribution_counters WHERE contribution_id = ?`, other); n != 0 {
				t.Errorf("support counter %d after the supporter left", n)
			}
			if n := a.count(`SELECT count(*) FROM search_outbox WHERE contribution_id = ?`, other); n == 0 {
				t.Error("the search index is not told")
			}
		})
	}
}

func TestPrivacyPage(t *testing.T) {
	a := newTestApp(t, nil)
	resp, body := a.get("/donnees-personnelles")
	wantStatus(t, resp, body, 200)
	for _, w := range []string{"Données personnelles", "FranceConnect", "Mes données", "Participant·e anonyme", `href="/donnees-personnelles"`} {
		if !strings.Contains(body, w) {
			t.Errorf("privacy page lacks %q", w)
		}
	}
}
