package metrics

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/search"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type slowEngine struct{ fail bool }

func (slowEngine) Name() string { return "test" }
func (e slowEngine) Search(context.Context, search.Query) (search.Result, error) {
	if e.fail {
		return search.Result{}, errors.New("down")
	}
	return search.Result{}, nil
}
func (slowEngine) Index(context.Context, []search.Document) error { return nil }
func (slowEngine) Delete(context.Context, []int64) error          { return nil }

func scrape(t *testing.T) string {
	t.Helper()
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, body)
	}
	return string(body)
}

func TestMetrics(t *testing.T) {
	d := dbtest.New(t)
	if _, err := d.SQL().Exec(`INSERT INTO search_outbox (contribution_id, created_at, attempts)
VALUES (1, now() - interval '90 seconds', 3), (2, now(), 0)`); err != nil {
		t.Fatal(err)
	}
	WatchOutbox(d.SQL())
	e := Instrument(slowEngine{})
	_, _ = e.Search(context.Background(), search.Query{})
	_, _ = Instrument(slowEngine{fail: true}).Search(context.Background(), search.Query{})
	body := scrape(t)
	for _, want := range []string{
		"concertation_search_outbox_pending 2",
		"concertation_search_outbox_max_attempts 3",
		`concertation_search_engine_duration_seconds_count{engine="test",op="search",outcome="ok"} 1`,
		`concertation_search_engine_duration_seconds_count{engine="test",op="search",outcome="error"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("no %q in the metrics", want)
		}
	}
	m := regexp.MustCompile(`(?m)^concertation_search_outbox_lag_seconds (\S+)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no outbox lag")
	}
	if lag, _ := strconv.ParseFloat(m[1], 64); lag < 89 || lag > 300 {
		t.Errorf("outbox lag %v, want about 90 s", lag)
	}
	if _, ok := Instrument(search.NewPostgres(d.SQL())).(search.Rebuilder); !ok {
		t.Error("an instrumented Rebuilder is no longer one")
	}
}
