package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestAuthorPageOnlyForAuthors: an account without a published free
// contribution has no public page.
func TestAuthorPageOnlyForAuthors(t *testing.T) {
	a := newTestApp(t, nil)
	u := a.newUser("zoe@exemple.fr", "Zoé Secrète")
	other := a.newUser("olga@exemple.fr", "Olga Autrice")
	ctx := context.Background()
	hubProp := insertContribution(t, a, other.ID, "hubs", "Proposition du Hub", nil)
	free := insertContribution(t, a, u.ID, "libres", "Ma contribution", nil)
	_ = hubProp
	if err := a.deps.DB.Conn(ctx).Exec(`UPDATE contributions SET status = 'withdrawn' WHERE id = ?`, free).Error; err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{u.ID, other.ID} {
		resp, body := a.get(fmt.Sprintf("/auteurs/%d", id))
		wantStatus(t, resp, body, http.StatusNotFound)
		if strings.Contains(body, "Zoé Secrète") || strings.Contains(body, "Olga Autrice") || !strings.Contains(body, "existe pas") {
			t.Errorf("author page of %d:\n%s", id, body)
		}
	}
	insertContribution(t, a, u.ID, "libres", "Publiée", nil)
	resp, body := a.get(fmt.Sprintf("/auteurs/%d", u.ID))
	wantStatus(t, resp, body, 200)
	mustContain(t, body, "Zoé Secrète", "Publiée")
}
