package query_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/query"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/migrations"
	"github.com/cnr-numerique/concertation/search"
	"github.com/cnr-numerique/concertation/seeds"
)

// TestRollupExactAfterADatabaseCrash kills the PostgreSQL server (SIGKILL of
// the postmaster) while writers publish, edit, withdraw and support, lets
// the supervisor restart it (crash recovery), and checks that every write
// that was acknowledged is there and that the rollup, the listing and the
// counters equal what they count: they change in the transaction of each
// write, so a crash keeps all of a write or none of it. Commits are durable
// here (synchronous_commit on), as in production.
func TestRollupExactAfterADatabaseCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills its own PostgreSQL")
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "rollup-crash-") // reachable by the postgres system user
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	emb := &db.Embedded{Dir: dir, Database: "crash", Log: slog.New(slog.DiscardHandler)}
	if err := emb.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer emb.Stop()
	d, err := db.Open(ctx, emb.URL("crash"))
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
	cons, err := consultation.NewStore(d).Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dep, err := hub.NewStore(d).TerritoryByCode(ctx, hub.KindDepartement, "29")
	if err != nil {
		t.Fatal(err)
	}
	store := contribution.NewStore(d)
	var actors []contribution.Actor
	for i := range 8 {
		cat := []string{"citoyen", "elu"}[i%2]
		u := account.User{Email: fmt.Sprintf("p%d@exemple.fr", i), DisplayName: "P", Category: &cat, DepartementID: &dep.ID}
		if err := account.NewStore(d).Create(ctx, &u); err != nil {
			t.Fatal(err)
		}
		actors = append(actors, contribution.Actor{UserID: u.ID, Category: cat, DepartementID: &dep.ID})
	}

	var mu sync.Mutex
	var acked []int64 // contributions whose creation was acknowledged
	var crashed atomic.Bool
	var afterCrash atomic.Int64 // writes acknowledged after the restart
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 5))
			a := actors[w]
			for {
				select {
				case <-stop:
					return
				default:
				}
				wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				var err error
				switch x := r.IntN(10); {
				case x < 5:
					var id int64
					var p contribution.Problems
					id, p, err = store.Create(wctx, a, cons.ID, contribution.Draft{Entry: contribution.EntryLibres,
						AxisID: cons.Axes[r.IntN(4)].ID, Title: "Titre", Body: "Texte"})
					if err == nil && len(p) == 0 {
						mu.Lock()
						acked = append(acked, id)
						mu.Unlock()
					}
				case x < 7:
					mu.Lock()
					var id int64
					if len(acked) > 0 {
						id = acked[r.IntN(len(acked))]
					}
					mu.Unlock()
					if id != 0 {
						_, err = store.Support(wctx, actors[(w+1+r.IntN(7))%8], id)
					}
				case x < 9:
					mu.Lock()
					var id int64
					if len(acked) > 0 {
						id = acked[r.IntN(len(acked))]
					}
					mu.Unlock()
					if id != 0 {
						_, err = store.Update(wctx, a, id, contribution.Draft{AxisID: cons.Axes[r.IntN(4)].ID, Title: "Autre titre", Body: "Texte",
							TerritoryKind: "region", TerritoryCode: "53"})
					}
				default:
					mu.Lock()
					var id int64
					if len(acked) > 0 {
						id = acked[r.IntN(len(acked))]
					}
					mu.Unlock()
					if id != 0 {
						err = store.Withdraw(wctx, a, id)
					}
				}
				cancel()
				if err == nil && crashed.Load() {
					afterCrash.Add(1)
				}
				if err != nil && !errors.Is(err, contribution.ErrNotAllowed) && !errors.Is(err, contribution.ErrNotPublished) &&
					!errors.Is(err, contribution.ErrOwn) && !crashed.Load() {
					t.Errorf("write before the crash: %v", err)
				}
			}
		}()
	}
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 100 })
	pid := emb.PID()
	crashed.Store(true)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Backends of the killed postmaster may commit a few more writes before
	// they notice its death: count only the writes acknowledged once a new
	// postmaster runs.
	waitFor(t, func() bool { p := emb.PID(); return p != 0 && p != pid })
	restarted := afterCrash.Load()
	waitFor(t, func() bool { return afterCrash.Load() >= restarted+50 }) // restarted, writes acknowledged again
	close(stop)
	wg.Wait()

	var stored []int64
	if err := d.Conn(ctx).Raw(`SELECT id FROM contributions`).Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	for _, id := range acked {
		if !slices.Contains(stored, id) {
			t.Errorf("acknowledged contribution %d lost", id)
		}
	}
	refs, err := query.LoadRefs(ctx, d.SQL())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, db: d, store: store, query: query.New(d, store, search.NewPostgres(d.SQL())), cons: cons, refs: refs}
	f.checkRollup(t)
	t.Logf("%d contributions acknowledged, %d writes after the restart", len(acked), afterCrash.Load())
}

// waitFor polls cond until it holds, for at most two minutes.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached after two minutes")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
