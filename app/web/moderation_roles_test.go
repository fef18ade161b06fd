package web

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestModerationRoutesByRole calls every route of the moderation area as
// every role and checks the status, the no-store header, and that a refused
// action changed nothing.
func TestModerationRoutesByRole(t *testing.T) {
	f := newModFix(t)
	author := f.user("Auteur")
	citizen := f.user("Citoyenne")
	moderator := f.user("Modérateur", "moderator")
	admin := f.user("Administratrice", "admin")
	roles := []struct {
		name string
		id   int64
	}{{"anonymous", 0}, {"citizen", citizen}, {"moderator", moderator}, {"admin", admin}}

	newContribution := func() int64 { return f.contribution(author, "Cible") }
	newArgument := func() int64 { return f.argument(newContribution(), author, "Argument cible") }
	hidden := func(kind string) func() int64 {
		return func() int64 {
			var id int64
			if kind == "arguments" {
				id = newArgument()
				f.exec(`UPDATE arguments SET status = 'hidden', hidden_reason = 'spam' WHERE id = ?`, id)
			} else {
				id = newContribution()
				f.exec(`UPDATE contributions SET status = 'hidden', hidden_reason = 'spam' WHERE id = ?`, id)
			}
			return id
		}
	}
	newAccount := func() int64 { return f.user("Cible") }
	blockedAccount := func() int64 {
		id := f.user("Bloqué")
		f.exec(`UPDATE users SET blocked_until = now() + interval '1 day' WHERE id = ?`, id)
		return id
	}
	// status by role: anonymous, citizen, moderator, admin
	tests := []struct {
		method, path string // path with %d for the target
		target       func() int64
		form         url.Values
		want         [4]int
		changed      func(id int64) bool // did the action take effect?
	}{
		{"GET", "/contributions/%d/signaler", newContribution, nil, [4]int{303, 200, 200, 200}, nil},
		{"POST", "/contributions/%d/signaler", newContribution, url.Values{"raison": {"spam"}}, [4]int{303, 200, 200, 200},
			func(id int64) bool {
				return f.scalar(`SELECT count(*) FROM reports WHERE contribution_id = ?`, id) == 1
			}},
		{"GET", "/arguments/%d/signaler", newArgument, nil, [4]int{303, 200, 200, 200}, nil},
		{"POST", "/arguments/%d/signaler", newArgument, url.Values{"raison": {"hors-sujet"}}, [4]int{303, 200, 200, 200},
			func(id int64) bool { return f.scalar(`SELECT count(*) FROM reports WHERE argument_id = ?`, id) == 1 }},
		{"GET", "/moderation", nil, nil, [4]int{303, 403, 200, 200}, nil},
		{"POST", "/moderation/contributions/%d/masquer", newContribution, url.Values{"motif": {"spam"}}, [4]int{303, 403, 303, 303},
			func(id int64) bool { return f.text(`SELECT status FROM contributions WHERE id = ?`, id) == "hidden" }},
		{"POST", "/moderation/contributions/%d/retablir", hidden("contributions"), nil, [4]int{303, 403, 303, 303},
			func(id int64) bool { return f.text(`SELECT status FROM contributions WHERE id = ?`, id) == "published" }},
		{"POST", "/moderation/contributions/%d/classer", newContribution, nil, [4]int{303, 403, 303, 303},
			func(id int64) bool {
				return f.scalar(`SELECT count(*) FROM audit_log WHERE target = ?`, fmt.Sprintf("contribution:%d", id)) == 1
			}},
		{"POST", "/moderation/arguments/%d/masquer", newArgument, url.Values{"motif": {"spam"}}, [4]int{303, 403, 303, 303},
			func(id int64) bool { return f.text(`SELECT status FROM arguments WHERE id = ?`, id) == "hidden" }},
		{"POST", "/moderation/arguments/%d/retablir", hidden("arguments"), nil, [4]int{303, 403, 303, 303},
			func(id int64) bool { return f.text(`SELECT status FROM arguments WHERE id = ?`, id) == "published" }},
		{"POST", "/moderation/arguments/%d/classer", newArgument, nil, [4]int{303, 403, 303, 303},
			func(id int64) bool {
				return f.scalar(`SELECT count(*) FROM audit_log WHERE target = ?`, fmt.Sprintf("argument:%d", id)) == 1
			}},
		{"POST", "/moderation/comptes/%d/suspendre", newAccount, url.Values{"duree": {"7"}, "motif": {"spam"}}, [4]int{303, 403, 303, 303},
			func(id int64) bool {
				return f.text(`SELECT blocked_until::text FROM users WHERE id = ?`, id) != "<nil>"
			}},
		{"POST", "/moderation/comptes/%d/lever-suspension", blockedAccount, nil, [4]int{303, 403, 303, 303},
			func(id int64) bool {
				return f.text(`SELECT blocked_until::text FROM users WHERE id = ?`, id) == "<nil>"
			}},
		{"GET", "/moderation/journal", nil, nil, [4]int{200, 200, 200, 200}, nil},
		{"GET", "/moderation/journal.csv", nil, nil, [4]int{200, 200, 200, 200}, nil},
		{"GET", "/compte/notifications", nil, nil, [4]int{303, 200, 200, 200}, nil},
		{"GET", "/admin/journal", nil, nil, [4]int{303, 403, 403, 200}, nil},
	}
	for _, tt := range tests {
		for i, role := range roles {
			t.Run(tt.method+" "+tt.path+" as "+role.name, func(t *testing.T) {
				var id int64
				path := tt.path
				if tt.target != nil {
					id = tt.target()
					path = fmt.Sprintf(tt.path, id)
				}
				f.as(role.id)
				var status int
				var body, cache, location string
				if tt.method == "GET" {
					resp, b := f.get(path)
					status, body, cache, location = resp.StatusCode, b, resp.Header.Get("Cache-Control"), resp.Header.Get("Location")
				} else {
					form := url.Values{}
					for k, v := range tt.form {
						form[k] = v
					}
					resp, b := f.post(path, form)
					status, body, cache, location = resp.StatusCode, b, resp.Header.Get("Cache-Control"), resp.Header.Get("Location")
				}
				if status != tt.want[i] {
					t.Fatalf("status %d, want %d\n%s", status, tt.want[i], excerpt(body))
				}
				if cache != "no-store" {
					t.Errorf("Cache-Control %q", cache)
				}
				switch {
				case status == 403 && !strings.Contains(body, "réservée"):
					t.Errorf("403 without a French explanation")
				case status == 401 && !strings.Contains(body, "Connectez-vous"):
					t.Errorf("401 without a French explanation")
				case status == 303 && role.id == 0 && !strings.HasPrefix(location, "/connexion?retour="):
					t.Errorf("anonymous sent to %q", location)
				}
				allowed := status < 400 && (role.id != 0 || status != 303)
				if tt.changed != nil && tt.changed(id) != allowed {
					t.Errorf("status %d but the action took effect: %v", status, !allowed)
				}
			})
		}
	}
}

// The header shows the "Modération" link to moderators and administrators only.
func TestModerationHeaderLink(t *testing.T) {
	f := newModFix(t)
	link := `href="/moderation">Modération</a>`
	for _, tt := range []struct {
		name  string
		id    int64
		shown bool
	}{
		{"anonymous", 0, false},
		{"citizen", f.user("Citoyen"), false},
		{"moderator", f.user("Modérateur", "moderator"), true},
		{"admin", f.user("Admin", "admin"), true},
	} {
		f.as(tt.id)
		_, body := f.get("/")
		if strings.Contains(body, link) != tt.shown {
			t.Errorf("%s: link shown = %v, want %v", tt.name, !tt.shown, tt.shown)
		}
	}
}
