package synthesis

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"sync"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/topic"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Theme analysis: a rapporteur asks for it (RequestThemeRun), a background
// worker runs it (RunThemeWorker). The fit reads a sample of the view (at
// most ThemeSample contributions), then every contribution of the view is
// assigned to the themes and its memberships are copied into the database.
// Memory grows with the sample and the vocabulary, not with the view.

// ThemeSample is the number of contributions the themes are learnt from.
const ThemeSample = 30_000

// RunThemeWorker runs the queued analyses and reports one after the other
// until ctx ends, looking for new ones every poll. Runs left "running" by a process
// that stopped are marked failed after two minutes without a heartbeat.
func (s *Store) RunThemeWorker(ctx context.Context, log *slog.Logger, poll time.Duration) {
	for {
		ran, err := s.RunNextThemeJob(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("theme analysis", "err", err)
		}
		report, err := s.RunNextReportJob(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("report in the background", "err", err)
		}
		if ran || report {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(poll):
		}
	}
}

// RunNextThemeJob claims the oldest queued run and runs it; it reports
// whether there was one. A failure of the analysis is recorded on the run
// (status failed, a French message) and also returned.
func (s *Store) RunNextThemeJob(ctx context.Context) (bool, error) {
	if _, err := s.sql().ExecContext(ctx, `UPDATE synthesis_theme_runs SET status = 'failed', finished_at = now(),
		error = 'Analyse interrompue (arrêt du serveur) : relancez-la.'
		WHERE status = 'running' AND heartbeat_at < now() - interval '2 minutes'`); err != nil {
		return false, fmt.Errorf("expire theme runs: %w", err)
	}
	run, err := scanRun(s.sql().QueryRowContext(ctx, `WITH next AS (
			SELECT id FROM synthesis_theme_runs WHERE status = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
		UPDATE synthesis_theme_runs r SET status = 'running', started_at = now(), heartbeat_at = now(), phase = 'préparation'
		FROM next WHERE r.id = next.id RETURNING `+runColumnsNoFrom))
	if db.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim theme run: %w", err)
	}
	j := &themeJob{s: s, run: run}
	if run.Kind == "scission" {
		err = j.split(ctx)
	} else {
		err = j.analyse(ctx)
	}
	if err != nil {
		msg := "L'analyse a échoué ; réessayez ou signalez-le à l'équipe technique."
		var ue userErr
		if errors.As(err, &ue) {
			msg = string(ue)
		}
		if _, uerr := s.sql().ExecContext(context.WithoutCancel(ctx), `UPDATE synthesis_theme_runs SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`, run.ID, msg); uerr != nil {
			return true, errors.Join(err, uerr)
		}
		return true, fmt.Errorf("theme run %d: %w", run.ID, err)
	}
	_, err = s.sql().ExecContext(ctx, `UPDATE synthesis_theme_runs SET status = 'done', progress = 100, phase = 'terminée', finished_at = now() WHERE id = $1`, run.ID)
	return true, err
}

// runColumnsNoFrom are the run columns for a RETURNING clause (no user name).
const runColumnsNoFrom = `r.id, r.kind, r.query, r.themes_wanted, coalesce(r.split_theme_id, 0), r.status, r.phase, r.progress,
	r.contributions, r.sample, r.vocabulary, r.expressions, r.error, '', r.requested_at,
	coalesce(r.started_at, 'epoch'), coalesce(r.finished_at, 'epoch')`

// userErr is a failure whose text (French) is shown to the rapporteur.
type userErr string

func (e userErr) Error() string { return string(e) }

type themeJob struct {
	s   *Store
	run ThemeRun
}

// report records the phase and progress (0–100) of the run.
func (j *themeJob) report(ctx context.Context, phase string, progress int) error {
	_, err := j.s.sql().ExecContext(ctx, `UPDATE synthesis_theme_runs SET phase = $2, progress = $3, heartbeat_at = now() WHERE id = $1`,
		j.run.ID, phase, min(max(progress, 0), 99))
	return err
}

// textSource streams (id, title + body) of a set of contributions.
type textSource struct {
	count  func(ctx context.Context) (int, error)
	sample func(ctx context.Context, step int, fn func(id int64, text string) error) error
	all    func(ctx context.Context, fn func(id int64, text string) error) error
}

func (s *Store) viewSource(refs Refs, f Filter) textSource {
	var a sqlArgs
	where := f.Where(refs, &a)
	return textSource{
		count: func(ctx context.Context) (int, error) {
			var n int
			err := s.sql().QueryRowContext(ctx, `SELECT count(*) FROM contributions c WHERE `+where, a...).Scan(&n)
			return n, err
		},
		sample: func(ctx context.Context, step int, fn func(int64, string) error) error {
			q := `SELECT id, title || E'\n' || body FROM (SELECT c.id, c.title, c.body, row_number() OVER (ORDER BY c.id) AS rn
				FROM contributions c WHERE ` + where + `) x WHERE (rn - 1) % ` + fmt.Sprint(step) + ` = 0 ORDER BY id`
			return eachText(ctx, s.sql(), q, a, fn)
		},
		all: func(ctx context.Context, fn func(int64, string) error) error {
			return eachText(ctx, s.sql(), `SELECT c.id, c.title || E'\n' || c.body FROM contributions c WHERE `+where+` ORDER BY c.id`, a, fn)
		},
	}
}

func eachText(ctx context.Context, d *sql.DB, q string, args []any, fn func(int64, string) error) error {
	return queryEach(ctx, d, q, args, func(rs *sql.Rows) error {
		var id int64
		var text string
		if err := rs.Scan(&id, &text); err != nil {
			return err
		}
		return fn(id, text)
	})
}

// fit learns the model from a sample of src.
func (j *themeJob) fit(ctx context.Context, src textSource, themes int) (*topic.Model, int, error) {
	n, err := src.count(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("count: %w", err)
	}
	step := max(1, (n+ThemeSample-1)/ThemeSample)
	var docs []topic.Doc
	if err := j.report(ctx, "lecture de l'échantillon", 2); err != nil {
		return nil, n, err
	}
	if err := src.sample(ctx, step, func(id int64, text string) error {
		docs = append(docs, topic.Doc{ID: id, Text: text})
		return nil
	}); err != nil {
		return nil, n, fmt.Errorf("sample: %w", err)
	}
	if err := j.report(ctx, "apprentissage des thèmes", 10); err != nil {
		return nil, n, err
	}
	last := time.Now()
	m, err := topic.Fit(docs, topic.Options{Themes: themes, Progress: func(done, total int) {
		if time.Since(last) > time.Second {
			last = time.Now()
			_ = j.report(ctx, "apprentissage des thèmes", 10+30*done/max(total, 1))
		}
	}})
	if errors.Is(err, topic.ErrTooFew) {
		return nil, n, userErr(fmt.Sprintf("Trop peu de contributions avec du texte exploitable (%d) pour trouver %d thèmes.", len(docs), themes))
	}
	if err != nil {
		return nil, n, err
	}
	_, err = j.s.sql().ExecContext(ctx, `UPDATE synthesis_theme_runs SET contributions = $2, sample = $3, vocabulary = $4, expressions = $5 WHERE id = $1`,
		j.run.ID, n, len(docs), m.Terms, m.Phrases())
	return m, n, err
}

// analyse runs an analysis: fit, create the themes, assign the view.
func (j *themeJob) analyse(ctx context.Context) error {
	refs, err := j.s.LoadRefs(ctx)
	if err != nil {
		return err
	}
	q, _ := url.ParseQuery(j.run.Query)
	src := j.s.viewSource(refs, ParseFilter(q, refs, false))
	m, n, err := j.fit(ctx, src, j.run.ThemesWanted)
	if err != nil {
		return err
	}
	ids := make([]int64, len(m.Themes))
	for l, th := range m.Themes {
		if err := j.s.sql().QueryRowContext(ctx, `INSERT INTO synthesis_themes (run_id, position, label, auto_label, terms)
			VALUES ($1, $2, $3, $3, $4) RETURNING id`, j.run.ID, l+1, clip(th.Label, 200), termLabels(th)).Scan(&ids[l]); err != nil {
			return fmt.Errorf("insert theme: %w", err)
		}
	}
	return j.assign(ctx, m, n, src.all, func(ws []topic.Weight, emit func(theme int64, w float64)) {
		for _, w := range ws {
			emit(ids[w.Theme], w.Weight)
		}
	})
}

func termLabels(th topic.Theme) []string {
	out := make([]string, len(th.Terms))
	for i, t := range th.Terms {
		out[i] = t.Label
	}
	return out
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	if s == "" {
		return "thème sans libellé"
	}
	return s
}

type assigned struct {
	id int64
	ws []topic.Weight
}

// assign streams every text of all, assigns it on the cores, and copies the
// memberships (chosen by pick) into synthesis_theme_members.
func (j *themeJob) assign(ctx context.Context, m *topic.Model, n int, all func(context.Context, func(int64, string) error) error,
	pick func(ws []topic.Weight, emit func(theme int64, w float64))) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type job struct {
		id   int64
		text string
	}
	in := make(chan job, 1024)
	out := make(chan assigned, 1024)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			as := m.NewAssigner()
			for jb := range in {
				w := as.Weights(jb.text)
				out <- assigned{jb.id, topic.Members(w, nil)}
			}
		}()
	}
	go func() {
		defer close(in)
		err := all(ctx, func(id int64, text string) error {
			select {
			case in <- job{id, text}:
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		})
		if err != nil {
			cancel(fmt.Errorf("read texts: %w", err))
		}
	}()
	go func() {
		wg.Wait()
		close(out)
	}()
	done := 0
	last := time.Now()
	err := j.s.copyMembers(ctx, func(emit func(theme, contribution int64, w float64)) error {
		for a := range out {
			pick(a.ws, func(theme int64, w float64) { emit(theme, a.id, w) })
			done++
			if done%5000 == 0 && time.Since(last) > time.Second {
				last = time.Now()
				if err := j.report(ctx, "affectation des contributions", 40+59*done/max(n, 1)); err != nil {
					return err
				}
			}
		}
		return context.Cause(ctx)
	})
	for range out { // drain after an error, so the workers end
	}
	if cerr := context.Cause(ctx); cerr != nil && !errors.Is(cerr, context.Canceled) {
		return cerr
	}
	return err
}

// copyMembers writes memberships with COPY, in one transaction.
func (s *Store) copyMembers(ctx context.Context, produce func(emit func(theme, contribution int64, w float64)) error) error {
	conn, err := s.sql().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		rows := make(chan []any, 4096)
		perr := make(chan error, 1)
		go func() {
			defer close(rows)
			perr <- produce(func(theme, contribution int64, w float64) {
				rows <- []any{theme, contribution, float32(w)}
			})
		}()
		_, err := pc.CopyFrom(ctx, pgx.Identifier{"synthesis_theme_members"}, []string{"theme_id", "contribution_id", "weight"},
			pgx.CopyFromFunc(func() ([]any, error) {
				r, ok := <-rows
				if !ok {
					return nil, nil
				}
				return r, nil
			}))
		for range rows {
		}
		if e := <-perr; e != nil {
			return e
		}
		return err
	})
}
