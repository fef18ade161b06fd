package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cnr-numerique/concertation/app/answer"
	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/gofiber/fiber/v2"
)

// Stored pages. Contribution pages are asked for at random among a million,
// so a cache of recent pages rarely holds the one asked for, and reading a
// contribution with its arguments, counts and authors, then rendering it,
// costs more than the rest of the request. The main part of each page, as
// visitors who are not signed in see it, is therefore rendered in advance
// and stored (contribution.StoredPage): a visit reads one row by its key.
//
// A stored page is exact: the triggers of migration 00080 mark it stale in
// the transaction of any change of what it shows, and a stale page is not
// served (the visit renders it as before). The page renderer
// (RunPageRenderer) renders again the stale ones; it saves a page only if it
// has not changed since the version it read. What the rows do not hold (the
// code's markup, the consultation's axes and phase, the reference data) is
// in the page's key: a page rendered with another key is not served either.
// The count of supports, which changes at every toggle, is not stored: it is
// written in at each visit, from the copy of the listing that lists count
// their cards with (query.Service.Supports: at most a poll behind, as lists
// and the anonymous pages kept 2 s are), or else read with the page.

// pageFormat is the version of the stored page's markup and of how it is
// stored (compressed parts around the count): change it with either. The
// key also holds a rendering of sample pages (pageProbe), so that a change
// of the markup changes it even when this is forgotten.
const pageFormat = "contribution-main 1"

// pagePath is the address of contribution id's page, the one its stored
// page was rendered for (it links back to it).
func pagePath(id int64) string { return "/contributions/" + strconv.FormatInt(id, 10) }

// pageKeys memoises the key of the stored pages for the reference data and
// consultation it was made from.
type pageKeys struct {
	mu    sync.Mutex
	refs  *contribution.Reference
	input pageInput
	key   string
	probe string // pageProbe's rendering, made once
}

// pageInput is what of the consultation the main part of a page shows.
type pageInput struct {
	consultation int64
	open         bool
	axes         []axisShown
}

type axisShown struct {
	id       int64
	position int
	title    string
	slug     string
}

func (in *pageInput) equal(p Page) bool {
	if in.consultation != p.Consultation.ID || in.open != p.Open() || len(in.axes) != len(p.Consultation.Axes) {
		return false
	}
	for i, a := range p.Consultation.Axes {
		if in.axes[i] != (axisShown{a.ID, a.Position, a.Title, a.Slug}) {
			return false
		}
	}
	return true
}

// pageKey returns the key of the pages as p shows them.
func (s *Server) pageKey(ctx context.Context, p Page) (string, error) {
	refs, err := s.Contributions.Refs(ctx)
	if err != nil {
		return "", err
	}
	k := &s.pageKeys
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.refs == refs && k.input.equal(p) {
		return k.key, nil
	}
	in := pageInput{consultation: p.Consultation.ID, open: p.Open()}
	for _, a := range p.Consultation.Axes {
		in.axes = append(in.axes, axisShown{a.ID, a.Position, a.Title, a.Slug})
	}
	if k.probe == "" {
		k.probe = pageProbe()
	}
	data, err := json.Marshal([]any{refs.Categories, refs.Regions, refs.Departements, refs.Hubs}) // values, not pointers
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s|%d|%t", pageFormat, in.consultation, in.open)
	for _, a := range in.axes {
		fmt.Fprintf(h, "|%d:%d:%q:%q", a.id, a.position, a.title, a.slug)
	}
	fmt.Fprintf(h, "\n%s\n%s", k.probe, data)
	k.refs, k.input, k.key = refs, in, hex.EncodeToString(h.Sum(nil))[:32]
	return k.key, nil
}

// pageProbe renders sample pages that go through every part of the main
// part's markup.
func pageProbe() string {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	author, parent, reaction, reason := int64(7), int64(11), contribution.ReactionTypes[1], "Propos injurieux"
	p := Page{Phase: consultation.PhaseOpen}
	hubProposal := contributionShowPage{Page: p, Back: pagePath(3), AxisLabel: "Axe 1 : <Axe>", AxisSlug: "axe-1",
		C: contribution.View{Contribution: contribution.Contribution{ID: 3, Entry: contribution.EntryHubs,
			Title: "Titre & « guillemets »", Status: contribution.StatusPublished, CreatedAt: at, EditedAt: &at},
			Counters: contribution.Counters{ReactionsComplete: 2, ArgumentsPour: 1, ArgumentsNeutre: 2},
			HubName:  "Hub <test>", HubSlug: "hub-test", TerritoryName: "Bretagne", TerritoryKind: "region"},
		Body:   template.HTML("<p>Texte</p>"),
		Answer: &answer.Answer{State: answer.State("retenue"), Body: "Réponse.\n\nSuite", UpdatedAt: at},
		Arguments: []argumentThread{{Argument: contribution.Argument{ID: 11, Stance: contribution.Stances[0], Body: "Pour\n\nparce que",
			Status: contribution.StatusPublished, CreatedAt: at, AuthorName: "Léa",
			Replies: []contribution.Argument{{ID: 12, ParentID: &parent, Stance: contribution.Stances[1], Status: contribution.StatusHidden,
				HiddenReason: &reason, CreatedAt: at}}}}},
		Reactions: []contribution.View{{Contribution: contribution.Contribution{ID: 5, Title: "Réaction", ReactionType: &reaction}}},
		CanReact:  true,
		Support:   supportView{ID: 3, Count: 2, Unit: "soutiens", Open: true, Back: pagePath(3)},
	}
	free := contributionShowPage{Page: Page{Phase: consultation.PhaseClosed}, Back: pagePath(5),
		C: contribution.View{Contribution: contribution.Contribution{ID: 5, Entry: contribution.EntryLibres, Title: "Réaction",
			Status: contribution.StatusPublished, AuthorID: &author, ReactsToID: &parent, ReactionType: &reaction, Assisted: true, CreatedAt: at},
			AuthorName: "Jo", CategoryLabel: "Citoyen·ne", TerritoryName: "Finistère", TerritoryCode: "29", ReactsToTitle: "Titre", ReactsToHub: "Hub"},
		Support: supportView{ID: 5, Count: 1, Unit: "soutien", Back: pagePath(5)},
	}
	hidden := contributionShowPage{C: contribution.View{Contribution: contribution.Contribution{ID: 6, Status: contribution.StatusHidden, HiddenReason: &reason}}}
	withdrawn := contributionShowPage{C: contribution.View{Contribution: contribution.Contribution{ID: 8, Status: contribution.StatusWithdrawn, Title: "Retirée"}}}
	var b strings.Builder
	for _, d := range []*contributionShowPage{&hubProposal, &free, &hidden, &withdrawn} {
		d.writeContributionMain(&b)
	}
	return b.String()
}

// storedShown is a stored page as a visit serves it: its compressed parts
// and the count of supports to write between them.
type storedShown struct {
	page     contribution.StoredPage
	supports int
}

// count returns what goes between the parts: the count and its unit.
func (st *storedShown) count() string {
	var b strings.Builder
	writeSupportCount(&b, st.supports, supportUnit(st.supports))
	return b.String()
}

// html returns the main part uncompressed.
func (st *storedShown) html() (shownContribution, error) {
	p := &st.page
	if p.Cut < 0 || p.Cut > len(p.Main) {
		h, err := inflate(p.Main)
		return shownContribution{Title: p.Title, HTML: template.HTML(h)}, err // saved from writeContributionMain
	}
	head, err := inflate(p.Main[:p.Cut])
	if err != nil {
		return shownContribution{}, err
	}
	tail, err := inflate(p.Main[p.Cut:])
	return shownContribution{Title: p.Title, HTML: template.HTML(head + st.count() + tail)}, err // saved from writeContributionMain
}

// storedMain returns contribution id's stored page, ok false when it is not
// stored or is stale.
func (s *Server) storedMain(ctx context.Context, p Page, id int64) (shown storedShown, ok bool, err error) {
	key, err := s.pageKey(ctx, p)
	if err != nil {
		return storedShown{}, false, err
	}
	supports, counted := s.Query.Supports(ctx, id)
	var b db.Batch
	get := s.Contributions.QueuePage(&b, id, key, !counted)
	if err := s.DB.Run(ctx, &b); err != nil {
		return storedShown{}, false, fmt.Errorf("stored page %d: %w", id, err)
	}
	page, found := get()
	if !found {
		return storedShown{}, false, nil
	}
	if !counted {
		supports = page.Supports
	}
	return storedShown{page: page, supports: supports}, true, nil
}

// storedMainHTML is storedMain, uncompressed.
func (s *Server) storedMainHTML(ctx context.Context, p Page, id int64) (shownContribution, bool, error) {
	st, ok, err := s.storedMain(ctx, p, id)
	if err != nil || !ok {
		return shownContribution{}, ok, err
	}
	shown, err := st.html()
	return shown, err == nil, err
}

// writeStored answers with the page of st, compressed from its parts, when
// the browser takes gzip and the layout has a frame; ok is false otherwise
// (the page is then written as any other). The answer is byte for byte the
// page written as any other, compressed: TestStoredPageAnswers compares them.
func (s *Server) writeStored(c *fiber.Ctx, p Page, st *storedShown) (ok bool) {
	if !c.Request().Header.HasAcceptEncoding("gzip") {
		return false
	}
	p.Title = st.page.Title
	f := s.render.frameFor(&p)
	if f == nil {
		return false
	}
	z := f.deflatedParts()
	page := &st.page
	g := newGzipPage(len(page.Main) + z.size + 256)
	g.deflated(z.head)
	g.rawEscaped(p.CSRF)
	g.deflated(z.mid)
	if f.titled {
		g.rawEscaped(p.Title)
	}
	g.deflated(z.beforeMain)
	if page.Cut < 0 || page.Cut > len(page.Main) {
		g.part(page.Main, page.HeadCRC, page.HeadSize)
	} else {
		g.part(page.Main[:page.Cut], page.HeadCRC, page.HeadSize)
		g.raw(st.count())
		g.part(page.Main[page.Cut:], page.TailCRC, page.TailSize)
	}
	g.deflated(z.tail)
	body := g.finish()
	c.Status(http.StatusOK)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentEncoding, "gzip")
	c.Append(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
	c.Set(fiber.HeaderETag, htmlETag(g.size, g.crc)) // that of the page uncompressed, as pageETag gives
	c.Response().SetBodyRaw(body)
	return true
}

// anonymousPage is the page as a visitor who is not signed in sees it.
func (s *Server) anonymousPage(ctx context.Context) (Page, error) {
	cons, err := s.Contributions.CachedConsultation(ctx)
	if err != nil {
		return Page{}, err
	}
	return Page{Consultation: cons, Phase: cons.PhaseAt(s.Now())}, nil
}

// renderStored renders contribution id's page to store, from the rows as
// they are now; the page's version must have been read before them. A
// contribution that has no page to store (another consultation's, or one
// deleted meanwhile) gives a page of negative version (see SavePages).
func (s *Server) renderStored(ctx context.Context, p Page, v contribution.PageVersion) (contribution.StoredPage, error) {
	data, err := s.showData(ctx, nil, p, v.ID, pagePath(v.ID))
	if errors.Is(err, errContributionNotFound) {
		return contribution.StoredPage{ID: v.ID, Version: -v.Version, Cut: -1}, nil
	}
	if err != nil {
		return contribution.StoredPage{}, err
	}
	var counted [2]int
	counted[0] = -1
	data.Support.counted = &counted
	var b strings.Builder
	b.Grow(8 << 10)
	data.writeContributionMain(&b)
	html := b.String()
	page := contribution.StoredPage{ID: v.ID, Version: v.Version, Title: data.Title, Cut: -1}
	if counted[0] < 0 {
		d := deflate(html)
		page.Main, page.HeadCRC, page.HeadSize = d.data, d.crc, d.size
		return page, nil
	}
	head, tail := deflate(html[:counted[0]]), deflate(html[counted[1]:])
	page.Main = append(head.data, tail.data...)
	page.Cut, page.HeadCRC, page.HeadSize, page.TailCRC, page.TailSize = len(head.data), head.crc, head.size, tail.crc, tail.size
	return page, nil
}

// renderFault, set by tests, makes the render of a page fail.
var renderFault func(id int64) error

// pageBatch is how many pages the renderer reads and saves at a time.
const pageBatch = 200

// renderPages renders and saves the pages of one batch with workers at a
// time, and returns how many it saved. With r (the renderer of serve), a
// page that failed is not tried again before its retry time (pageFailures).
func (s *Server) renderPages(ctx context.Context, p Page, key string, batch []contribution.PageVersion, workers int, r *renderer) (int, error) {
	if r != nil {
		batch = r.failures.due(batch, time.Now())
		if len(batch) == 0 {
			return 0, nil
		}
	}
	pages := make([]contribution.StoredPage, len(batch))
	errs := make([]error, len(batch))
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(workers, 1) {
		wg.Go(func() {
			for i := range next {
				if renderFault != nil {
					if errs[i] = renderFault(batch[i].ID); errs[i] != nil {
						continue
					}
				}
				pages[i], errs[i] = s.renderStored(ctx, p, batch[i])
			}
		})
	}
	for i := range batch {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	// A page that fails to render stays stale, so its visits render it as
	// before and it is tried again later; the others are saved.
	rendered := pages[:0]
	failed := 0
	for i, err := range errs {
		v := batch[i]
		if err == nil {
			rendered = append(rendered, pages[i])
			if r != nil {
				r.failures.ok(v.ID)
			}
			continue
		}
		failed++
		if r == nil {
			s.Log.Warn("pages: a contribution page could not be rendered in advance", "id", v.ID, "err", err)
			continue
		}
		n, retry := r.failures.failed(v, time.Now())
		s.Log.Warn("pages: a contribution page could not be rendered in advance", "id", v.ID, "err", err,
			"attempts", n, "retry_in", retry.Round(time.Millisecond))
	}
	saved, err := s.Contributions.SavePages(ctx, key, rendered)
	if err == nil && failed > 1 && failed == len(batch) {
		// Every page of the batch: a fault of the renderer or of the
		// database rather than of pages; the round stops there.
		err = fmt.Errorf("pages: all %d pages of a batch failed to render: %w", failed, errs[0])
	}
	return saved, err
}

// pageFailures holds the pages that failed to render, so that one that keeps
// failing is tried again (and logged) after a delay that doubles, from
// failRetry up to failRetryMax, rather than at every round (500 ms). A change
// of the page (a new version) makes it due at once.
type pageFailures map[int64]pageFailure

type pageFailure struct {
	version int64
	n       int
	next    time.Time
}

const (
	failRetry    = time.Second
	failRetryMax = 10 * time.Minute
	// failKept bounds the pages remembered: past it, the others are tried
	// at every round, as before.
	failKept = 10_000
)

// due returns the pages of batch to try now.
func (f pageFailures) due(batch []contribution.PageVersion, now time.Time) []contribution.PageVersion {
	if len(f) == 0 {
		return batch
	}
	out := make([]contribution.PageVersion, 0, len(batch))
	for _, v := range batch {
		if x, ok := f[v.ID]; ok && x.version == v.Version && now.Before(x.next) {
			continue
		}
		out = append(out, v)
	}
	return out
}

// failed records a failure of v, and returns its count and the delay before
// the next try.
func (f pageFailures) failed(v contribution.PageVersion, now time.Time) (int, time.Duration) {
	x, ok := f[v.ID]
	if !ok && len(f) >= failKept {
		return 1, 0
	}
	if x.version != v.Version {
		x = pageFailure{version: v.Version}
	}
	x.n++
	wait := failRetryMax
	if x.n <= 20 {
		wait = min(failRetry<<(x.n-1), failRetryMax)
	}
	x.next = now.Add(wait)
	f[v.ID] = x
	return x.n, wait
}

// ok forgets the failures of a page rendered.
func (f pageFailures) ok(id int64) {
	if len(f) > 0 {
		delete(f, id)
	}
}

// RenderPages renders every page that is stale or rendered with another key,
// with workers at a time, and returns how many it saved: a pass claimed for
// its key (see sweep). It reads the primary: a page rendered from a replica
// behind it would be stored as current.
func (s *Server) RenderPages(ctx context.Context, workers int) (int, error) {
	ctx = db.WithPrimary(ctx)
	p, err := s.anonymousPage(ctx)
	if err != nil {
		return 0, err
	}
	key, err := s.pageKey(ctx, p)
	if err != nil {
		return 0, err
	}
	now, err := s.DB.Now(ctx)
	if err != nil {
		return 0, err
	}
	return s.sweep(ctx, p, key, now, workers, nil)
}

// sweep claims the pages for key (saves with another key are refused from
// then on), renders every page rendered with another key or stale, and
// records the pass as done.
func (s *Server) sweep(ctx context.Context, p Page, key string, started time.Time, workers int, r *renderer) (int, error) {
	if err := s.Contributions.ClaimPages(ctx, key, started); err != nil {
		return 0, err
	}
	n, err := s.renderAll(ctx, p, key, true, workers, r)
	if err != nil {
		return n, err
	}
	return n, s.Contributions.PagesSwept(ctx, key)
}

func (s *Server) renderAll(ctx context.Context, p Page, key string, sweep bool, workers int, r *renderer) (int, error) {
	saved := 0
	for after := int64(0); ; {
		batch, err := s.Contributions.StalePages(ctx, key, after, sweep, pageBatch)
		if err != nil || len(batch) == 0 {
			return saved, err
		}
		n, err := s.renderPages(ctx, p, key, batch, workers, r)
		if err != nil {
			return saved, err
		}
		saved += n
		after = batch[len(batch)-1].ID
	}
}

// pagesCheck is how often the renderer reads the claim of the pages: another
// server with another key (a deploy, a rollback) may have claimed them.
const pagesCheck = time.Minute

// renderer is what RunPageRenderer knows between rounds.
type renderer struct {
	swept    string    // the key it last found the pages claimed for, or left to another server
	checked  time.Time // when it last read the claim
	started  time.Time // the database's clock at its first round
	yield    bool      // the pages are claimed by a server started after this one
	failures pageFailures
	lock     *db.Lock // held while this renderer renders the pages of lockKey
	lockKey  string
}

// pagesLockNS is the first key of the advisory lock that one renderer per
// page key holds (db.TryLock): the servers of one version share the work
// rather than each render every change, and go through every page once, not
// once each, when the key changes (the consultation's closing, say).
const pagesLockNS = 0x50414745 // "PAGE"

// hold tells whether this renderer is the one of key: it holds the lock of
// key, or takes it now (when the server that held it stopped, say).
func (s *Server) hold(ctx context.Context, r *renderer, key string) (bool, error) {
	if r.lock != nil && (r.lockKey != key || !r.lock.Held(ctx)) {
		r.release()
	}
	if r.lock == nil {
		l, ok, err := s.DB.TryLock(ctx, pagesLockNS, "pages:"+key)
		if err != nil || !ok {
			return false, err
		}
		r.lock, r.lockKey = l, key
		r.checked = time.Time{} // the claim may have changed meanwhile
		s.Log.Info("pages: this server renders the stored pages of its key")
	}
	return true, nil
}

// release lets the lock of the renderer go, if it holds one.
func (r *renderer) release() {
	if r.lock == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r.lock.Release(ctx)
	r.lock = nil
}

// round renders the stale pages, when this server is the renderer of its key
// (hold). When the key or the time (pagesCheck) says so, it reads the claim
// of the pages first, and:
//   - claimed for its key, the pass done: renders the stale pages (a server
//     that starts with the key of the last pass does not read the whole
//     table, 6.7 s of the database at 1,000,000 pages);
//   - claimed for another key by a server started after this one (a newer
//     version, or a rollback): renders nothing, the pages being that
//     server's (its saves would be refused anyway), rather than claim them
//     back and make both go through every page every minute;
//   - otherwise, a pass of its key not ended among them (the renderer that
//     claimed it stopped, since this one holds the key's lock): claims them
//     and goes through every page (sweep).
func (s *Server) round(ctx context.Context, r *renderer) error {
	if r.failures == nil {
		r.failures = pageFailures{}
	}
	p, err := s.anonymousPage(ctx)
	if err != nil {
		return err
	}
	key, err := s.pageKey(ctx, p)
	if err != nil {
		return err
	}
	if r.started.IsZero() {
		// When this server started, by the database's clock (which the
		// claims use): before it holds the lock, which may come later.
		if r.started, err = s.DB.Now(ctx); err != nil {
			return err
		}
	}
	if held, err := s.hold(ctx, r, key); err != nil || !held {
		return err // another server of this key renders
	}
	if key != r.swept || time.Since(r.checked) >= pagesCheck {
		c, err := s.Contributions.ReadPagesClaim(ctx)
		if err != nil {
			return err
		}
		r.checked = time.Now()
		yielded := r.yield
		r.yield = false
		switch {
		case c.Key == key && c.Done:
		case c.Key != key && c.Key != "" && c.Started.After(r.started):
			if !yielded {
				s.Log.Info("pages: the stored pages are claimed by a server started after this one, with another key; this one leaves them to it")
			}
			r.yield = true
		default:
			start := time.Now()
			n, err := s.sweep(ctx, p, key, r.started, 1, r)
			if err != nil {
				return err
			}
			s.Log.Info("pages: stored pages rendered", "saved", n, "took", time.Since(start).Round(time.Millisecond))
		}
		r.swept = key
	}
	if r.yield {
		return nil
	}
	_, err = s.renderAll(ctx, p, key, false, 1, r)
	return err
}

// RunPageRenderer keeps the stored pages rendered until ctx ends (round,
// every interval). Several processes may run it: of those with the same key,
// the one that holds the key's lock renders (hold), and the versions keep
// each save exact whatever the order.
func (s *Server) RunPageRenderer(ctx context.Context, every time.Duration) {
	ctx = db.WithPrimary(ctx)
	var r renderer
	defer r.release()
	for {
		if err := s.round(ctx, &r); err != nil && ctx.Err() == nil && !errors.Is(err, consultation.ErrNotFound) {
			s.Log.Warn("pages: rendering of the stored pages failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// Pages renders the stored pages (see RunPageRenderer), apart from the web
// application.
type Pages struct{ s *Server }

// NewPages returns the renderer of the stored pages with d, for a program
// that serves no page (seed); serve uses NewWithPages.
func NewPages(d Deps) (*Pages, error) {
	s, err := newServer(d)
	if err != nil {
		return nil, err
	}
	return &Pages{s: s}, nil
}

// Run keeps the stored pages rendered until ctx ends (RunPageRenderer).
func (p *Pages) Run(ctx context.Context, every time.Duration) { p.s.RunPageRenderer(ctx, every) }

// RenderAll renders every page not rendered, with workers at a time.
func (p *Pages) RenderAll(ctx context.Context, workers int) (int, error) {
	return p.s.RenderPages(ctx, workers)
}
