package contribution

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
)

// TestQueueShowEqualsItsParts: the one statement of a contribution page
// reads what Get and Arguments read (replies under their argument, hidden
// arguments with their reason, edit dates, authors, the order), and whether
// an official answer exists.
func TestQueueShowEqualsItsParts(t *testing.T) {
	f := newFixture(t)
	a := f.actor("a", "citoyen")
	b := f.actor("b", "elu")
	bare := f.create(a, Draft{Title: "Sans argument"})
	id := f.create(a, Draft{Title: "Discutée"})
	for _, d := range []ArgumentDraft{{Stance: "contre", Body: "Non <b>pas</b> d'accord"}, {Stance: "pour", Body: "Oui"}, {Stance: "neutre", Body: "Masqué"}} {
		if p, err := f.store.AddArgument(f.ctx, b, id, d); err != nil || len(p) > 0 {
			t.Fatal(p, err)
		}
	}
	args, err := f.store.Arguments(f.ctx, id)
	if err != nil || len(args) != 3 {
		t.Fatal(args, err)
	}
	if p, err := f.store.AddArgument(f.ctx, a, id, ArgumentDraft{ParentID: args[0].ID, Stance: "pour", Body: "Réponse"}); err != nil || len(p) > 0 {
		t.Fatal(p, err)
	}
	reason := "Propos injurieux"
	if err := f.store.ModerateArgument(f.ctx, args[2].ID, StatusHidden, &reason); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Conn(f.ctx).Exec(`UPDATE arguments SET edited_at = now() WHERE id = ?`, args[1].ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Conn(f.ctx).Exec(`INSERT INTO official_answers (contribution_id, state, body) VALUES (?, 'etude', 'À l''étude')`, id).Error; err != nil {
		t.Fatal(err)
	}
	show := func(id int64) (Shown, error) {
		t.Helper()
		var batch db.Batch
		get, err := f.store.QueueShow(f.ctx, &batch, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.Run(f.ctx, &batch); err != nil {
			t.Fatal(err)
		}
		return get()
	}
	for _, c := range []struct {
		id       int64
		answered bool
	}{{bare, false}, {id, true}} {
		got, err := show(c.id)
		if err != nil {
			t.Fatal(err)
		}
		view, _ := f.store.Get(f.ctx, c.id)
		want, _ := f.store.Arguments(f.ctx, c.id)
		if !reflect.DeepEqual(got.View, view) {
			t.Errorf("%d: view\n got %+v\nwant %+v", c.id, got.View, view)
		}
		if !sameArguments(got.Arguments, want) {
			t.Errorf("%d: arguments\n got %+v\nwant %+v", c.id, got.Arguments, want)
		}
		if got.Answered != c.answered {
			t.Errorf("%d: answered %v, want %v", c.id, got.Answered, c.answered)
		}
	}
	if got, _ := show(id); len(got.Arguments) != 3 || len(got.Arguments[0].Replies) != 1 || got.Arguments[2].HiddenReason == nil ||
		got.Arguments[1].EditedAt == nil || got.Arguments[0].AuthorName != "b" || got.Arguments[0].Body != "Non <b>pas</b> d'accord" {
		t.Errorf("arguments read: %+v", got.Arguments)
	}
	if _, err := show(999999); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

// sameArguments compares arguments and their replies, times as instants.
func sameArguments(got, want []Argument) bool {
	if len(got) != len(want) {
		return false
	}
	sameTime := func(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }
	for i := range got {
		g, w := got[i], want[i]
		if !g.CreatedAt.Equal(w.CreatedAt) || !sameTime(g.EditedAt, w.EditedAt) || !sameArguments(g.Replies, w.Replies) {
			return false
		}
		g.CreatedAt, w.CreatedAt, g.EditedAt, w.EditedAt, g.Replies, w.Replies = time.Time{}, time.Time{}, nil, nil, nil, nil
		if !reflect.DeepEqual(g, w) {
			return false
		}
	}
	return true
}
