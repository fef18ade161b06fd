package metrics

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	mailOnce sync.Once

	mailPending = prometheus.NewDesc("concertation_mail_outbox_pending",
		"Mails written to the outbox and not yet accepted by the SMTP server.", nil, nil)
	mailLag = prometheus.NewDesc("concertation_mail_outbox_lag_seconds",
		"Age of the oldest mail not yet sent (0 when none): how late mail is.", nil, nil)
	mailAttempts = prometheus.NewDesc("concertation_mail_outbox_max_attempts",
		"Highest number of failed attempts among the pending mails (the SMTP server is failing when it grows).", nil, nil)
)

// WatchMailOutbox adds the mail outbox gauges, read from db at each scrape
// (the first call wins).
func WatchMailOutbox(db *sql.DB) {
	mailOnce.Do(func() { registry.MustRegister(&mailCollector{db: db}) })
}

type mailCollector struct{ db *sql.DB }

func (c *mailCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- mailPending
	ch <- mailLag
	ch <- mailAttempts
}

func (c *mailCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var pending, attempts int64
	var lag float64
	err := c.db.QueryRowContext(ctx, `SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8,
	coalesce(max(attempts), 0) FROM mail_outbox`).Scan(&pending, &lag, &attempts)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(mailPending, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(mailPending, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(mailLag, prometheus.GaugeValue, lag)
	ch <- prometheus.MustNewConstMetric(mailAttempts, prometheus.GaugeValue, float64(attempts))
}
