package synthesis

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Excerpt is a contribution as the report cites it.
type Excerpt struct {
	ID        int64
	URL       string
	Title     string
	Excerpt   string
	Axis      string
	Entry     string
	Hub       string
	Supports  int
	Reactions [4]int // soutient, complete, nuance, conteste
	Status    string
}

// ReactionTypes are the labels of Excerpt.Reactions, in order.
var ReactionTypes = [4]string{"soutient", "complète", "nuance", "conteste"}

// Report is the synthesis of a view. Built twice from the same data, it is
// the same, to the byte once rendered: every list has a total order and the
// snapshot time is the time of the latest change in the data, not the time
// of the request.
type Report struct {
	Filters        []string
	Query          string
	Snapshot       time.Time // latest publication, edit or support in the view
	Hash           string    // SHA-256 of the data of the view
	Metrics        Metrics
	RegionsWith    []Count
	RegionsWithout []Count
	DepsWith       []Count
	DepsWithout    []Count
	TopSupported   []Excerpt
	HubProposals   []Excerpt
	HubTotal       int     // Hub proposals in the view (HubProposals holds the first ones)
	Expressions    []Theme // recurring two-word expressions (TF-IDF), a hint beside the themes
	Duplicates     []DuplicateGroup
	Empty          bool        // no contribution in the view
	Axes           []Breakdown // the axes of the view only
	Entries        []Breakdown // the entries of the view only
	Charts         []Chart
	Cross          []CrossTable
	Territories    Territories
	Themes         []ReportTheme // validated themes of the current analysis
	Retained       []RetainedItem
	Answers        Answers
}

// Sizes of the report's lists.
const (
	reportTopSupported = 10
	reportHubs         = 30
	reportThemes       = 15
	reportExpressions  = 10
	reportDuplicates   = 20
	reportDupMembers   = 8
	excerptRunes       = 280
)

// Report computes the synthesis of the view f in one pass over its
// contributions (themes, near-duplicates, most supported, Hub proposals and
// the data hash) plus the metrics queries.
func (s *Store) Report(ctx context.Context, refs Refs, f Filter) (Report, error) {
	r := Report{Filters: orWhole(f.Describe(refs)), Query: f.QueryString()}
	// The metrics queries run in PostgreSQL while this goroutine reads the rows.
	type metricsResult struct {
		m   Metrics
		err error
	}
	mc := make(chan metricsResult, 1)
	sc := make(chan reportDecisions, 1) // and so do the queries of the other sections
	go func() { sc <- s.loadDecisions(ctx, refs, f) }()
	go func() {
		m, err := s.Metrics(ctx, refs, f)
		mc <- metricsResult{m, err}
	}()

	h := sha256.New()
	fmt.Fprintf(h, "concertation-report-v1\x00%d\x00%s\x00", refs.ConsultationID, r.Query)
	// The expressions and the near-duplicates, the costly part (the words of
	// every text), are counted by two goroutines of their own, each in the
	// order of the rows as before, while this one reads the rows.
	themes := newThemeCounter()
	dups := newDupFinder()
	texts := newTextFanout(func(id int64, text string) { themes.add(id, text) },
		func(id int64, text string) { dups.add(id, text) })
	var top, hubs []Excerpt
	err := s.eachRow(ctx, refs, f, byID, newPseudonymizer(), func(row *Row) error {
		hashRow(h, row)
		texts.add(row.ID, row.Title+"\n"+row.Body)
		if t := row.updatedAt; t.After(r.Snapshot) {
			r.Snapshot = t
		}
		top = keepTop(top, row, reportTopSupported, func(a, b Excerpt) bool {
			return a.Supports > b.Supports || a.Supports == b.Supports && a.ID < b.ID
		})
		if row.Hub != "" {
			r.HubTotal++
			hubs = keepTop(hubs, row, reportHubs, func(a, b Excerpt) bool {
				ra, rb := sum4(a.Reactions), sum4(b.Reactions)
				return ra > rb || ra == rb && a.ID < b.ID
			})
		}
		return nil
	})
	texts.wait()
	mr := <-mc
	dec := <-sc
	if err == nil {
		err = dec.err
	}
	if err != nil {
		return r, err
	}
	if mr.err != nil {
		return r, mr.err
	}
	r.Metrics = mr.m
	r.RegionsWith, r.RegionsWithout = Covered(r.Metrics.Regions)
	r.DepsWith, r.DepsWithout = Covered(r.Metrics.Departements)
	r.TopSupported, r.HubProposals = top, hubs
	r.Expressions = themes.top(reportExpressions, true)
	r.Duplicates = dups.groups(reportDuplicates, reportDupMembers)
	if err := s.latestActivity(ctx, refs, f, &r.Snapshot); err != nil {
		return r, err
	}
	r.reportSections(refs, f, dec)
	hashSections(h, &r)
	r.Hash = hex.EncodeToString(h.Sum(nil))
	return r, s.fillExamples(ctx, &r)
}

// reportDecisions are the sections read besides the rows: cross-tables,
// validated themes, retained contributions and official answers.
type reportDecisions struct {
	cross    []CrossTable
	themes   []ReportTheme
	latest   time.Time // latest change of a validated theme
	retained []RetainedItem
	answers  Answers
	err      error
}

func (s *Store) loadDecisions(ctx context.Context, refs Refs, f Filter) (d reportDecisions) {
	if d.cross, d.err = s.CrossTables(ctx, refs, f); d.err != nil {
		return d
	}
	if d.themes, d.latest, d.err = s.reportThemes(ctx, refs, f); d.err != nil {
		return d
	}
	if d.retained, d.err = s.reportRetained(ctx, refs, f); d.err != nil {
		return d
	}
	d.answers, d.err = s.reportAnswers(ctx, refs, f)
	return d
}

// reportSections adds what the rapporteurs decided (validated themes,
// retained contributions, official answers) and the figures by axis,
// territory and inhabitant to r; the snapshot time moves to the latest
// decision.
func (r *Report) reportSections(refs Refs, f Filter, d reportDecisions) {
	r.Empty = r.Metrics.Contributions == 0
	for i, a := range r.Metrics.Axes {
		if len(f.Axes) == 0 || slices.Contains(f.Axes, refs.Axes[i].ID) {
			r.Axes = append(r.Axes, a)
		}
	}
	for i, e := range r.Metrics.Entries {
		if len(f.Entries) == 0 || slices.Contains(f.Entries, refs.Entries[i].Kind) {
			r.Entries = append(r.Entries, e)
		}
	}
	r.Charts = reportCharts(r.Metrics, r.Axes, r.Entries)
	r.Cross = d.cross
	r.Territories = PerInhabitant(r.Metrics)
	r.Themes, r.Retained, r.Answers = d.themes, d.retained, d.answers
	r.Answers.Without = r.Metrics.Contributions - r.Answers.Total
	later := func(t time.Time) {
		if t.After(r.Snapshot) {
			r.Snapshot = t
		}
	}
	later(d.latest)
	for _, it := range r.Retained {
		later(it.RetainedAt)
	}
	for _, it := range r.Answers.Items {
		later(it.AnsweredAt)
	}
}

// hashSections feeds the rapporteurs' decisions into the data hash: the
// validated themes with their contributions, the retained contributions with
// their public notes, and the official answers.
func hashSections(h hash.Hash, r *Report) {
	for _, t := range r.Themes {
		fmt.Fprintf(h, "theme\x00%d\x00%s\x00%d\x00%d\x00", t.ID, t.Label, t.InView, t.Changes)
		for _, q := range t.Quotes {
			fmt.Fprintf(h, "%d\x00", q.ID)
		}
	}
	for _, it := range r.Retained {
		fmt.Fprintf(h, "retained\x00%d\x00%s\x00%s\x00", it.ID, it.PublicNote, strings.Join(it.Tags, "|"))
	}
	for _, it := range r.Answers.Items {
		fmt.Fprintf(h, "answer\x00%d\x00%s\x00%s\x00", it.ID, it.State, it.Answer)
	}
}

// reportCharts are the charts of the statistics page, for the axes and
// entries of the view.
func reportCharts(m Metrics, axes, entries []Breakdown) []Chart {
	var ax, en []Count
	for _, a := range axes {
		c := a.Count
		c.Label = strings.SplitN(c.Label, " :", 2)[0]
		ax = append(ax, c)
	}
	for _, e := range entries {
		en = append(en, e.Count)
	}
	var timeline []Count
	for _, tc := range m.Timeline {
		timeline = append(timeline, Count{Label: tc.Label, Contributions: tc.Contributions})
	}
	return []Chart{
		{ID: "axes", Title: "Contributions par axe", Bars: ax},
		{ID: "entrees", Title: "Contributions par entrée", Bars: en},
		{ID: "categories", Title: "Contributions par catégorie d'auteur", Bars: m.ByCategory},
		{ID: "regions", Title: "Contributions par région", Bars: m.Regions},
		{ID: "temps", Title: "Contributions publiées par " + m.Bucket, Bars: timeline},
	}
}

// hashRow feeds the fields of a row that the report depends on.
func hashRow(h hash.Hash, r *Row) {
	var b [8]byte
	num := func(n int64) {
		binary.BigEndian.PutUint64(b[:], uint64(n))
		h.Write(b[:])
	}
	str := func(s string) {
		num(int64(len(s)))
		h.Write([]byte(s))
	}
	num(r.ID)
	num(r.authorID)
	num(r.axisID)
	num(r.ReactsTo)
	num(int64(r.Supports))
	for _, n := range r.Reactions {
		num(int64(n))
	}
	for _, n := range r.Arguments {
		num(int64(n))
	}
	num(r.CreatedAt.UnixMicro())
	num(r.updatedAt.UnixMicro())
	for _, s := range []string{r.Entry, r.Hub, r.RegionCode, r.DepartementCode, r.Category, r.ReactionType, r.Title, r.Body, r.Status, r.Tags, strconv.FormatBool(r.Retained)} {
		str(s)
	}
}

// latestActivity moves snapshot to the latest support or argument on the
// contributions of the view, if later.
func (s *Store) latestActivity(ctx context.Context, refs Refs, f Filter, snapshot *time.Time) error {
	var a sqlArgs
	where := f.Where(refs, &a)
	var latest sql.NullTime
	err := s.sql().QueryRowContext(ctx, `SELECT greatest(
		(SELECT max(s.created_at) FROM contributions c JOIN supports s ON s.contribution_id = c.id WHERE `+where+`),
		(SELECT max(g.created_at) FROM contributions c JOIN arguments g ON g.contribution_id = c.id WHERE `+where+`))`, a...).Scan(&latest)
	if err != nil {
		return fmt.Errorf("latest activity: %w", err)
	}
	if latest.Valid && latest.Time.After(*snapshot) {
		*snapshot = latest.Time
	}
	return nil
}

// fillExamples loads the titles of the contributions behind the themes and
// of the near-duplicate groups, in one query.
func (s *Store) fillExamples(ctx context.Context, r *Report) error {
	var ids []int64
	for _, t := range r.Expressions {
		ids = append(ids, t.exampleIDs...)
	}
	for _, g := range r.Duplicates {
		ids = append(ids, g.ids...)
	}
	titles := map[int64]string{}
	if len(ids) > 0 {
		err := queryEach(ctx, s.sql(), `SELECT id, title FROM contributions WHERE id = ANY($1)`, []any{ids}, func(rs *sql.Rows) error {
			var id int64
			var title string
			err := rs.Scan(&id, &title)
			titles[id] = title
			return err
		})
		if err != nil {
			return fmt.Errorf("report titles: %w", err)
		}
	}
	cite := func(ids []int64) []Excerpt {
		out := make([]Excerpt, 0, len(ids))
		for _, id := range ids {
			out = append(out, Excerpt{ID: id, URL: s.Permalink(id), Title: titles[id]})
		}
		return out
	}
	for i := range r.Expressions {
		r.Expressions[i].Examples = cite(r.Expressions[i].exampleIDs)
	}
	for i := range r.Duplicates {
		r.Duplicates[i].Members = cite(r.Duplicates[i].ids)
	}
	return nil
}

func excerptOf(r *Row) Excerpt {
	return Excerpt{ID: r.ID, URL: r.URL, Title: r.Title, Excerpt: excerpt(r.Body, excerptRunes),
		Axis: fmt.Sprintf("Axe %d", r.AxisPosition), Entry: r.Entry, Hub: r.Hub,
		Supports: r.Supports, Reactions: r.Reactions, Status: r.Status}
}

// excerpt cuts text to about n characters, at a word boundary, on one line.
func excerpt(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	runes := []rune(text)[:n]
	cut := string(runes)
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return cut + " …"
}

// keepTop inserts row into the sorted list, kept to n items; the excerpt is
// built only when the row makes it into the list.
func keepTop(list []Excerpt, row *Row, n int, less func(a, b Excerpt) bool) []Excerpt {
	e := Excerpt{ID: row.ID, Supports: row.Supports, Reactions: row.Reactions}
	if len(list) == n && !less(e, list[n-1]) {
		return list
	}
	e = excerptOf(row)
	i := sort.Search(len(list), func(i int) bool { return less(e, list[i]) })
	list = append(list, Excerpt{})
	copy(list[i+1:], list[i:])
	list[i] = e
	if len(list) > n {
		list = list[:n]
	}
	return list
}

func sum4(a [4]int) int { return a[0] + a[1] + a[2] + a[3] }

// textFanout hands the texts of the rows, in batches and in their order, to
// one goroutine per consumer, so that consumers run side by side without
// sharing anything.
type textFanout struct {
	batch []idText
	chans []chan []idText
	done  sync.WaitGroup
}

type idText struct {
	id   int64
	text string
}

const fanoutBatch = 512

func newTextFanout(consumers ...func(id int64, text string)) *textFanout {
	t := &textFanout{}
	for _, consume := range consumers {
		ch := make(chan []idText, 8)
		t.chans = append(t.chans, ch)
		t.done.Add(1)
		go func() {
			defer t.done.Done()
			for batch := range ch {
				for _, it := range batch {
					consume(it.id, it.text)
				}
			}
		}()
	}
	return t
}

func (t *textFanout) add(id int64, text string) {
	t.batch = append(t.batch, idText{id, text})
	if len(t.batch) == fanoutBatch {
		t.flush()
	}
}

// flush sends the batch to every consumer; they only read it.
func (t *textFanout) flush() {
	if len(t.batch) == 0 {
		return
	}
	for _, ch := range t.chans {
		ch <- t.batch
	}
	t.batch = make([]idText, 0, fanoutBatch)
}

// wait sends what is left and waits until every consumer has seen it all.
func (t *textFanout) wait() {
	t.flush()
	for _, ch := range t.chans {
		close(ch)
	}
	t.done.Wait()
}
