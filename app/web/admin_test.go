package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/account"
)

func TestAdminPagesAreForAdministrators(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	pages := []string{"/admin/utilisateurs", "/admin/hubs", "/admin/hubs/hinaura", "/admin/consultation"}
	for _, p := range pages {
		resp, _ := a.get(p)
		wantRedirect(t, resp, "/connexion?retour=")
	}
	citizen := a.newUser("citoyen@exemple.fr", "Citoyen")
	a.signIn(citizen.ID)
	for _, p := range pages {
		resp, body := a.get(p)
		wantStatus(t, resp, body, http.StatusForbidden)
		if !strings.Contains(body, "réservée aux administrateurs") {
			t.Errorf("%s: no French 403 page", p)
		}
	}
	resp, _ := a.post("/admin/utilisateurs/"+fmtInt(citizen.ID)+"/roles", url.Values{"role": {"admin"}, "action": {"grant"}})
	wantStatus(t, resp, "", http.StatusForbidden)
	if n := a.count(`SELECT count(*) FROM user_roles`); n != 0 {
		t.Fatal("a citizen granted a role")
	}
}

func fmtInt(n int64) string { return strconv.FormatInt(n, 10) }

func TestAdminManagesRolesHubsAndConsultation(t *testing.T) {
	a := newTestApp(t, nil).withAccounts(nil)
	ctx := context.Background()
	admin := a.newUser("admin@exemple.fr", "Admin")
	if err := a.deps.Accounts.GrantRole(ctx, admin.ID, account.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	bob := a.newUser("bob@exemple.fr", "Bob Rapporteur")
	a.signIn(admin.ID)

	resp, body := a.get("/admin/utilisateurs?q=BOB")
	wantStatus(t, resp, body, 200)
	if !strings.Contains(body, "bob@exemple.fr") || strings.Contains(body, "<h2 class=\"fr-card__title\">Admin</h2>") {
		t.Error("search by address does not find exactly Bob")
	}
	roles := "/admin/utilisateurs/" + fmtInt(bob.ID) + "/roles"
	resp, _ = a.post(roles, url.Values{"role": {"rapporteur"}, "action": {"grant"}})
	wantRedirect(t, resp, "/admin/utilisateurs?info=role")
	resp, _ = a.post(roles, url.Values{"role": {"hub-member"}, "hub": {"rhinocc"}, "action": {"grant"}})
	wantRedirect(t, resp, "/admin/utilisateurs?info=hub")
	if a.count(`SELECT count(*) FROM user_roles WHERE user_id = ? AND role = 'rapporteur'`, bob.ID) != 1 ||
		a.count(`SELECT count(*) FROM hub_members m JOIN hubs h ON h.id = m.hub_id WHERE m.user_id = ? AND h.slug = 'rhinocc'`, bob.ID) != 1 {
		t.Fatal("role or membership not granted")
	}
	_, body = a.get("/admin/utilisateurs")
	if !strings.Contains(body, "Rapporteur·e") || !strings.Contains(body, "Membre : RhinOcc") {
		t.Error("the list does not show Bob's role and Hub")
	}
	resp, _ = a.post(roles, url.Values{"role": {"rapporteur"}, "action": {"revoke"}})
	wantRedirect(t, resp, "/admin/utilisateurs")
	resp, body = a.post(roles, url.Values{"role": {"roi"}, "action": {"grant"}})
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	resp, body = a.post("/admin/utilisateurs/"+fmtInt(admin.ID)+"/roles", url.Values{"role": {"admin"}, "action": {"revoke"}})
	wantStatus(t, resp, body, http.StatusUnprocessableEntity)
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action IN ('role.granted', 'role.revoked', 'hub.member_added') AND target = ? AND actor_id = ?`,
		"user:"+fmtInt(bob.ID), admin.ID); n != 3 {
		t.Errorf("%d audit entries for Bob, want 3", n)
	}

	// A Hub without territory gets one.
	resp, body = a.get("/admin/hubs")
	wantStatus(t, resp, body, 200)
	if !strings.Contains(body, "Non renseigné") {
		t.Error("the Hub list does not show Hubs without territory")
	}
	var ids []int64
	_ = a.deps.DB.Conn(ctx).Raw(`SELECT id FROM territories WHERE kind = 'departement' AND code IN ('01', '69') ORDER BY code`).Scan(&ids).Error
	resp, body = a.get("/admin/hubs/hinaura")
	wantStatus(t, resp, body, 200)
	resp, _ = a.post("/admin/hubs/hinaura/territoires", url.Values{"territoire": {fmtInt(ids[0]), fmtInt(ids[1])}})
	wantRedirect(t, resp, "/admin/hubs?info=territoires")
	_, body = a.get("/hubs/hinaura")
	if !strings.Contains(body, "Ain (01)") || !strings.Contains(body, "Rhône (69)") {
		t.Error("the Hub page does not show its new territories")
	}
	resp, _ = a.post("/admin/hubs/hinaura/territoires", url.Values{"territoire": {"999999"}})
	wantStatus(t, resp, "", http.StatusBadRequest)

	// Close early, then reopen.
	resp, _ = a.post("/admin/consultation/statut", url.Values{"status": {"closed"}})
	wantRedirect(t, resp, "/admin/consultation")
	_, body = a.get("/")
	if !strings.Contains(body, "Consultation close") {
		t.Error("no closed banner after closing early")
	}
	resp, _ = a.post("/admin/consultation/statut", url.Values{"status": {"open"}})
	wantRedirect(t, resp, "/admin/consultation")
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action IN ('consultation.closed', 'consultation.reopened')`); n != 2 {
		t.Errorf("%d consultation audit entries, want 2", n)
	}
	if n := a.count(`SELECT count(*) FROM consultations WHERE status = 'open'`); n != 1 {
		t.Error("the consultation is not open again")
	}
}
