package moderation

import (
	"context"
	"fmt"
	"testing"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture is a database with one consultation, one axis and helpers to add
// accounts, contributions and arguments with plain SQL.
type fixture struct {
	t     *testing.T
	d     *db.DB
	axis  int64
	cons  int64
	users int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, d: dbtest.New(t)}
	f.exec(`INSERT INTO consultations (slug, title, opens_at, closes_at) VALUES ('c', 'C', now() - interval '1 day', now() + interval '30 days')`)
	f.cons = f.id(`SELECT id FROM consultations WHERE slug = 'c'`)
	f.exec(`INSERT INTO axes (consultation_id, position, slug, title) VALUES (?, 1, 'a', 'A')`, f.cons)
	f.axis = f.id(`SELECT id FROM axes WHERE slug = 'a'`)
	return f
}

func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	if err := f.d.Conn(context.Background()).Exec(q, args...).Error; err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

func (f *fixture) id(q string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.d.Conn(context.Background()).Raw(q, args...).Scan(&id).Error; err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return id
}

func (f *fixture) str(q string, args ...any) string {
	f.t.Helper()
	var s *string
	if err := f.d.Conn(context.Background()).Raw(q, args...).Scan(&s).Error; err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	if s == nil {
		return "<nil>"
	}
	return *s
}

// user creates an account, with roles.
func (f *fixture) user(roles ...string) int64 {
	f.t.Helper()
	f.users++
	id := f.id(`INSERT INTO users (email, display_name, category) VALUES (?, ?, 'citoyen') RETURNING id`,
		fmt.Sprintf("u%d@example.org", f.users), fmt.Sprintf("Personne %d", f.users))
	for _, r := range roles {
		f.exec(`INSERT INTO user_roles (user_id, role) VALUES (?, ?)`, id, r)
	}
	return id
}

func (f *fixture) contribution(author int64, title string) int64 {
	f.t.Helper()
	id := f.id(`INSERT INTO contributions (consultation_id, entry, axis_id, author_id, author_category, title, body)
		VALUES (?, 'libres', ?, ?, 'citoyen', ?, 'Un texte de contribution assez long pour un extrait.') RETURNING id`, f.cons, f.axis, author, title)
	f.exec(`INSERT INTO contribution_counters (contribution_id) VALUES (?)`, id)
	return id
}

func (f *fixture) argument(contribution, author int64) int64 {
	f.t.Helper()
	return f.id(`INSERT INTO arguments (contribution_id, author_id, author_category, stance, body)
		VALUES (?, ?, 'citoyen', 'contre', 'Un argument.') RETURNING id`, contribution, author)
}

func (f *fixture) count(q string, args ...any) int {
	return int(f.id(q, args...))
}
