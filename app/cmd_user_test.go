package main

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/migrations"
	"github.com/cnr-numerique/concertation/seeds"
)

func TestParseUserArgs(t *testing.T) {
	tests := []struct {
		args string
		want userArgs
		err  string
	}{
		{"grant Zoe@Exemple.FR admin", userArgs{grant: true, email: "Zoe@exemple.fr", role: "admin"}, ""},
		{"revoke zoe@exemple.fr moderator", userArgs{email: "zoe@exemple.fr", role: "moderator"}, ""},
		{"grant zoe@exemple.fr hub-member --hub rhinocc", userArgs{grant: true, email: "zoe@exemple.fr", role: "hub-member", hub: "rhinocc"}, ""},
		{"grant --hub=rhinocc zoe@exemple.fr hub-member", userArgs{grant: true, email: "zoe@exemple.fr", role: "hub-member", hub: "rhinocc"}, ""},
		{"grant zoe@exemple.fr rapporteur", userArgs{grant: true, email: "zoe@exemple.fr", role: "rapporteur"}, ""},
		{"", userArgs{}, "trois arguments"},
		{"grant zoe@exemple.fr", userArgs{}, "trois arguments"},
		{"give zoe@exemple.fr admin", userArgs{}, "action"},
		{"grant zoe@exemple.fr roi", userArgs{}, "inconnu"},
		{"grant zoe@exemple.fr hub-member", userArgs{}, "--hub"},
		{"grant zoe@exemple.fr admin --hub rhinocc", userArgs{}, "--hub"},
		{"grant zoe@exemple.fr hub-member --hub", userArgs{}, "--hub"},
		{"grant zoe@exemple.fr admin --force", userArgs{}, "option inconnue"},
		{"grant zoe@exemple.fr mediateur --structure-type association --structure=Emmaüs --territoire region:53",
			userArgs{grant: true, email: "zoe@exemple.fr", role: "mediateur", structureKind: "association", structureName: "Emmaüs", territory: "region:53"}, ""},
		{"revoke zoe@exemple.fr mediateur", userArgs{email: "zoe@exemple.fr", role: "mediateur"}, ""},
		{"grant zoe@exemple.fr mediateur --structure-type association", userArgs{}, "--territoire"},
		{"grant zoe@exemple.fr admin --territoire 29", userArgs{}, "ne vont qu'avec"},
		{"revoke zoe@exemple.fr mediateur --territoire 29", userArgs{}, "ne vont qu'avec"},
		{"grant zoe@exemple.fr mediateur --structure", userArgs{}, "valeur attendue"},
	}
	for _, tt := range tests {
		got, err := parseUserArgs(strings.Fields(tt.args))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q = %+v, %v; want %+v", tt.args, got, err, tt.want)
		}
	}
}

// TestUserCommand runs "concertation user" as a process against a real
// PostgreSQL and checks the roles and the audit log.
func TestUserCommand(t *testing.T) {
	dir, err := os.MkdirTemp("", "concertation-cli-") // t.TempDir's parent is closed to the postgres user
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	emb := &db.Embedded{Dir: dir, Database: "cli", Fast: true}
	if err := emb.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emb.Stop() })
	url := emb.URL("cli")
	d, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx, migrations.FS, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if err := seed.Reference(ctx, d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	u := account.User{Email: "zoe@exemple.fr", DisplayName: "Zoé", EmailVerifiedAt: &now}
	if err := account.NewStore(d).Create(ctx, &u); err != nil {
		t.Fatal(err)
	}
	count := func(sql string, args ...any) int64 {
		var n int64
		if err := d.Conn(ctx).Raw(sql, args...).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	env := "DATABASE_URL=" + url
	steps := []struct {
		args    string
		code    int
		out     string
		roles   int64
		members int64
	}{
		{"user grant ZOE@exemple.fr admin", 0, "rôle admin accordé à zoe@exemple.fr", 1, 0},
		{"user grant zoe@exemple.fr hub-member --hub rhinocc", 0, "accordé", 1, 1},
		{"user revoke zoe@exemple.fr admin", 0, "retiré", 0, 1},
		{"user revoke zoe@exemple.fr hub-member --hub=rhinocc", 0, "retiré", 0, 0},
		{"user grant personne@exemple.fr admin", 1, "", 0, 0},
		{"user grant zoe@exemple.fr hub-member --hub nulle-part", 1, "", 0, 0},
		{"user grant zoe@exemple.fr roi", 2, "", 0, 0},
		{"user grant zoe@exemple.fr mediateur --structure-type france-services --structure Quimper --territoire 29", 0, "rôle mediateur (Quimper, 29) accordé", 1, 0},
		{"user grant zoe@exemple.fr mediateur --structure-type mairie --structure Quimper --territoire 29", 2, "", 1, 0},
		{"user grant zoe@exemple.fr mediateur --structure-type association --structure Emmaüs --territoire region:53", 0, "accordé", 1, 0},
		{"user revoke zoe@exemple.fr mediateur", 0, "retiré", 0, 0},
		{"user revoke zoe@exemple.fr mediateur", 1, "", 0, 0},
	}
	for _, st := range steps {
		code, out, errOut := runMain(t, st.args, env)
		if code != st.code || !strings.Contains(out, st.out) {
			t.Fatalf("%s: exit %d out %q err %q", st.args, code, out, errOut)
		}
		if r, m := count(`SELECT count(*) FROM user_roles WHERE user_id = ?`, u.ID), count(`SELECT count(*) FROM hub_members WHERE user_id = ?`, u.ID); r != st.roles || m != st.members {
			t.Errorf("%s: %d roles, %d memberships; want %d, %d", st.args, r, m, st.roles, st.members)
		}
	}
	if n := count(`SELECT count(*) FROM mediators m JOIN territories t ON t.id = m.territory_id
		WHERE m.user_id = ? AND m.revoked_at IS NOT NULL AND m.structure_kind = 'association' AND t.kind = 'region' AND t.code = '53'`, u.ID); n != 1 {
		t.Error("the médiateur's structure and territory were not kept")
	}
	if n := count(`SELECT count(*) FROM audit_log WHERE target = ? AND actor_id IS NULL AND details->>'by' = 'cli'`, "user:"+strconv.FormatInt(u.ID, 10)); n != 7 {
		t.Errorf("%d audit entries, want 7", n)
	}
}
