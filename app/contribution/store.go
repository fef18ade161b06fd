package contribution

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cnr-numerique/concertation/app/consultation"
	"github.com/cnr-numerique/concertation/app/db"
)

// Store reads and writes contributions, supports and arguments in PostgreSQL:
// it is the only writer of the contribution tables and of the search outbox.
// The rollup and the listing (contribution_cells, contribution_listing) follow
// every write through the triggers of migration 00010. It caches the
// reference data (categories, territories, Hubs) and, for a second, the
// current consultation; rows are always read fresh.
type Store struct {
	db           *db.DB
	refs         refsCache
	consultation consultationCache
	gen          atomic.Uint64 // changes made through this store
}

// refsTTL is how long the categories, territories and Hubs are reused.
const refsTTL = time.Minute

// NewStore returns a Store on d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// Changes returns a number that grows with every change made through this
// store (in this process): readers drop what they derived from earlier lists
// when it moves, so that a person sees their own change at once.
func (s *Store) Changes() uint64 { return s.gen.Load() }

// Invalidate tells the readers that something shown with the contributions
// changed outside this store (an official answer): as after a change made
// through it.
func (s *Store) Invalidate() { s.changed() }

// changed records a change (after its transaction committed).
func (s *Store) changed() { s.gen.Add(1) }

// Consultation returns the current consultation's row, without its axes: what
// the closing guard needs, in one query.
func (s *Store) Consultation(ctx context.Context) (consultation.Consultation, error) {
	var c consultation.Consultation
	err := s.db.Conn(ctx).Where("status <> ?", consultation.StatusDraft).Order("opens_at DESC, id DESC").Take(&c).Error
	if db.IsNotFound(err) {
		return c, consultation.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("current consultation: %w", err)
	}
	return c, nil
}

// viewColumns and viewJoins read a contribution with its counters, its
// author's name (never for a Hub proposal) and the title of the Hub proposal
// it reacts to. Few joins keep planning cheap; the names of Hubs,
// territories and categories come from the cached reference data.
// uncountedColumns and uncountedJoins read the same without the counters,
// for a caller that holds them (see ViewsCounted).
const (
	viewColumns      = viewHead + viewCounters + viewTail
	uncountedColumns = viewHead + viewTail
	viewJoins        = ` FROM contributions c
	LEFT JOIN contribution_counters k ON k.contribution_id = c.id` + viewOtherJoins
	uncountedJoins = ` FROM contributions c` + viewOtherJoins
)

const viewHead = `c.id, c.consultation_id, c.entry, c.axis_id, c.hub_id, c.author_id, c.author_category,
	c.territory_id, c.region_id, c.departement_id, c.reacts_to_id, c.reaction_type, c.title, %s AS body,
	c.status, c.hidden_reason, c.created_at, c.edited_at, c.updated_at, c.assisted,
	`

const viewCounters = `COALESCE(k.supports, 0) AS supports,
	COALESCE(k.reactions_soutient, 0) AS reactions_soutient, COALESCE(k.reactions_complete, 0) AS reactions_complete,
	COALESCE(k.reactions_nuance, 0) AS reactions_nuance, COALESCE(k.reactions_conteste, 0) AS reactions_conteste,
	COALESCE(k.arguments_pour, 0) AS arguments_pour, COALESCE(k.arguments_contre, 0) AS arguments_contre,
	COALESCE(k.arguments_neutre, 0) AS arguments_neutre,
	`

const viewTail = `CASE WHEN c.entry = 'libres' THEN COALESCE(u.display_name, CASE WHEN c.assisted THEN (SELECT p.label
		FROM assisted_contributions a JOIN mediation_people p ON p.id = a.person_id
		WHERE a.contribution_id = c.id AND a.claimed_at IS NULL) END, '') ELSE '' END AS author_name,
	CASE WHEN r.status = 'published' THEN r.title ELSE '' END AS reacts_to_title, r.hub_id AS reacts_to_hub_id`

const viewOtherJoins = `
	LEFT JOIN users u ON u.id = c.author_id
	LEFT JOIN contributions r ON r.id = c.reacts_to_id`

type viewRow struct {
	Contribution
	Counters
	AuthorName    string
	ReactsToTitle string
	ReactsToHubID *int64
}

func (r viewRow) view(refs *Reference) View {
	v := View{Contribution: r.Contribution, Counters: r.Counters, AuthorName: r.AuthorName,
		CategoryLabel: refs.CategoryLabel(r.AuthorCategory), ReactsToTitle: r.ReactsToTitle}
	if r.HubID != nil {
		h, _ := refs.Hub(*r.HubID)
		v.HubName, v.HubSlug = h.Name, h.Slug
	}
	if r.TerritoryID != nil {
		t, _ := refs.Territory(*r.TerritoryID)
		v.TerritoryName, v.TerritoryCode, v.TerritoryKind = t.Name, t.Code, t.Kind
	}
	if r.ReactsToHubID != nil {
		h, _ := refs.Hub(*r.ReactsToHubID)
		v.ReactsToHub = h.Name
	}
	return v
}

// scanViews runs a view query (where: a condition with $1, $2… placeholders)
// and resolves the names of its rows; expect is how many rows it should
// give (the room made for them beforehand).
// With excerpt, Body holds only the beginning of the text (enough for
// View.Excerpt): lists never carry whole bodies. With counters, the counts
// come from it rather than from contribution_counters.
func (s *Store) scanViews(ctx context.Context, excerpt bool, counters func(id int64) Counters, expect int, where string, args ...any) ([]View, error) {
	body := "c.body"
	if excerpt {
		body = "left(c.body, 240)"
	}
	refs, err := s.Refs(ctx)
	if err != nil {
		return nil, err
	}
	cols, joins := viewColumns, viewJoins
	if counters != nil {
		cols, joins = uncountedColumns, uncountedJoins
	}
	rows, err := s.db.Query(ctx, `SELECT `+fmt.Sprintf(cols, body)+joins+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]View, 0, max(0, min(expect, 100)))
	for rows.Next() {
		var r viewRow
		if counters == nil {
			err = r.scan(rows)
		} else {
			err = r.scanUncounted(rows)
			r.Counters = counters(r.ID)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r.view(refs))
	}
	return out, rows.Err()
}

// scan reads one row of viewColumns, then the columns that follow them into
// more. Scanning the columns by hand, rather than through GORM's reflection,
// matters on list pages (a fifth of their CPU went there).
func (r *viewRow) scan(rows interface{ Scan(dest ...any) error }, more ...any) error {
	c, k := &r.Contribution, &r.Counters
	return rows.Scan(append([]any{&c.ID, &c.ConsultationID, &c.Entry, &c.AxisID, &c.HubID, &c.AuthorID, &c.AuthorCategory,
		&c.TerritoryID, &c.RegionID, &c.DepartementID, &c.ReactsToID, &c.ReactionType, &c.Title, &c.Body,
		&c.Status, &c.HiddenReason, &c.CreatedAt, &c.EditedAt, &c.UpdatedAt, &c.Assisted,
		&k.Supports, &k.ReactionsSoutient, &k.ReactionsComplete, &k.ReactionsNuance, &k.ReactionsConteste,
		&k.ArgumentsPour, &k.ArgumentsContre, &k.ArgumentsNeutre,
		&r.AuthorName, &r.ReactsToTitle, &r.ReactsToHubID}, more...)...)
}

// scanUncounted reads one row of uncountedColumns.
func (r *viewRow) scanUncounted(rows interface{ Scan(dest ...any) error }) error {
	c := &r.Contribution
	return rows.Scan(&c.ID, &c.ConsultationID, &c.Entry, &c.AxisID, &c.HubID, &c.AuthorID, &c.AuthorCategory,
		&c.TerritoryID, &c.RegionID, &c.DepartementID, &c.ReactsToID, &c.ReactionType, &c.Title, &c.Body,
		&c.Status, &c.HiddenReason, &c.CreatedAt, &c.EditedAt, &c.UpdatedAt, &c.Assisted,
		&r.AuthorName, &r.ReactsToTitle, &r.ReactsToHubID)
}

// Get returns one contribution, whatever its status.
func (s *Store) Get(ctx context.Context, id int64) (View, error) {
	var b db.Batch
	get, err := s.QueueGet(ctx, &b, id)
	if err != nil {
		return View{}, err
	}
	if err := s.db.Run(ctx, &b); err != nil {
		return View{}, fmt.Errorf("contribution %d: %w", id, err)
	}
	return get()
}

// QueueGet queues the read of contribution id into b, so that a page sends
// it with its other reads at once; after b has run, get returns what Get
// would.
func (s *Store) QueueGet(ctx context.Context, b *db.Batch, id int64) (get func() (View, error), err error) {
	refs, err := s.Refs(ctx)
	if err != nil {
		return nil, err
	}
	var v View
	found := false
	b.Queue(func(rows db.Rows) error {
		if !rows.Next() {
			return nil
		}
		var r viewRow
		if err := r.scan(rows); err != nil {
			return fmt.Errorf("contribution %d: %w", id, err)
		}
		v, found = r.view(refs), true
		return nil
	}, `SELECT `+fmt.Sprintf(viewColumns, "c.body")+viewJoins+` WHERE c.id = $1`, id)
	return func() (View, error) {
		if !found {
			return View{}, ErrNotFound
		}
		return v, nil
	}, nil
}

// views returns the published contributions of ids in the order of ids, in
// one query, with only the beginning of their bodies. (A list order read a
// moment ago may name a contribution hidden since: it is left out.)
func (s *Store) views(ctx context.Context, ids []int64, counters func(id int64) Counters) ([]View, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := s.scanViews(ctx, true, counters, len(ids), `c.id = ANY($1::bigint[]) AND c.status = 'published'`, int64Array(ids))
	if err != nil {
		return nil, fmt.Errorf("contributions: %w", err)
	}
	byID := make(map[int64]View, len(rows))
	for _, v := range rows {
		byID[v.ID] = v
	}
	out := make([]View, 0, len(ids))
	for _, id := range ids {
		if v, ok := byID[id]; ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// IsAuthor reports whether account userID has a published free contribution:
// only authors have a public page, so that account ids do not list members.
func (s *Store) IsAuthor(ctx context.Context, userID int64) (bool, error) {
	var n int64
	err := s.db.Conn(ctx).Raw(`SELECT count(*) FROM (SELECT 1 FROM contributions
		WHERE author_id = ? AND entry = 'libres' AND status = 'published' LIMIT 1) t`, userID).Scan(&n).Error
	if err != nil {
		return false, fmt.Errorf("author %d: %w", userID, err)
	}
	return n > 0, nil
}

// Reactions returns the published reactions to the Hub proposal id, newest
// first (at most limit).
func (s *Store) Reactions(ctx context.Context, id int64, limit int) ([]View, error) {
	out, err := s.scanViews(ctx, true, nil, limit, `c.reacts_to_id = $1 AND c.status = 'published' ORDER BY c.created_at DESC, c.id DESC LIMIT $2`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("reactions to %d: %w", id, err)
	}
	return out, nil
}

// Supported returns which of ids userID supports, in one query.
func (s *Store) Supported(ctx context.Context, userID int64, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if userID == 0 || len(ids) == 0 {
		return out, nil
	}
	var got []int64
	err := s.db.Conn(ctx).Raw(`SELECT contribution_id FROM supports WHERE user_id = ? AND contribution_id = ANY(?::bigint[])`, userID, int64Array(ids)).Scan(&got).Error
	if err != nil {
		return nil, fmt.Errorf("supports of %d: %w", userID, err)
	}
	for _, id := range got {
		out[id] = true
	}
	return out, nil
}

// gone translates the foreign key violation of a write whose account or
// contribution was deleted meanwhile (a person deleting their account while
// one of their requests runs): ErrNotFound for a contribution, ErrNotAllowed
// for an account; other errors are returned as they are.
func gone(err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || pg.Code != "23503" {
		if db.IsForeignKeyViolation(err) {
			return ErrNotAllowed
		}
		return err
	}
	if strings.Contains(pg.ConstraintName, "contribution_id") || strings.Contains(pg.ConstraintName, "reacts_to") {
		return ErrNotFound
	}
	return ErrNotAllowed
}

// outboxInsert is the one statement that writes the search outbox: one row
// per contribution id selected by from (a query with a contribution_id
// column), countsOnly when only its counters changed (engines that derive
// anything from the text then skip it). Every change of a search document
// goes through it, in the transaction of the change: outbox for ordinary
// writes, the support toggle as a part of its single statement.
func outboxInsert(from string, countsOnly bool) string {
	return `INSERT INTO search_outbox (contribution_id, counts_only) SELECT contribution_id, ` +
		strconv.FormatBool(countsOnly) + ` FROM (` + from + `) o`
}

// outbox records that the search document of each id must be rebuilt: their
// text or filters may have changed. It must run in the transaction of the
// change.
func (s *Store) outbox(ctx context.Context, ids ...int64) error {
	return s.outboxRows(ctx, ids, nil)
}

// outboxCounts records that only the counters of each id changed.
func (s *Store) outboxCounts(ctx context.Context, ids ...int64) error {
	return s.outboxRows(ctx, nil, ids)
}

// outboxRows records changed documents (text) and documents whose counters
// alone changed (counts) in one statement.
func (s *Store) outboxRows(ctx context.Context, text, counts []int64) error {
	if len(text)+len(counts) == 0 {
		return nil
	}
	err := s.db.Conn(ctx).Exec(`INSERT INTO search_outbox (contribution_id, counts_only)
		SELECT unnest(?::bigint[]), false UNION ALL SELECT unnest(?::bigint[]), true`, int64Array(text), int64Array(counts)).Error
	if err != nil {
		return fmt.Errorf("search outbox: %w", err)
	}
	return nil
}

// int64Array writes ids as a PostgreSQL array literal.
func int64Array(ids []int64) string {
	b := []byte{'{'}
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, '}'))
}

// consultationTTL is how long pages reuse the current consultation (axes,
// entries, dates, status). Writes never rely on it: the closing guard reads
// the consultation fresh (Consultation).
const consultationTTL = time.Second

// ForgetConsultation drops the consultation read by CachedConsultation, after
// an administrator changed it.
func (s *Store) ForgetConsultation() {
	s.consultation.mu.Lock()
	s.consultation.expires = time.Time{}
	s.consultation.mu.Unlock()
}

type consultationCache struct {
	mu      sync.Mutex
	value   consultation.Consultation
	expires time.Time
}

// CachedConsultation returns the current consultation with its axes,
// questions and entries, read at most once a second per process: what
// pages need to show the navigation and the phase.
func (s *Store) CachedConsultation(ctx context.Context) (consultation.Consultation, error) {
	c := &s.consultation
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Now().Before(c.expires) {
		return c.value, nil
	}
	v, err := consultation.NewStore(s.db).Current(ctx)
	if err != nil {
		return v, err
	}
	c.value, c.expires = v, time.Now().Add(consultationTTL)
	return v, nil
}
