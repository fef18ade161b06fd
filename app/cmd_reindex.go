package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cnr-numerique/concertation/app/config"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/indexing"
	"github.com/cnr-numerique/concertation/app/metrics"
	"github.com/cnr-numerique/concertation/migrations"
	"github.com/cnr-numerique/concertation/search"
)

// searchParts are the search engines of a process.
type searchParts struct {
	// Indexer is fed by the outbox worker and rebuilt by reindex:
	// Meilisearch when MEILI_URL is set, PostgreSQL otherwise.
	Indexer search.Engine
	// Searcher answers searches: the same engine, except that with
	// Meilisearch a failing search falls back to PostgreSQL.
	Searcher search.Engine
	// Monitor shows the fallback and the server version (log, /readyz,
	// /metrics); nil with PostgreSQL alone.
	Monitor *search.Monitor
}

// searchEngines builds the engines; both are instrumented (/metrics).
func searchEngines(cfg config.Config, d *db.DB, log *slog.Logger) searchParts {
	pg := metrics.Instrument(search.NewPostgres(d.SQL()))
	if cfg.MeiliURL == "" {
		return searchParts{Indexer: pg, Searcher: pg}
	}
	meili := metrics.Instrument(search.NewMeili(cfg.MeiliURL, cfg.MeiliKey, ""))
	mon := &search.Monitor{Log: log}
	metrics.WatchSearch(mon.Status)
	return searchParts{Indexer: meili, Searcher: search.FallbackObserved(meili, pg, mon), Monitor: mon}
}

// startSearchWorker drains the search outbox in the background until ctx
// ends, whatever the engine:
//   - with Meilisearch, it first checks the server's version against
//     search.MeiliServerVersion (an error line in the log and in /readyz
//     when it differs; the worker goes on, the server may still answer),
//     then applies the index settings (retrying until the server answers,
//     so documents never reach an index without them), then sends every
//     change;
//   - with PostgreSQL, searches read the rows directly, but the worker still
//     consumes the outbox, so the table never grows, and adds the words of
//     new contributions to the dictionary used to correct typing mistakes.
//
// Several instances may run it at once.
func startSearchWorker(ctx context.Context, cfg config.Config, d *db.DB, log *slog.Logger, sp searchParts) {
	metrics.WatchOutbox(d.SQL())
	go func() {
		if cfg.MeiliURL != "" {
			meili := search.NewMeili(cfg.MeiliURL, cfg.MeiliKey, "")
			if !retry(ctx, log, "Meilisearch: version not checked, will retry", func() error {
				v, err := meili.CheckVersion(ctx)
				if errors.Is(err, search.ErrVersion) {
					log.Error("Meilisearch server version differs from the pinned one: requests may be refused; run the version of docker-compose.yml",
						"server", v, "expected", search.MeiliServerVersion)
					sp.Monitor.SetVersion(v, err)
					return nil
				}
				if err == nil {
					log.Info("Meilisearch server", "version", v)
					sp.Monitor.SetVersion(v, nil)
				}
				return err
			}) {
				return
			}
			if !retry(ctx, log, "Meilisearch: index settings not applied, will retry", func() error { return meili.EnsureIndex(ctx) }) {
				return
			}
		}
		w := &indexing.Worker{DB: d.SQL(), Engine: sp.Indexer, Log: log}
		if cfg.MeiliURL != "" {
			w.Probe = search.NewMeili(cfg.MeiliURL, cfg.MeiliKey, "").Healthy
		}
		w.Run(ctx)
	}()
}

// retry calls fn until it succeeds, with the outbox backoff between
// attempts; it returns false when ctx ends first.
func retry(ctx context.Context, log *slog.Logger, msg string, fn func() error) bool {
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil {
			return true
		}
		log.Warn(msg, "err", err)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(indexing.Backoff(attempt)):
		}
	}
}

// reindexCmd is `concertation reindex`: rebuild the search index from the
// database into a new index and swap it in; resumes an interrupted rebuild.
func reindexCmd(ctx context.Context, cfg config.Config, log *slog.Logger, d *db.DB, stdout, stderr io.Writer) error {
	if _, err := d.Migrate(ctx, migrations.FS, log); err != nil {
		return err
	}
	indexer := searchEngines(cfg, d, log).Indexer
	r := &indexing.Reindex{DB: d.SQL(), Engine: indexer, Log: log, Progress: stderr}
	st, err := r.Run(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("réindexation interrompue : relancez « concertation reindex » pour la reprendre là où elle s'est arrêtée")
		}
		return fmt.Errorf("réindexation : %w", err)
	}
	rate := float64(st.Sent) / max(st.Took.Seconds(), 0.001)
	fmt.Fprintf(stdout, "Index %s reconstruit : %d contributions lues, %d documents envoyés en %s (%.0f documents/s).\n",
		indexer.Name(), st.Total, st.Sent, st.Took.Round(time.Millisecond), rate)
	return nil
}
