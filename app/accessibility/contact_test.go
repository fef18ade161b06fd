package accessibility

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestValidateMessage(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    Message
		want string // the fields in error, sorted
	}{
		{"message only", Message{Message: "  Le menu ne s'ouvre pas.  "}, ""},
		{"empty message", Message{Message: "   "}, "message"},
		{"bad address", Message{Email: "camille", Message: "x"}, "email"},
		{"address with a name", Message{Email: "Camille <c@exemple.fr>", Message: "x"}, "email"},
		{"too long", Message{Name: strings.Repeat("é", 101), Page: strings.Repeat("p", 501), Message: strings.Repeat("m", 5001)}, "message nom page"},
	} {
		errs := tc.m.Validate()
		var got []string
		for _, f := range []string{"email", "message", "nom", "page"} {
			if errs[f] != "" {
				got = append(got, f)
			}
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: errors on %v, want %q", tc.name, got, tc.want)
		}
	}
	m := Message{Message: "  texte  "}
	m.Validate()
	if m.Message != "texte" {
		t.Errorf("not trimmed: %q", m.Message)
	}
}

func TestStoreKeepsMessagesForTheTeam(t *testing.T) {
	ctx := context.Background()
	s := NewStore(dbtest.New(t))
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	first := Message{Email: "camille@exemple.fr", Page: "Formulaire", Message: "Le champ département est difficile à atteindre."}
	second := Message{Message: "Le texte est trop petit."}
	if err := s.Create(ctx, &first, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, &second, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.MarkHandled(ctx, second.ID, now.Add(2*time.Hour)); err != nil || !ok {
		t.Fatalf("mark handled: %v %v", ok, err)
	}
	if ok, err := s.MarkHandled(ctx, 424242, now); err != nil || ok {
		t.Errorf("unknown message: %v %v", ok, err)
	}
	list, err := s.List(ctx, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != first.ID || list[1].HandledAt == nil || list[0].Email != "camille@exemple.fr" {
		t.Errorf("list: %+v", list)
	}
	if n, err := s.Pending(ctx); err != nil || n != 1 {
		t.Errorf("pending: %d %v", n, err)
	}
}
