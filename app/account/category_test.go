package account_test

import (
	"context"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/hub"
)

// A person cannot describe themselves as a Hub: that category belongs to Hub
// proposals only.
func TestHubCategoryIsNotSelectable(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	cats, err := s.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cats) < 9 {
		t.Fatalf("%d categories, want the 9 that people choose", len(cats))
	}
	for _, c := range cats {
		if c.Code == hub.AuthorCategory {
			t.Errorf("the Hub category is offered to people: %+v", cats)
		}
	}
	in := signUp("hub@exemple.fr")
	in.Category = hub.AuthorCategory
	_, created, errs, err := s.Register(ctx, in, time.Now())
	if err != nil || created || errs["category"] == "" {
		t.Errorf("sign-up as a Hub: created=%v errs=%v err=%v", created, errs, err)
	}
}
