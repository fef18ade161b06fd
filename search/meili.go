package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/meilisearch/meilisearch-go"
)

// MeiliServerVersion is the Meilisearch server version the engine is
// written for: the version pinned in docker-compose.yml, whose protocol
// github.com/meilisearch/meilisearch-go v0.36.3 speaks. The client sends
// fields that older servers refuse as unknown (typoTolerance.disableOnNumbers
// from v1.15, the rename of index swaps from v1.18), and v0.36.3 was
// released against 1.45 (June 2026). CheckVersion compares it with the
// server's GET /version at start.
const MeiliServerVersion = "1.45.1"

// Meili is the Meilisearch engine (MEILI_URL, MEILI_KEY), fed by the outbox
// worker of app/indexing. Its index settings are declared below
// (MeiliSettings) and applied, awaited, before any document is sent.
type Meili struct {
	client meilisearch.ServiceManager
	index  string // uid of the live index
	// BatchSize is the number of documents sent per request.
	BatchSize int
	// TaskTimeout bounds the wait for one Meilisearch task.
	TaskTimeout time.Duration
	// SearchTimeout bounds a search, so that a server that hangs lets the
	// fallback answer quickly.
	SearchTimeout time.Duration
}

// NewMeili returns the engine on the Meilisearch server at url, whose live
// index is named index ("contributions" when empty).
func NewMeili(url, key, index string) *Meili {
	if index == "" {
		index = "contributions"
	}
	client := meilisearch.New(url,
		meilisearch.WithAPIKey(key),
		meilisearch.WithCustomClient(&http.Client{Timeout: 30 * time.Second}))
	return &Meili{client: client, index: index, BatchSize: 1000, TaskTimeout: 5 * time.Minute, SearchTimeout: 2 * time.Second}
}

// Name implements Engine.
func (m *Meili) Name() string { return "meilisearch" }

// meiliDoc is a Document as Meilisearch stores it.
type meiliDoc struct {
	ID             int64  `json:"id"`
	ConsultationID int64  `json:"consultation_id"`
	Entry          string `json:"entry"`
	AxisID         int64  `json:"axis_id"`
	HubID          int64  `json:"hub_id,omitempty"`
	AuthorCategory string `json:"author_category"`
	RegionID       int64  `json:"region_id,omitempty"`
	DepartementID  int64  `json:"departement_id,omitempty"`
	Status         string `json:"status"`
	Title          string `json:"title"`
	Body           string `json:"body"`
	Supports       int    `json:"supports"`
	Reactions      int    `json:"reactions"`
	CreatedAt      int64  `json:"created_at"` // Unix seconds
}

func toMeiliDoc(d Document) meiliDoc {
	return meiliDoc{
		ID: d.ID, ConsultationID: d.ConsultationID, Entry: d.Entry, AxisID: d.AxisID, HubID: d.HubID,
		AuthorCategory: d.AuthorCategory, RegionID: d.RegionID, DepartementID: d.DepartementID,
		Status: d.Status, Title: stripMarkers(d.Title), Body: stripMarkers(d.Body),
		Supports: d.Supports, Reactions: d.Reactions, CreatedAt: d.CreatedAt.Unix(),
	}
}

// Typo tolerance: one typo from 5 letters, two from 9 (Meilisearch's
// defaults), none on numbers (INSEE codes, postcodes, years: "29019" must
// not find "29018") nor on the Corsican département codes.
const (
	meiliOneTypo  = 5
	meiliTwoTypos = 9
)

// MeiliSettings are the settings of every contributions index.
func MeiliSettings() *meilisearch.Settings {
	facets := make([]string, len(Facets))
	for i, f := range Facets {
		facets[i] = string(f)
	}
	return &meilisearch.Settings{
		// "sort" first: an explicit sort (supports, date) orders the results,
		// as in the PostgreSQL engine; relevance applies when there is none.
		RankingRules:         []string{"sort", "words", "typo", "proximity", "attribute", "exactness"},
		SearchableAttributes: []string{"title", "body"}, // title first: it weighs more
		DisplayedAttributes:  []string{"id", "title", "body"},
		FilterableAttributes: append([]string{"consultation_id"}, facets...),
		SortableAttributes:   []string{"supports", "created_at", "id"},
		StopWords:            StopWords(),
		Synonyms:             meiliSynonyms(),
		LocalizedAttributes:  []*meilisearch.LocalizedAttributes{{Locales: []string{"fra"}, AttributePatterns: []string{"title", "body"}}},
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: meiliOneTypo, TwoTypos: meiliTwoTypos},
			DisableOnWords:      []string{"2a", "2b"},
			DisableOnAttributes: []string{},
			DisableOnNumbers:    true,
		},
		Pagination: &meilisearch.Pagination{MaxTotalHits: MaxTotal},
		Faceting: &meilisearch.Faceting{
			MaxValuesPerFacet: 200, // more than the départements (101)
			SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeCount},
		},
		SearchCutoffMs: 1500,
	}
}

// meiliCropLength is the number of words of an excerpt.
const meiliCropLength = 30

// meiliRequest builds the search request of q (normalized).
func meiliRequest(q Query) *meilisearch.SearchRequest {
	perPage := int64(q.PerPage)
	facets := make([]string, len(Facets))
	for i, f := range Facets {
		facets[i] = string(f)
	}
	req := &meilisearch.SearchRequest{
		Query:                 q.Text,
		Filter:                MeiliFilter(q.Filters),
		Facets:                facets,
		Page:                  int64(q.Page),
		HitsPerPage:           &perPage,
		AttributesToRetrieve:  []string{"id"},
		AttributesToHighlight: []string{"title", "body"},
		HighlightPreTag:       HighlightStart,
		HighlightPostTag:      HighlightEnd,
		// frequency: a long query is not an AND of every word; the most
		// common words are dropped first until documents match, phrases
		// never (the PostgreSQL engine relaxes long queries the same way).
		MatchingStrategy: meilisearch.Frequency,
		Locales:          []string{"fra"},
	}
	if q.Text != "" {
		req.AttributesToCrop = []string{"body"}
		req.CropLength = meiliCropLength
		req.CropMarker = "…"
	}
	switch q.Sort {
	case SortSupports:
		req.Sort = []string{"supports:desc", "id:desc"}
	case SortDate:
		req.Sort = []string{"created_at:desc", "id:desc"}
	}
	return req
}

// Search implements Engine.
func (m *Meili) Search(ctx context.Context, q Query) (Result, error) {
	q = q.Normalize()
	if m.SearchTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, m.SearchTimeout)
		defer cancel()
	}
	resp, err := m.client.Index(m.index).SearchWithContext(ctx, q.Text, meiliRequest(q))
	if err != nil {
		return Result{}, fmt.Errorf("search: meilisearch: %w", err)
	}
	res := Result{Total: int(resp.TotalHits), TotalExact: resp.TotalHits < MaxTotal, Facets: map[Facet]map[string]int{}}
	res.Reachable = min(res.Total, MaxTotal)
	for _, h := range resp.Hits {
		var hit Hit
		if err := json.Unmarshal(h["id"], &hit.ID); err != nil {
			return Result{}, fmt.Errorf("search: meilisearch hit id: %w", err)
		}
		var formatted struct {
			Title string `json:"title"`
			Body  string `json:"body"`
		}
		if raw, ok := h["_formatted"]; ok {
			if err := json.Unmarshal(raw, &formatted); err != nil {
				return Result{}, fmt.Errorf("search: meilisearch hit: %w", err)
			}
		}
		hit.Title = formatted.Title
		if q.Text != "" {
			hit.Excerpt = formatted.Body
		}
		res.Hits = append(res.Hits, hit)
	}
	if len(resp.FacetDistribution) > 0 {
		var dist map[string]map[string]int
		if err := json.Unmarshal(resp.FacetDistribution, &dist); err != nil {
			return Result{}, fmt.Errorf("search: meilisearch facets: %w", err)
		}
		for _, f := range Facets {
			if len(dist[string(f)]) > 0 {
				res.Facets[f] = dist[string(f)]
			}
		}
	}
	return res, nil
}

// Index implements Engine.
func (m *Meili) Index(ctx context.Context, docs []Document) error {
	return m.add(ctx, m.index, docs)
}

// Delete implements Engine.
func (m *Meili) Delete(ctx context.Context, ids []int64) error {
	return m.remove(ctx, m.index, ids)
}

func (m *Meili) add(ctx context.Context, uid string, docs []Document) error {
	if len(docs) == 0 {
		return nil
	}
	mdocs := make([]meiliDoc, len(docs))
	for i, d := range docs {
		mdocs[i] = toMeiliDoc(d)
	}
	pk := "id"
	infos, err := m.client.Index(uid).AddDocumentsInBatchesWithContext(ctx, mdocs, m.BatchSize, &meilisearch.DocumentOptions{PrimaryKey: &pk})
	if err != nil {
		return fmt.Errorf("search: meilisearch add documents: %w", err)
	}
	for i := range infos {
		if err := m.wait(ctx, &infos[i]); err != nil {
			return err
		}
	}
	return nil
}

func (m *Meili) remove(ctx context.Context, uid string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = strconv.FormatInt(id, 10)
	}
	info, err := m.client.Index(uid).DeleteDocumentsWithContext(ctx, keys, nil)
	if err != nil {
		return fmt.Errorf("search: meilisearch delete documents: %w", err)
	}
	return m.wait(ctx, info)
}

// wait awaits a task and reports its failure. It polls often at first
// (most tasks take milliseconds), then less and less.
func (m *Meili) wait(ctx context.Context, info *meilisearch.TaskInfo) error {
	ctx, cancel := context.WithTimeout(ctx, m.TaskTimeout)
	defer cancel()
	pause := 2 * time.Millisecond
	for {
		task, err := m.client.GetTaskWithContext(ctx, info.TaskUID)
		if err != nil {
			return fmt.Errorf("search: meilisearch task %d (%s): %w", info.TaskUID, info.Type, err)
		}
		switch task.Status {
		case meilisearch.TaskStatusSucceeded:
			return nil
		case meilisearch.TaskStatusEnqueued, meilisearch.TaskStatusProcessing:
		default:
			return &TaskError{UID: task.UID, Type: string(task.Type), Status: string(task.Status), Code: task.Error.Code, Message: task.Error.Message}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("search: meilisearch task %d (%s): %w", info.TaskUID, info.Type, ctx.Err())
		case <-time.After(pause):
		}
		pause = min(pause*2, 200*time.Millisecond)
	}
}

// Healthy reports whether the server answers (GET /health).
func (m *Meili) Healthy(ctx context.Context) error {
	if _, err := m.client.HealthWithContext(ctx); err != nil {
		return fmt.Errorf("search: meilisearch health: %w", err)
	}
	return nil
}

// ErrVersion is returned by CheckVersion when the server's version is not
// MeiliServerVersion.
var ErrVersion = errors.New("search: unexpected Meilisearch version")

// CheckVersion asks the server its version (GET /version) and returns it,
// with an error wrapping ErrVersion when it is not MeiliServerVersion.
func (m *Meili) CheckVersion(ctx context.Context) (string, error) {
	v, err := m.client.VersionWithContext(ctx)
	if err != nil {
		return "", fmt.Errorf("search: meilisearch version: %w", err)
	}
	if v.PkgVersion != MeiliServerVersion {
		return v.PkgVersion, fmt.Errorf("%w: the server is %s, the engine is written for %s (meilisearch-go v0.36.3)", ErrVersion, v.PkgVersion, MeiliServerVersion)
	}
	return v.PkgVersion, nil
}

// EnsureIndex creates the live index when missing and applies the settings.
func (m *Meili) EnsureIndex(ctx context.Context) error { return m.Prepare(ctx, m.index) }

// NewTarget implements Rebuilder.
func (m *Meili) NewTarget() string {
	return m.index + "_" + time.Now().UTC().Format("20060102150405")
}

// Prepare implements Rebuilder: create the index explicitly (an existing
// one, from an interrupted rebuild, is kept) and apply the settings, both
// awaited, before any document.
func (m *Meili) Prepare(ctx context.Context, target string) error {
	info, err := m.client.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: target, PrimaryKey: "id"})
	if err != nil {
		return fmt.Errorf("search: meilisearch create index %s: %w", target, err)
	}
	if err := m.wait(ctx, info); err != nil && !isMeiliCode(err, "index_already_exists") {
		return err
	}
	info, err = m.client.Index(target).UpdateSettingsWithContext(ctx, MeiliSettings())
	if err != nil {
		return fmt.Errorf("search: meilisearch settings of %s: %w", target, err)
	}
	return m.wait(ctx, info)
}

// TaskError is a Meilisearch task that did not succeed.
type TaskError struct {
	UID     int64
	Type    string
	Status  string
	Code    string
	Message string
}

func (e *TaskError) Error() string {
	return fmt.Sprintf("search: meilisearch task %d (%s) %s: %s (%s)", e.UID, e.Type, e.Status, e.Message, e.Code)
}

func isMeiliCode(err error, code string) bool {
	var te *TaskError
	if errors.As(err, &te) && te.Code == code {
		return true
	}
	var me *meilisearch.Error
	return errors.As(err, &me) && me.MeilisearchApiError.Code == code
}

// ignoreMissing treats a missing target index as done: the rebuild that
// owned it has finished.
func ignoreMissing(err error) error {
	if isMeiliCode(err, "index_not_found") {
		return nil
	}
	return err
}

// IndexInto implements Rebuilder: documents are added to the target that
// Prepare created. (skipCreation would be wrong here: in Meilisearch it
// skips the documents that do not exist yet, so a fresh target would stay
// empty; app/indexing keeps writes away from a target once swapped.)
func (m *Meili) IndexInto(ctx context.Context, target string, docs []Document) error {
	return m.add(ctx, target, docs)
}

// DeleteFrom implements Rebuilder.
func (m *Meili) DeleteFrom(ctx context.Context, target string, ids []int64) error {
	return ignoreMissing(m.remove(ctx, target, ids))
}

// Count implements TargetCounter: the number of documents of the index,
// once its tasks are done (they are awaited by every write).
func (m *Meili) Count(ctx context.Context, uid string) (int64, error) {
	st, err := m.client.Index(uid).GetStatsWithContext(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("search: meilisearch stats of %s: %w", uid, err)
	}
	return st.NumberOfDocuments, nil
}

// Swap implements Rebuilder: the target becomes the live index in one
// atomic swap and the previous documents are dropped; when there is no
// live index yet, the target is renamed to it.
func (m *Meili) Swap(ctx context.Context, target string) error {
	rename := false
	if _, err := m.client.GetIndexWithContext(ctx, m.index); isMeiliCode(err, "index_not_found") {
		rename = true
	} else if err != nil {
		return fmt.Errorf("search: meilisearch index %s: %w", m.index, err)
	}
	info, err := m.client.SwapIndexesWithContext(ctx, []*meilisearch.SwapIndexesParams{{Indexes: []string{target, m.index}, Rename: rename}})
	if err != nil {
		return fmt.Errorf("search: meilisearch swap: %w", err)
	}
	if err := m.wait(ctx, info); err != nil {
		return fmt.Errorf("search: meilisearch swap: %w", err)
	}
	if rename {
		return nil
	}
	info, err = m.client.DeleteIndexWithContext(ctx, target)
	if err != nil {
		return fmt.Errorf("search: meilisearch delete %s: %w", target, err)
	}
	return ignoreMissing(m.wait(ctx, info))
}

// DropIndex deletes an index (tests).
func (m *Meili) DropIndex(ctx context.Context, uid string) error {
	info, err := m.client.DeleteIndexWithContext(ctx, uid)
	if err != nil {
		return err
	}
	return m.wait(ctx, info)
}
