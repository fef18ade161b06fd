package answer_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cnr-numerique/concertation/app/answer"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/app/synthesis/synthesistest"
	"github.com/cnr-numerique/concertation/seeds"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestAnswerIsSetReplacedAndAudited(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	if err := seed.Reference(ctx, d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	fx := synthesistest.Load(t, d)
	s := answer.NewStore(d)
	if _, ok, err := s.Get(ctx, fx.Formation); ok || err != nil {
		t.Fatalf("answer before any: %v %v", ok, err)
	}
	if err := s.Set(ctx, fx.Formation, fx.Alice, answer.State("peut-etre"), "x"); !errors.Is(err, answer.ErrState) {
		t.Errorf("bad state: %v", err)
	}
	if err := s.Set(ctx, fx.Formation, fx.Alice, answer.Study, "   "); !errors.Is(err, answer.ErrBody) {
		t.Errorf("empty body: %v", err)
	}
	if err := s.Set(ctx, 999999, fx.Alice, answer.Study, "Texte"); !errors.Is(err, answer.ErrNotFound) {
		t.Errorf("unknown contribution: %v", err)
	}
	if err := s.Set(ctx, fx.Formation, fx.Alice, answer.Study, "Nous étudions la création d'un titre professionnel 🎓."); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, fx.Formation, fx.Alice, answer.Partial, "Retenue pour la formation continue, pas pour le diplôme."); err != nil {
		t.Fatal(err)
	}
	a, ok, err := s.Get(ctx, fx.Formation)
	if err != nil || !ok || a.State != answer.Partial || a.StateLabel() != "partiellement retenue" || a.AnsweredBy != "Alice Secrète" {
		t.Fatalf("answer %+v %v %v", a, ok, err)
	}
	states, err := s.States(ctx, []int64{fx.Formation, fx.HubProp})
	if err != nil || len(states) != 1 || states[fx.Formation] != answer.Partial {
		t.Errorf("states %v %v", states, err)
	}
	var audits int
	if err := d.SQL().QueryRow(`SELECT count(*) FROM audit_log WHERE action = $1`, answer.AuditAnswer).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if audits != 2 {
		t.Errorf("%d audit lines, want 2 (set, then changed)", audits)
	}
	if st, ok := answer.ParseState("non-retenue"); !ok || st != answer.Rejected {
		t.Errorf("ParseState: %v %v", st, ok)
	}
}
