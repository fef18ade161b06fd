package synthesis_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cnr-numerique/concertation/app/synthesis"
	"github.com/cnr-numerique/concertation/app/synthesis/synthesistest"
)

// runThemes queues an analysis of the whole workspace view and runs it as
// the background worker would.
func runThemes(t *testing.T, e env, themes int, by int64) synthesis.ThemeRun {
	t.Helper()
	ctx := context.Background()
	id, err := e.store.RequestThemeRun(ctx, e.refs, e.filter("", false), themes, by)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.RequestThemeRun(ctx, e.refs, e.filter("", false), themes, by); !errors.Is(err, synthesis.ErrRunActive) {
		t.Errorf("second request while one waits: %v, want ErrRunActive", err)
	}
	ran, err := e.store.RunNextThemeJob(ctx)
	if err != nil || !ran {
		t.Fatalf("run: %v %v", ran, err)
	}
	run, err := e.store.ThemeRunByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != synthesis.RunDone || run.Progress != 100 {
		t.Fatalf("run %+v", run)
	}
	return run
}

func TestThemeAnalysisAssignsEveryContributionOfTheView(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	corpus := synthesistest.LoadCorpus(t, e.db, 0)
	run := runThemes(t, e, 8, e.fx.Bernard)
	// The corpus and the fixture's 4 published contributions (hidden ones
	// only when a rapporteur asks).
	if run.Contributions != len(corpus)+4 || run.Sample != run.Contributions || run.Expressions == 0 {
		t.Errorf("run figures %+v", run)
	}
	themes, err := e.store.Themes(ctx, run.ID, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(themes) != 8 {
		t.Fatalf("%d themes", len(themes))
	}
	var med synthesis.ThemeInfo
	for _, th := range themes {
		t.Logf("%d %s (%d) %v", th.ID, th.Label, th.Size, th.Terms)
		if th.Size < 20 || len(th.Top) != 3 || th.Status != synthesis.ThemeProposed {
			t.Errorf("theme %+v", th)
		}
		for _, term := range th.Terms {
			if term == "médiation numérique" || term == "médiateurs numériques" || term == "médiateur numérique" {
				med = th
			}
		}
	}
	if med.ID == 0 {
		t.Fatal("no theme on médiation numérique")
	}
	// The representative contributions are those with the highest weight,
	// not the lowest ids.
	members, err := e.store.ThemeMembers(ctx, med.ID, 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(members); i++ {
		if members[i].Weight > members[i-1].Weight {
			t.Fatalf("members not by weight")
		}
	}
	for i, top := range med.Top {
		if top.ID != members[i].ID {
			t.Errorf("top %d is n° %d, want the heaviest n° %d", i, top.ID, members[i].ID)
		}
	}
	// Soft membership: a contribution may be in several themes.
	var multi int
	if err := e.db.SQL().QueryRow(`SELECT count(*) FROM (SELECT contribution_id FROM synthesis_theme_members GROUP BY 1 HAVING count(*) > 1) x`).Scan(&multi); err != nil {
		t.Fatal(err)
	}
	if multi < 30 {
		t.Errorf("%d contributions in several themes", multi)
	}
}

func TestThemeWorkspaceEditsAreKeptInHistory(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	synthesistest.LoadCorpus(t, e.db, 0)
	run := runThemes(t, e, 8, e.fx.Bernard)
	themes, err := e.store.Themes(ctx, run.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := themes[0], themes[1], themes[2]
	by := e.fx.Bernard
	if err := e.store.RenameTheme(ctx, a.ID, by, "  Médiation   de proximité "); err != nil {
		t.Fatal(err)
	}
	if err := e.store.RenameTheme(ctx, a.ID, by, ""); !errors.Is(err, synthesis.ErrThemeLabel) {
		t.Errorf("empty label: %v", err)
	}
	if err := e.store.SetThemeStatus(ctx, a.ID, by, synthesis.ThemeValidated); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetThemeStatus(ctx, c.ID, by, synthesis.ThemeRejected); err != nil {
		t.Fatal(err)
	}
	if err := e.store.RemoveThemeMember(ctx, a.ID, a.Top[0].ID, by); err != nil {
		t.Fatal(err)
	}
	if err := e.store.RemoveThemeMember(ctx, a.ID, a.Top[0].ID, by); !errors.Is(err, synthesis.ErrNotMember) {
		t.Errorf("second removal: %v", err)
	}
	if err := e.store.AddThemeMember(ctx, a.ID, e.fx.Formation, by); err != nil {
		t.Fatal(err)
	}
	sizeB := b.Size
	if err := e.store.MergeThemes(ctx, a.ID, b.ID, by); err != nil {
		t.Fatal(err)
	}
	if err := e.store.RenameTheme(ctx, b.ID, by, "trop tard"); !errors.Is(err, synthesis.ErrThemeClosed) {
		t.Errorf("rename of a merged theme: %v", err)
	}
	got, err := e.store.Theme(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Label != "Médiation de proximité" || got.Status != synthesis.ThemeValidated || got.Size < sizeB {
		t.Errorf("theme after edits %+v", got)
	}
	hist, err := e.store.ThemeHistory(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, h := range hist {
		actions = append(actions, h.Action)
		if h.Actor != "Bernard Confidentiel" || h.At.IsZero() {
			t.Errorf("history line %+v", h)
		}
	}
	want := []string{"renommé de", "validé", "contribution n°", "contribution n°", "a reçu les contributions du thème n°"}
	if len(actions) != len(want) {
		t.Fatalf("history %q", actions)
	}
	for i, w := range want {
		if len(actions[i]) < len(w) || actions[i][:len(w)] != w {
			t.Errorf("history %d: %q, want %q…", i, actions[i], w)
		}
	}
	// A split runs in the background and closes the parent.
	if err := e.store.RequestThemeSplit(ctx, e.refs, a.ID, by); err != nil {
		t.Fatal(err)
	}
	if ran, err := e.store.RunNextThemeJob(ctx); err != nil || !ran {
		t.Fatalf("split: %v %v", ran, err)
	}
	after, err := e.store.Themes(ctx, run.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	children, inChildren := 0, 0
	for _, th := range after {
		if th.ParentID == a.ID {
			children++
			inChildren += th.Size
		}
		if th.ID == a.ID && th.Status != synthesis.ThemeSplit {
			t.Errorf("parent status %s", th.Status)
		}
	}
	if children != 2 || inChildren < got.Size {
		t.Errorf("%d children holding %d contributions, parent had %d", children, inChildren, got.Size)
	}
}
