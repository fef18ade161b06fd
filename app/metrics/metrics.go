// Package metrics exposes the platform's metrics in the Prometheus text
// format (GET /metrics): search engine latency and the search outbox lag.
// It is the only importer of the Prometheus client.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"sync"
	"time"

	"github.com/cnr-numerique/concertation/search"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

var (
	registry = prometheus.NewRegistry()

	engineLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "concertation",
		Subsystem: "search",
		Name:      "engine_duration_seconds",
		Help:      "Duration of the search engine calls, by engine, operation (search, index, delete) and outcome (ok, error).",
		Buckets:   []float64{.001, .0025, .005, .01, .02, .03, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"engine", "op", "outcome"})

	outboxOnce     sync.Once
	statementsOnce sync.Once
	searchOnce     sync.Once
)

// WatchStatements adds the counter of SQL statements sent to PostgreSQL,
// read with count at each scrape (the first call wins): benchmarks divide it
// by the requests they made.
func WatchStatements(count func() int64) {
	statementsOnce.Do(func() {
		registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace: "concertation", Name: "sql_statements_total",
			Help: "SQL statements sent to PostgreSQL by this process, counted by the driver.",
		}, func() float64 { return float64(count()) }))
	})
}

func init() {
	registry.MustRegister(
		engineLatency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
}

// Handler serves the metrics.
func Handler() http.Handler {
	return promhttp.HandlerFor(registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Observe records the duration of one engine call.
func Observe(engine, op string, took time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	engineLatency.WithLabelValues(engine, op, outcome).Observe(took.Seconds())
}

// WatchOutbox adds the search outbox gauges, read from db at each scrape
// (the first call wins).
func WatchOutbox(db *sql.DB) {
	outboxOnce.Do(func() { registry.MustRegister(&outboxCollector{db: db}) })
}

var (
	outboxPending = prometheus.NewDesc("concertation_search_outbox_pending",
		"Rows of the search outbox not yet applied to the search engine.", nil, nil)
	outboxLag = prometheus.NewDesc("concertation_search_outbox_lag_seconds",
		"Age of the oldest pending row of the search outbox (0 when empty): how late the search index is.", nil, nil)
	outboxAttempts = prometheus.NewDesc("concertation_search_outbox_max_attempts",
		"Highest number of failed attempts among the pending rows (the engine is failing when it grows).", nil, nil)
)

// outboxCollector reads the outbox state at scrape time.
type outboxCollector struct{ db *sql.DB }

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxPending
	ch <- outboxLag
	ch <- outboxAttempts
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var pending, attempts int64
	var lag float64
	err := c.db.QueryRowContext(ctx, `SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8,
	coalesce(max(attempts), 0) FROM search_outbox`).Scan(&pending, &lag, &attempts)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(outboxPending, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(outboxPending, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(outboxLag, prometheus.GaugeValue, lag)
	ch <- prometheus.MustNewConstMetric(outboxAttempts, prometheus.GaugeValue, float64(attempts))
}

// WatchSearch adds the gauges of the search fallback, read from status at
// each scrape (the first call wins): whether searches are answered by
// PostgreSQL because Meilisearch fails, how many were, and whether the
// Meilisearch server has the pinned version.
func WatchSearch(status func() search.Status) {
	searchOnce.Do(func() { registry.MustRegister(&searchCollector{status: status}) })
}

var (
	fallbackActive = prometheus.NewDesc("concertation_search_fallback_active",
		"1 while Meilisearch fails and PostgreSQL answers the searches, 0 otherwise.", nil, nil)
	fallbackTotal = prometheus.NewDesc("concertation_search_fallback_searches_total",
		"Searches answered by PostgreSQL because Meilisearch failed.", nil, nil)
	versionOK = prometheus.NewDesc("concertation_search_meilisearch_version_ok",
		"1 when the Meilisearch server has the version the engine is written for, 0 otherwise (absent until the server answered).",
		[]string{"server_version", "expected_version"}, nil)
)

type searchCollector struct{ status func() search.Status }

func (c *searchCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- fallbackActive
	ch <- fallbackTotal
	ch <- versionOK
}

func (c *searchCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.status()
	active := 0.0
	if st.Failing {
		active = 1
	}
	ch <- prometheus.MustNewConstMetric(fallbackActive, prometheus.GaugeValue, active)
	ch <- prometheus.MustNewConstMetric(fallbackTotal, prometheus.CounterValue, float64(st.Fallbacks))
	if st.VersionChecked {
		ok := 1.0
		if st.VersionProblem != "" {
			ok = 0
		}
		ch <- prometheus.MustNewConstMetric(versionOK, prometheus.GaugeValue, ok, st.ServerVersion, search.MeiliServerVersion)
	}
}
