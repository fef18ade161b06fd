package query

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Background statistics: how often the figures that need a scan (distinct
// contributors, the timeline, any figure of a view the rollup cannot answer)
// are computed again, how long one computation may take, how many views are
// kept, and how many may wait for their computation.
//
// After each computation the worker rests statsRest times as long as it
// took, so that it holds at most a quarter of one core. A computation of a
// filtered view scans its contributions for up to seconds at 1,000,000;
// visitors who each ask for a view of their own (random filters in the
// national benchmark's mixed profile) kept one database process busy for
// the whole run, and the lists, pages and searches waited behind it. Resting
// as long as it took still left 0.65 of a core of the database busy after
// such a load; resting three times as long, 0.17, and the mixed profile
// served 9 % more (alternated A/B at 1,000,000: 1,341-1,407 against
// 1,426-1,602 req/s). A view that finds the queue full is asked for again by
// its next request; the whole consultation's figures go first.
const (
	statsEvery   = 5 * time.Minute
	statsTimeout = 2 * time.Minute
	statsViews   = 200
	statsQueue   = 32
	statsRest    = 3
)

// statsCache keeps the scanned figures of the views asked for. One
// computation runs at a time across requests: the others wait for their
// turn, and a request never waits for one.
type statsCache struct {
	mu      sync.Mutex
	entries map[string]*statsEntry
	running bool
	queue   []string // keys waiting, oldest first
	// compute computes the figures of a view (ExactMetrics when nil) and
	// rest waits after a computation (time.Sleep when nil): tests set them.
	compute func(ctx context.Context, refs Refs, f Filter) (Metrics, error)
	rest    func(time.Duration)
}

type statsEntry struct {
	f        Filter
	refs     Refs
	m        Metrics // zero until computed
	done     bool
	asked    time.Time
	computed time.Time
}

// Stats returns the figures of the public view f, as /statistiques shows them
// to anyone: no request scans the contributions. The numbers of contributions
// come from the rollup, exact and current; the distinct contributors and the
// timeline from a computation made in the background once per statsEvery
// (Pending until the first one ends). A view the rollup cannot answer (a
// text, a period) gets all its figures from the background.
func (s *Service) Stats(ctx context.Context, refs Refs, f Filter) (Metrics, error) {
	f.Public, f.Statuses = true, []string{StatusPublished}
	if f.ConsultationID == 0 {
		f.ConsultationID = refs.ConsultationID
	}
	scanned, ok := s.scanned(refs, f)
	if !f.OnCells() {
		if !ok {
			scanned = emptyMetrics(refs)
			scanned.Pending = true
		}
		return scanned, nil
	}
	snap, err := s.rollup.get(ctx, false)
	if err != nil {
		return Metrics{}, err
	}
	m := snap.metrics(refs, s.rollup.matcher(&f))
	answers, err := s.answerCounts(ctx, f)
	if err != nil {
		return Metrics{}, err
	}
	m.Answers = answerBreakdown(answers)
	if ok {
		m.Contributors, m.Timeline, m.Bucket, m.ComputedAt = scanned.Contributors, scanned.Timeline, scanned.Bucket, scanned.ComputedAt
		contributors := func(dst []Count, src []Count) {
			for i := range dst {
				if i < len(src) && src[i].Code == dst[i].Code {
					dst[i].Contributors = src[i].Contributors
				}
			}
		}
		contributors(m.ByCategory, scanned.ByCategory)
		contributors(m.Regions, scanned.Regions)
		contributors(m.Departements, scanned.Departements)
		contributors(m.Assisted, scanned.Assisted)
		for i := range m.Axes {
			if i < len(scanned.Axes) {
				m.Axes[i].Contributors = scanned.Axes[i].Contributors
				contributors(m.Axes[i].ByCategory, scanned.Axes[i].ByCategory)
			}
		}
		for i := range m.Entries {
			if i < len(scanned.Entries) {
				m.Entries[i].Contributors = scanned.Entries[i].Contributors
				contributors(m.Entries[i].ByCategory, scanned.Entries[i].ByCategory)
			}
		}
	} else {
		m.Pending = true
	}
	return m, nil
}

// scanned returns the background figures of f when they exist, and asks for
// them (or for their refresh, once per statsEvery) otherwise.
func (s *Service) scanned(refs Refs, f Filter) (Metrics, bool) {
	key := strconv.FormatInt(f.ConsultationID, 10) + "|" + f.QueryString()
	c := &s.stats
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]*statsEntry{}
	}
	e, ok := c.entries[key]
	if !ok {
		if len(c.entries) >= statsViews {
			c.evict()
		}
		e = &statsEntry{f: f, refs: refs}
		c.entries[key] = e
	}
	e.asked = time.Now()
	if !e.done || time.Since(e.computed) > statsEvery {
		c.enqueue(key, f.QueryString() == "")
		if !c.running {
			c.running = true
			go s.computeStats()
		}
	}
	return e.m, e.done
}

// enqueue adds key to the queue unless it waits there already or the queue
// is full; first puts it at the head, full or not. c.mu is held.
func (c *statsCache) enqueue(key string, first bool) {
	for _, k := range c.queue {
		if k == key {
			return
		}
	}
	switch {
	case first:
		c.queue = append([]string{key}, c.queue...)
	case len(c.queue) < statsQueue:
		c.queue = append(c.queue, key)
	}
}

// evict drops the view asked for the longest time ago. c.mu is held.
func (c *statsCache) evict() {
	oldest := ""
	for k, e := range c.entries {
		if oldest == "" || e.asked.Before(c.entries[oldest].asked) {
			oldest = k
		}
	}
	delete(c.entries, oldest)
}

// computeStats computes the queued views one after the other, then stops.
func (s *Service) computeStats() {
	c := &s.stats
	for {
		c.mu.Lock()
		if len(c.queue) == 0 {
			c.running = false
			c.mu.Unlock()
			return
		}
		key := c.queue[0]
		c.queue = c.queue[1:]
		e, ok := c.entries[key]
		if !ok || (e.done && time.Since(e.computed) <= statsEvery) {
			c.mu.Unlock()
			continue
		}
		f, refs := e.f, e.refs
		compute, rest := c.compute, c.rest
		c.mu.Unlock()
		if compute == nil {
			compute = func(ctx context.Context, refs Refs, f Filter) (Metrics, error) {
				return ExactMetrics(ctx, s.db.ReadSQL(ctx), refs, f)
			}
		}
		if rest == nil {
			rest = time.Sleep
		}
		ctx, cancel := context.WithTimeout(context.Background(), statsTimeout)
		start := time.Now()
		m, err := compute(ctx, refs, f)
		cancel()
		rest(statsRest * time.Since(start)) // statsRest's comment
		if err != nil {
			s.log().Error("background statistics", "view", key, "err", err)
			continue // asked again by the next request
		}
		c.mu.Lock()
		if e, ok := c.entries[key]; ok {
			e.m, e.done, e.computed = m, true, time.Now()
		}
		c.mu.Unlock()
	}
}

// emptyMetrics returns the figures of a view with nothing in it, every
// category, axis, entry and territory listed with zeros.
func emptyMetrics(refs Refs) Metrics {
	var m Metrics
	fill(refs, &m, func(int64, string, string, int64, int64) int { return 0 })
	m.Answers = answerBreakdown(nil)
	m.Assisted = assistedCounts(func(bool) [2]int { return [2]int{} })
	m.Bucket = "jour"
	return m
}

// metrics counts the contributions of f by dimension from the cells.
func (s *snapshot) metrics(refs Refs, m matcher) Metrics {
	type axisCat struct {
		axis int64
		cat  string
	}
	type entryCat struct {
		entry, cat string
	}
	byAxis, byEntry := map[axisCat]int{}, map[entryCat]int{}
	regions, deps := map[int64]int{}, map[int64]int{}
	assisted := map[bool]int{}
	for i := range s.cells {
		c := &s.cells[i]
		if c.n == 0 || m.misses(c) != 0 {
			continue
		}
		byAxis[axisCat{c.axis, c.category}] += c.n
		byAxis[axisCat{c.axis, ""}] += c.n
		byAxis[axisCat{0, c.category}] += c.n
		byAxis[axisCat{0, ""}] += c.n
		byEntry[entryCat{c.entry, c.category}] += c.n
		byEntry[entryCat{c.entry, ""}] += c.n
		if c.region != 0 {
			regions[c.region] += c.n
		}
		if c.departement != 0 {
			deps[c.departement] += c.n
		}
		assisted[c.assisted] += c.n
	}
	var out Metrics
	fill(refs, &out, func(axis int64, entry, cat string, region, dep int64) int {
		switch {
		case region != 0:
			return regions[region]
		case dep != 0:
			return deps[dep]
		case entry != "":
			return byEntry[entryCat{entry, cat}]
		}
		return byAxis[axisCat{axis, cat}]
	})
	out.Assisted = assistedCounts(func(b bool) [2]int { return [2]int{assisted[b], 0} })
	out.Bucket = "jour"
	return out
}

// fill lays out the figures of m in the reference order with count, which
// returns the number of contributions of one axis (0: any) and category
// ("": any), of one entry and category, of one région or of one département.
func fill(refs Refs, m *Metrics, count func(axis int64, entry, cat string, region, dep int64) int) {
	cats := func(axis int64, entry string) []Count {
		out := make([]Count, 0, len(refs.Categories))
		for _, c := range refs.Categories {
			out = append(out, Count{Code: c.Code, Label: c.Label, Contributions: count(axis, entry, c.Code, 0, 0)})
		}
		return out
	}
	m.Contributions = count(0, "", "", 0, 0)
	m.ByCategory = cats(0, "")
	for _, ax := range refs.Axes {
		m.Axes = append(m.Axes, Breakdown{
			Count:      Count{Code: ax.Slug, Label: fmt.Sprintf("Axe %d : %s", ax.Position, ax.Title), Contributions: count(ax.ID, "", "", 0, 0)},
			ByCategory: cats(ax.ID, ""),
		})
	}
	for _, e := range refs.Entries {
		m.Entries = append(m.Entries, Breakdown{
			Count:      Count{Code: e.Slug, Label: e.Title, Contributions: count(0, e.Kind, "", 0, 0)},
			ByCategory: cats(0, e.Kind),
		})
	}
	for _, t := range refs.Regions {
		m.Regions = append(m.Regions, Count{Code: t.Code, Label: t.Name, Contributions: count(0, "", "", t.ID, 0)})
	}
	for _, t := range refs.Departements {
		m.Departements = append(m.Departements, Count{Code: t.Code, Label: t.Name + " (" + t.Code + ")", Contributions: count(0, "", "", 0, t.ID)})
	}
}
