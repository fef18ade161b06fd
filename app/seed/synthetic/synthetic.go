// Package synthetic loads synthetic contributions, accounts, supports and
// arguments, for benchmarks and demonstrations at national scale.
package synthetic

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/schollz/progressbar/v3"
)

// Options sizes the synthetic data set.
type Options struct {
	Contributions int
	Supports      int       // total supports; 0 → 10 per contribution
	Users         int       // synthetic accounts; 0 → max(2,000, Contributions/2)
	Seed          uint64    // random seed; the same seed gives the same data
	Progress      io.Writer // where the progress bar goes; nil → none
}

// Result counts what was created.
type Result struct {
	Users, Contributions, Supports, Arguments int
}

// synth is the state of one synthetic run.
type synth struct {
	opt      Options
	r        *rand.Rand
	cons     consultation.Consultation
	deps     []hub.Territory
	hubs     []hub.Hub
	cats     []string
	userBase int64
	userCat  []string
	userDep  []int64
	members  [][]int // per hub: indexes of member users
	contrib  []synthContribution
	counters [][8]int32 // supports, 4 reactions, 3 stances
	now      time.Time
	bar      *progressbar.ProgressBar
}

type synthContribution struct {
	author  int // user index
	created time.Time
}

// Load adds synthetic accounts, contributions spread over the axes,
// entries, categories, territories and Hubs, heavy-tailed supports (a few
// contributions get most: rank r gets about A/(r+10)), reactions and
// arguments, with consistent contribution_counters. It loads the reference
// data first, and writes everything with COPY in one transaction.
func Load(ctx context.Context, d *db.DB, opt Options) (Result, error) {
	if opt.Contributions <= 0 {
		return Result{}, fmt.Errorf("synthetic: the number of contributions must be positive")
	}
	if opt.Supports <= 0 {
		opt.Supports = 10 * opt.Contributions
	}
	if opt.Users <= 0 {
		opt.Users = max(2000, opt.Contributions/2)
	}
	s := &synth{opt: opt, r: rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)), now: time.Now()}
	if err := s.load(ctx, d); err != nil {
		return Result{}, err
	}
	conn, err := d.SQL().Conn(ctx)
	if err != nil {
		return Result{}, err
	}
	defer conn.Close()
	var res Result
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx) //nolint:errcheck // after Commit it is a no-op
		if res, err = s.write(ctx, tx); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		return res, fmt.Errorf("synthetic data: %w", err)
	}
	if _, err := contribution.NewStore(d).Recount(ctx); err != nil {
		return res, fmt.Errorf("synthetic data: %w", err)
	}
	if err := d.Conn(ctx).Exec(`ANALYZE users, contributions, contribution_counters, supports, arguments,
		contribution_cells, contribution_listing`).Error; err != nil {
		return res, err
	}
	return res, nil
}

func (s *synth) load(ctx context.Context, d *db.DB) error {
	var err error
	if s.cons, err = consultation.NewStore(d).Current(ctx); err != nil {
		return fmt.Errorf("synthetic: load the reference data first: %w", err)
	}
	hubs := hub.NewStore(d)
	if s.hubs, err = hubs.List(ctx); err != nil {
		return err
	}
	regions, err := hubs.Regions(ctx)
	if err != nil {
		return err
	}
	for _, r := range regions {
		s.deps = append(s.deps, r.Departements...)
	}
	if len(s.deps) == 0 || len(s.cons.Axes) == 0 {
		return fmt.Errorf("synthetic: no territories or axes")
	}
	return d.Conn(ctx).Raw(`SELECT code FROM author_categories WHERE selectable ORDER BY position`).Scan(&s.cats).Error
}

// category draws an author category: citizens and mediation professionals
// are the most numerous.
func (s *synth) category() string {
	weights := []int{40, 6, 5, 14, 8, 16, 4, 4, 3}
	n := s.r.IntN(100)
	for i, w := range weights {
		if n < w || i == len(s.cats)-1 {
			return s.cats[min(i, len(s.cats)-1)]
		}
		n -= w
	}
	return s.cats[0]
}

func (s *synth) write(ctx context.Context, tx pgx.Tx) (Result, error) {
	var res Result
	var base struct{ users, contributions, arguments int64 }
	err := tx.QueryRow(ctx, `SELECT (SELECT COALESCE(max(id), 0) FROM users), (SELECT COALESCE(max(id), 0) FROM contributions),
		(SELECT COALESCE(max(id), 0) FROM arguments)`).Scan(&base.users, &base.contributions, &base.arguments)
	if err != nil {
		return res, err
	}
	s.userBase = base.users
	nArgs := s.opt.Contributions / 2
	total := int64(s.opt.Users + s.opt.Contributions*2 + s.opt.Supports + nArgs)
	if s.opt.Progress != nil {
		s.bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(s.opt.Progress),
			progressbar.OptionSetDescription("Données synthétiques"), progressbar.OptionShowCount(),
			progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionSetWidth(30))
		defer func() { _ = s.bar.Finish() }()
	}
	// The rollup and the listing are rebuilt in bulk afterwards (Recount):
	// their triggers, row by row, would take most of the load's time. So
	// are the rows of the stored pages, to render (web.Pages).
	for _, q := range []string{
		`ALTER TABLE contributions DISABLE TRIGGER contributions_track`,
		`ALTER TABLE contributions DISABLE TRIGGER contribution_pages_inserted`,
		`ALTER TABLE arguments DISABLE TRIGGER contribution_pages_arguments`,
		`ALTER TABLE contribution_counters DISABLE TRIGGER counters_cell`,
		`ALTER TABLE contribution_counters DISABLE TRIGGER counters_discussion`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return res, err
		}
	}
	if res.Users, err = s.copyUsers(ctx, tx); err != nil {
		return res, fmt.Errorf("users: %w", err)
	}
	if res.Contributions, err = s.copyContributions(ctx, tx, base.contributions); err != nil {
		return res, fmt.Errorf("contributions: %w", err)
	}
	if res.Supports, err = s.copySupports(ctx, tx, base.contributions); err != nil {
		return res, fmt.Errorf("supports: %w", err)
	}
	if res.Arguments, err = s.copyArguments(ctx, tx, base.contributions, base.arguments, nArgs); err != nil {
		return res, fmt.Errorf("arguments: %w", err)
	}
	if err := s.copyCounters(ctx, tx, base.contributions); err != nil {
		return res, fmt.Errorf("counters: %w", err)
	}
	for _, q := range []string{
		`SELECT setval('users_id_seq', (SELECT max(id) FROM users))`,
		`SELECT setval('contributions_id_seq', (SELECT max(id) FROM contributions))`,
		`SELECT setval('arguments_id_seq', GREATEST((SELECT max(id) FROM arguments), 1))`,
		`INSERT INTO contribution_pages (contribution_id) SELECT id FROM contributions ON CONFLICT (contribution_id)
			DO UPDATE SET version = contribution_pages.version + 1`,
		`ALTER TABLE contributions ENABLE TRIGGER contributions_track`,
		`ALTER TABLE contributions ENABLE TRIGGER contribution_pages_inserted`,
		`ALTER TABLE arguments ENABLE TRIGGER contribution_pages_arguments`,
		`ALTER TABLE contribution_counters ENABLE TRIGGER counters_cell`,
		`ALTER TABLE contribution_counters ENABLE TRIGGER counters_discussion`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (s *synth) tick() {
	if s.bar != nil {
		_ = s.bar.Add(1)
	}
}

// copyRows streams n rows made by row into table.
func (s *synth) copyRows(ctx context.Context, tx pgx.Tx, table string, cols []string, n int, row func(i int) []any) (int, error) {
	i := 0
	got, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
		for i < n {
			r := row(i)
			i++
			s.tick()
			if r != nil {
				return r, nil
			}
		}
		return nil, nil
	}))
	return int(got), err
}

func (s *synth) copyUsers(ctx context.Context, tx pgx.Tx) (int, error) {
	s.userCat = make([]string, s.opt.Users)
	s.userDep = make([]int64, s.opt.Users)
	created := s.now.Add(-60 * 24 * time.Hour)
	n, err := s.copyRows(ctx, tx, "users", []string{"id", "email", "email_verified_at", "display_name", "category",
		"departement_id", "terms_accepted_at", "created_at", "updated_at"}, s.opt.Users, func(i int) []any {
		id := s.userBase + int64(i) + 1
		s.userCat[i] = s.category()
		s.userDep[i] = pick(s.r, s.deps).ID
		return []any{id, fmt.Sprintf("synthetique-%d@exemple.invalid", id), created, synthName(s.r), s.userCat[i], s.userDep[i], created, created, created}
	})
	if err != nil {
		return n, err
	}
	s.members = make([][]int, len(s.hubs))
	for h := range s.hubs {
		for range 2 + s.r.IntN(3) {
			s.members[h] = append(s.members[h], s.r.IntN(s.opt.Users))
		}
	}
	var rows [][]any
	seen := map[[2]int64]bool{}
	for h, ms := range s.members {
		for _, m := range ms {
			k := [2]int64{s.hubs[h].ID, s.userBase + int64(m) + 1}
			if !seen[k] {
				seen[k] = true
				rows = append(rows, []any{k[0], k[1]})
			}
		}
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"hub_members"}, []string{"hub_id", "user_id"}, pgx.CopyFromRows(rows))
	return n, err
}

func (s *synth) copyContributions(ctx context.Context, tx pgx.Tx, base int64) (int, error) {
	n := s.opt.Contributions
	s.contrib = make([]synthContribution, n)
	s.counters = make([][8]int32, n)
	span := 30 * 24 * time.Hour
	start := s.now.Add(-span)
	var hubProposals []int
	reactions := []string{"soutient", "soutient", "complete", "complete", "nuance", "conteste"}
	regionOf := map[int64]int64{}
	for _, t := range s.deps {
		if t.RegionID != nil {
			regionOf[t.ID] = *t.RegionID
		}
	}
	return s.copyRows(ctx, tx, "contributions", []string{"id", "consultation_id", "entry", "axis_id", "hub_id", "author_id",
		"author_category", "territory_id", "region_id", "departement_id", "reacts_to_id", "reaction_type", "title", "body",
		"status", "created_at", "updated_at"}, n, func(i int) []any {
		id := base + int64(i) + 1
		created := start.Add(time.Duration(float64(span) * float64(i) / float64(n)))
		entry, author := "libres", s.r.IntN(s.opt.Users)
		category := s.userCat[author]
		var hubID, reactsTo, reactionType any
		if len(s.hubs) > 0 && s.r.IntN(100) < 15 {
			h := s.r.IntN(len(s.hubs))
			entry, author, hubID = "hubs", pick(s.r, s.members[h]), s.hubs[h].ID
			category = hub.AuthorCategory
			hubProposals = append(hubProposals, i)
		} else if len(hubProposals) > 0 && s.r.IntN(100) < 15 {
			t := pick(s.r, hubProposals)
			rt := pick(s.r, reactions)
			reactsTo, reactionType = base+int64(t)+1, rt
			for k, name := range []string{"soutient", "complete", "nuance", "conteste"} {
				if name == rt {
					s.counters[t][1+k]++
				}
			}
		}
		s.contrib[i] = synthContribution{author: author, created: created}
		dep := s.userDep[author]
		var depID, regionID any = dep, nil
		territory := dep
		if r, ok := regionOf[dep]; ok {
			regionID = r
		}
		if s.r.IntN(5) == 0 && regionID != nil {
			territory, depID = regionID.(int64), nil
		}
		// As on a real platform, a few contributions are withdrawn by their
		// author or hidden by moderation (counters are recounted after).
		status := "published"
		switch x := s.r.IntN(1000); {
		case x < 15:
			status = "withdrawn"
		case x < 20:
			status = "hidden"
		}
		return []any{id, s.cons.ID, entry, pick(s.r, s.cons.Axes).ID, hubID, s.userBase + int64(author) + 1,
			category, territory, regionID, depID, reactsTo, reactionType, synthTitle(s.r), synthBody(s.r),
			status, created, created}
	})
}

// supportCounts spreads the supports over the contributions by rank r with
// weight 1/(r+10), at most users-1 each (an author cannot support their own).
func supportCounts(n, total, users int) []int {
	limit := float64(users - 1)
	sum := func(a float64) float64 {
		t := 0.0
		for r := range n {
			t += math.Min(limit, a/float64(r+11))
		}
		return t
	}
	lo, hi := 0.0, float64(total)*float64(n)
	for range 100 {
		mid := (lo + hi) / 2
		if sum(mid) < float64(total) {
			lo = mid
		} else {
			hi = mid
		}
	}
	out := make([]int, n)
	acc := 0.0
	done := 0
	for r := range n {
		acc += math.Min(limit, hi/float64(r+11))
		out[r] = int(math.Round(acc)) - done
		done += out[r]
	}
	return out
}

func (s *synth) copySupports(ctx context.Context, tx pgx.Tx, base int64) (int, error) {
	n := len(s.contrib)
	counts := supportCounts(n, s.opt.Supports, s.opt.Users)
	rank := s.r.Perm(n) // rank r → contribution index
	users := s.opt.Users
	ci, j, start := 0, 0, 0
	k := 0
	next := func() ([]any, error) {
		for ci < n {
			c := rank[ci]
			if j == 0 {
				k, start = counts[ci], s.r.IntN(users)
			}
			if j < k {
				u := (start + j) % users
				j++
				if u == s.contrib[c].author {
					k = min(k+1, users) // skip the author, take one more
					continue
				}
				s.counters[c][0]++
				s.tick()
				at := s.contrib[c].created.Add(time.Duration(s.r.Int64N(int64(s.now.Sub(s.contrib[c].created)) + 1)))
				return []any{base + int64(c) + 1, s.userBase + int64(u) + 1, at}, nil
			}
			ci, j = ci+1, 0
		}
		return nil, nil
	}
	got, err := tx.CopyFrom(ctx, pgx.Identifier{"supports"}, []string{"contribution_id", "user_id", "created_at"}, pgx.CopyFromFunc(next))
	return int(got), err
}

func (s *synth) copyArguments(ctx context.Context, tx pgx.Tx, base, argBase int64, total int) (int, error) {
	n := len(s.contrib)
	stances := []string{"pour", "pour", "contre", "neutre"}
	lastTop := map[int]int64{}
	return s.copyRows(ctx, tx, "arguments", []string{"id", "contribution_id", "parent_id", "author_id", "author_category",
		"stance", "body", "created_at"}, total, func(i int) []any {
		c := int(float64(n) * math.Pow(s.r.Float64(), 3)) // skewed towards the oldest ids
		c = min(c, n-1)
		id := argBase + int64(i) + 1
		var parent any
		if p, ok := lastTop[c]; ok && s.r.IntN(4) == 0 {
			parent = p
		} else {
			lastTop[c] = id
		}
		u := s.r.IntN(s.opt.Users)
		st := pick(s.r, stances)
		for k, name := range []string{"pour", "contre", "neutre"} {
			if name == st {
				s.counters[c][5+k]++
			}
		}
		at := s.contrib[c].created.Add(time.Duration(s.r.Int64N(int64(s.now.Sub(s.contrib[c].created)) + 1)))
		body := "L'objectif est de " + pick(s.r, synthBenefits) + " : " + pick(s.r, synthProblems) + "."
		return []any{id, base + int64(c) + 1, parent, s.userBase + int64(u) + 1, s.userCat[u], st, body, at}
	})
}

func (s *synth) copyCounters(ctx context.Context, tx pgx.Tx, base int64) error {
	_, err := s.copyRows(ctx, tx, "contribution_counters", []string{"contribution_id", "supports", "reactions_soutient",
		"reactions_complete", "reactions_nuance", "reactions_conteste", "arguments_pour", "arguments_contre", "arguments_neutre"},
		len(s.counters), func(i int) []any {
			k := s.counters[i]
			return []any{base + int64(i) + 1, k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]}
		})
	return err
}
