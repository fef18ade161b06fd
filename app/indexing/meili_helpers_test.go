package indexing

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/search"
	"github.com/cnr-numerique/concertation/search/meilitest"
)

// storedDoc is a document as the Meilisearch engine stores it (the JSON of
// search.meiliDoc).
type storedDoc struct {
	ID             int64  `json:"id"`
	ConsultationID int64  `json:"consultation_id"`
	Entry          string `json:"entry"`
	AxisID         int64  `json:"axis_id"`
	HubID          int64  `json:"hub_id"`
	AuthorCategory string `json:"author_category"`
	RegionID       int64  `json:"region_id"`
	DepartementID  int64  `json:"departement_id"`
	Status         string `json:"status"`
	Title          string `json:"title"`
	Body           string `json:"body"`
	Supports       int    `json:"supports"`
	Reactions      int    `json:"reactions"`
	CreatedAt      int64  `json:"created_at"`
}

func (d storedDoc) document() search.Document {
	return search.Document{ID: d.ID, ConsultationID: d.ConsultationID, Entry: d.Entry, AxisID: d.AxisID, HubID: d.HubID,
		AuthorCategory: d.AuthorCategory, RegionID: d.RegionID, DepartementID: d.DepartementID, Status: d.Status,
		Title: d.Title, Body: d.Body, Supports: d.Supports, Reactions: d.Reactions, CreatedAt: time.Unix(d.CreatedAt, 0).UTC()}
}

// indexDiff compares the documents of index uid with the published
// contributions of the database, document for document, and describes
// the differences ("" when they are equal).
func indexDiff(t *testing.T, db *sql.DB, srv *meilitest.Server, uid string) string {
	t.Helper()
	stored, ok := srv.Documents(uid)
	if !ok {
		return fmt.Sprintf("no index %s", uid)
	}
	var ids []int64
	rows, err := db.Query(`SELECT id FROM contributions ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	current, err := loadRows(context.Background(), db, ids)
	if err != nil {
		t.Fatal(err)
	}
	var diff string
	want := 0
	for _, id := range ids {
		r := current[id]
		raw, indexed := stored[fmt.Sprint(id)]
		if !r.Indexed() {
			if indexed {
				diff += fmt.Sprintf("%d (%s) is indexed\n", id, r.Status)
			}
			continue
		}
		want++
		if !indexed {
			diff += fmt.Sprintf("%d is missing\n", id)
			continue
		}
		var sd storedDoc
		if err := json.Unmarshal(raw, &sd); err != nil {
			t.Fatal(err)
		}
		exp := search.DocumentOf(r)
		exp.CreatedAt = exp.CreatedAt.Truncate(time.Second)
		if got := sd.document(); got != exp {
			diff += fmt.Sprintf("%d differs:\n  index    %+v\n  database %+v\n", id, got, exp)
		}
	}
	if len(stored) != want {
		diff += fmt.Sprintf("the index holds %d documents, the database %d published contributions\n", len(stored), want)
	}
	return diff
}

func newMeiliDouble(t *testing.T) (*meilitest.Server, *search.Meili) {
	t.Helper()
	srv := meilitest.New(meilitest.Options{Key: "drill"})
	t.Cleanup(srv.Close)
	e := search.NewMeili(srv.URL, "drill", "contributions")
	e.TaskTimeout = 20 * time.Second
	return srv, e
}
