package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// modFix is a test platform with helpers to write contributions and
// arguments directly in SQL, and to switch the browser between accounts.
type modFix struct {
	*testApp
	t     testing.TB
	cons  int64
	axis  int64
	users int
}

func newModFix(t testing.TB) *modFix {
	t.Helper()
	return newModFixOn(t, newTestApp(t, nil))
}

// newModFixOn is newModFix on the platform a, whose database has the
// reference data.
func newModFixOn(t testing.TB, a *testApp) *modFix {
	t.Helper()
	f := &modFix{testApp: a, t: t}
	f.cons = f.scalar(`SELECT id FROM consultations ORDER BY id LIMIT 1`)
	f.axis = f.scalar(`SELECT id FROM axes WHERE consultation_id = ? ORDER BY position LIMIT 1`, f.cons)
	return f
}

func (f *modFix) exec(q string, args ...any) {
	f.t.Helper()
	if err := f.deps.DB.Conn(context.Background()).Exec(q, args...).Error; err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

func (f *modFix) scalar(q string, args ...any) int64 {
	f.t.Helper()
	var n int64
	if err := f.deps.DB.Conn(context.Background()).Raw(q, args...).Scan(&n).Error; err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (f *modFix) text(q string, args ...any) string {
	f.t.Helper()
	var s *string
	if err := f.deps.DB.Conn(context.Background()).Raw(q, args...).Scan(&s).Error; err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	if s == nil {
		return "<nil>"
	}
	return *s
}

// user creates an account named name with the given roles.
func (f *modFix) user(name string, roles ...string) int64 {
	f.t.Helper()
	f.users++
	u := f.newUser(fmt.Sprintf("personne%d@example.org", f.users), name)
	for _, r := range roles {
		if err := f.deps.Accounts.GrantRole(context.Background(), u.ID, r); err != nil {
			f.t.Fatal(err)
		}
	}
	return u.ID
}

// as makes the browser signed in as id; 0 makes it anonymous.
func (f *modFix) as(id int64) {
	f.t.Helper()
	f.jar = map[string]string{}
	if id != 0 {
		f.signIn(id)
	}
}

func (f *modFix) contribution(author int64, title string) int64 {
	f.t.Helper()
	id := f.scalar(`INSERT INTO contributions (consultation_id, entry, axis_id, author_id, author_category, title, body)
		VALUES (?, 'libres', ?, ?, 'citoyen', ?, 'Premier paragraphe du texte.') RETURNING id`, f.cons, f.axis, author, title)
	f.exec(`INSERT INTO contribution_counters (contribution_id) VALUES (?)`, id)
	return id
}

func (f *modFix) argument(contribution, author int64, body string) int64 {
	f.t.Helper()
	return f.scalar(`INSERT INTO arguments (contribution_id, author_id, author_category, stance, body)
		VALUES (?, ?, 'citoyen', 'pour', ?) RETURNING id`, contribution, author, body)
}

// expect checks the status of resp and that body holds every want.
func expect(t *testing.T, what string, resp *http.Response, body string, status int, want ...string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, resp.StatusCode, status, excerpt(body))
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: body lacks %q\n%s", what, w, excerpt(body))
		}
	}
}

// excerpt returns the <main> of a page, to keep failure messages short.
func excerpt(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000]
	}
	return body
}
