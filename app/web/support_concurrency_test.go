package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Race: many parallel supports from one account give one support and an
// exact counter (unique key + counter moved only when a row was inserted,
// in the same statement).
func TestRegressionParallelSupportsFromOneAccount(t *testing.T) {
	f := newModFix(t)
	f.deps.Limiter = permissiveLimiter(t, f.deps)
	f.app, _ = New(f.deps)
	author := f.user("Autrice")
	target := f.contribution(author, "Très convoitée")
	me := f.user("Pressée")
	f.as(me)
	token := f.csrf()
	cookies := make(map[string]string, len(f.jar))
	for k, v := range f.jar {
		cookies[k] = v
	}
	send := func(action string) int {
		req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/contributions/%d/%s", target, action),
			strings.NewReader(url.Values{"_csrf": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		resp, err := f.app.Test(req, 30_000)
		if err != nil {
			t.Error(err)
			return 0
		}
		return resp.StatusCode
	}
	check := func(what string, wantRows int64) {
		t.Helper()
		rows := f.scalar(`SELECT count(*) FROM supports WHERE contribution_id = ? AND user_id = ?`, target, me)
		counter := f.scalar(`SELECT supports FROM contribution_counters WHERE contribution_id = ?`, target)
		if rows != wantRows || counter != wantRows {
			t.Errorf("%s: %d support rows, counter %d, want %d", what, rows, counter, wantRows)
		}
	}
	parallel := func(actions ...string) {
		var wg sync.WaitGroup
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				if st := send(actions[i%len(actions)]); st != http.StatusSeeOther {
					t.Errorf("parallel %s: status %d", actions[i%len(actions)], st)
				}
			}(i)
		}
		wg.Wait()
	}
	parallel("soutenir")
	check("40 parallel supports", 1)
	parallel("retirer-soutien")
	check("40 parallel removals", 0)
	parallel("soutenir", "retirer-soutien")
	rows := f.scalar(`SELECT count(*) FROM supports WHERE contribution_id = ?`, target)
	check("mixed supports and removals", rows)
}
