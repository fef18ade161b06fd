package synthetic

import (
	"context"
	"testing"

	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/seeds"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestSynthetic(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	if err := seed.Reference(ctx, d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	res, err := Load(ctx, d, Options{Contributions: 2000, Supports: 20000, Users: 1500, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Contributions != 2000 || res.Users != 1500 || res.Supports < 19900 || res.Supports > 20100 {
		t.Errorf("result %+v", res)
	}
	var bad int
	err = d.Conn(ctx).Raw(`SELECT count(*) FROM contributions c JOIN contribution_counters k ON k.contribution_id = c.id
		WHERE k.supports <> (SELECT count(*) FROM supports s WHERE s.contribution_id = c.id)
		   OR k.reactions_nuance <> (SELECT count(*) FROM contributions r WHERE r.reacts_to_id = c.id AND r.reaction_type = 'nuance' AND r.status = 'published')
		   OR k.arguments_contre <> (SELECT count(*) FROM arguments a WHERE a.contribution_id = c.id AND a.stance = 'contre')
		   OR EXISTS (SELECT 1 FROM supports s WHERE s.contribution_id = c.id AND s.user_id = c.author_id)`).Scan(&bad).Error
	if err != nil || bad != 0 {
		t.Errorf("%d inconsistent contributions (%v)", bad, err)
	}
	var spread struct{ Entries, Axes, Categories, Regions, Hubs, Reactions int }
	d.Conn(ctx).Raw(`SELECT count(DISTINCT entry) AS entries, count(DISTINCT axis_id) AS axes, count(DISTINCT author_category) AS categories,
		count(DISTINCT region_id) AS regions, count(DISTINCT hub_id) AS hubs, count(reacts_to_id) AS reactions FROM contributions`).Scan(&spread)
	if spread.Entries != 2 || spread.Axes != 4 || spread.Categories < 8 || spread.Regions < 10 || spread.Hubs < 5 || spread.Reactions == 0 {
		t.Errorf("not spread: %+v", spread)
	}
	// Heavy tail: the top 1 % of contributions hold at least a fifth of the supports.
	var top float64
	d.Conn(ctx).Raw(`SELECT sum(supports)::float / (SELECT sum(supports) FROM contribution_counters)
		FROM (SELECT supports FROM contribution_counters ORDER BY supports DESC LIMIT 20) x`).Scan(&top)
	if top < 0.2 {
		t.Errorf("top 1%% hold %.2f of the supports", top)
	}
	// Seeding again adds more without conflicts; the app's sequences follow.
	if _, err := Load(ctx, d, Options{Contributions: 10, Supports: 50, Users: 100, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	if err := d.Conn(ctx).Exec(`INSERT INTO arguments (contribution_id, author_id, author_category, stance, body) VALUES (1, 1, 'citoyen', 'pour', 'x')`).Error; err != nil {
		t.Errorf("sequence not moved: %v", err)
	}
}
