package main

import (
	"context"
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

// searchEngines returns the engine fed by the outbox worker and rebuilt by
// reindex (Meilisearch when MEILI_URL is set, PostgreSQL otherwise), and the
// engine that answers searches: the same one, except that with Meilisearch a
// failing search falls back to PostgreSQL. Both are instrumented (/metrics).
func searchEngines(cfg config.Config, d *db.DB, log *slog.Logger) (indexer, searcher search.Engine) {
	pg := metrics.Instrument(search.NewPostgres(d.SQL()))
	if cfg.MeiliURL == "" {
		return pg, pg
	}
	meili := metrics.Instrument(search.NewMeili(cfg.MeiliURL, cfg.MeiliKey, ""))
	return meili, search.Fallback(meili, pg, func(err error) {
		log.Warn("Meilisearch search failed: answered by PostgreSQL", "err", err)
	})
}

// startSearchWorker drains the search outbox in the background until ctx
// ends, whatever the engine:
//   - with Meilisearch, it first applies the index settings (retrying until
//     the server answers, so documents never reach an index without them),
//     then sends every change;
//   - with PostgreSQL, searches read the rows directly, but the worker still
//     consumes the outbox, so the table never grows, and adds the words of
//     new contributions to the dictionary used to correct typing mistakes.
//
// Several instances may run it at once.
func startSearchWorker(ctx context.Context, cfg config.Config, d *db.DB, log *slog.Logger, indexer search.Engine) {
	metrics.WatchOutbox(d.SQL())
	go func() {
		if cfg.MeiliURL != "" {
			meili := search.NewMeili(cfg.MeiliURL, cfg.MeiliKey, "")
			for attempt := 1; ; attempt++ {
				err := meili.EnsureIndex(ctx)
				if err == nil {
					break
				}
				log.Warn("Meilisearch: index settings not applied, will retry", "err", err)
				select {
				case <-ctx.Done():
					return
				case <-time.After(indexing.Backoff(attempt)):
				}
			}
		}
		w := &indexing.Worker{DB: d.SQL(), Engine: indexer, Log: log}
		w.Run(ctx)
	}()
}

// reindexCmd is `concertation reindex`: rebuild the search index from the
// database into a new index and swap it in; resumes an interrupted rebuild.
func reindexCmd(ctx context.Context, cfg config.Config, log *slog.Logger, d *db.DB, stdout, stderr io.Writer) error {
	if _, err := d.Migrate(ctx, migrations.FS, log); err != nil {
		return err
	}
	indexer, _ := searchEngines(cfg, d, log)
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
