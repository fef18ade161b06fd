package main

// The themes benchmark (issue 12): a theme analysis of every contribution
// (sample of synthesis.ThemeSample for the fit, then every contribution
// assigned and its memberships copied), and the report in every format, on
// BENCH_THEMES_SIZE synthetic contributions (default 1,000,000) in a
// throwaway embedded PostgreSQL. Each job runs in a child process of this
// program so that its peak resident memory (VmHWM) is its own.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/seed/synthetic"
	"github.com/cnr-numerique/concertation/app/synthesis"
)

const themesChildEnv = "CONCERTATION_BENCH_THEMES"

func init() {
	if job := os.Getenv(themesChildEnv); job != "" {
		os.Exit(themesChild(job))
	}
	benchmarks = append(benchmarks, benchmark{name: "themes", run: runThemes, optIn: true}) // bench -only themes
}

func runThemes() error {
	ctx := context.Background()
	size := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_THEMES_SIZE")); err == nil && v > 0 {
		size = v
	}
	d, dbURL, stop, err := benchDB(ctx, "concertation-bench-themes-")
	if err != nil {
		return err
	}
	defer stop()
	start := time.Now()
	res, err := synthetic.Load(ctx, d, synthetic.Options{Contributions: size, Supports: size, Seed: 12, Progress: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr)
	fmt.Printf("seeded %d contributions, %d supports in %s\n", res.Contributions, res.Supports, time.Since(start).Round(time.Second))
	if _, err := d.SQL().ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Printf("%-44s %10s %10s  %s\n", fmt.Sprintf("%d contributions", size), "durée", "RSS max", "cible")
	for _, job := range []struct{ id, name, target string }{
		{"analyse", "analyse des thèmes (12 thèmes)", "≤ 5 min, ≤ 1 Go"},
		{"rapport", "rapport (calcul)", "≤ 30 s à 1 M, ≤ 5 s à 100 000"},
		{"pdf", "rapport PDF (calcul + rendu)", ""},
		{"odt", "rapport ODT (calcul + rendu)", ""},
	} {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), themesChildEnv+"="+job.id, "CONCERTATION_BENCH_DB="+dbURL)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("%s: %w", job.name, err)
		}
		var r exportResult
		if err := json.Unmarshal(bytes.TrimSpace(out), &r); err != nil {
			return fmt.Errorf("%s: %w (%s)", job.name, err, out)
		}
		fmt.Printf("%-44s %9.1fs %7d Mo  %s\n", job.name, r.Seconds, r.RSSPeakMB, job.target)
	}
	return nil
}

// themesChild runs one job of the themes benchmark and prints its result.
func themesChild(job string) int {
	ctx := context.Background()
	d, err := db.Open(ctx, os.Getenv("CONCERTATION_BENCH_DB"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer d.Close()
	base, _ := url.Parse("https://concertation.example")
	s := synthesis.NewStore(d, base)
	refs, err := s.LoadRefs(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	f := synthesis.ParseFilter(nil, refs, false)
	if path := os.Getenv("CONCERTATION_BENCH_CPUPROFILE"); path != "" {
		pf, err := os.Create(path + "." + job)
		if err == nil && pprof.StartCPUProfile(pf) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	w := &countingWriter{}
	start := time.Now()
	switch job {
	case "analyse":
		var id int64
		if id, err = s.RequestThemeRun(ctx, refs, f, 12, 0); err == nil {
			_, err = s.RunNextThemeJob(ctx)
		}
		if err == nil {
			var run synthesis.ThemeRun
			run, err = s.ThemeRunByID(ctx, id)
			fmt.Fprintf(os.Stderr, "  analyse n° %d : %s, %d contributions, échantillon %d, %d termes dont %d expressions\n",
				id, run.StatusText(), run.Contributions, run.Sample, run.Vocabulary, run.Expressions)
			themes, _ := s.Themes(ctx, id, 0)
			for _, t := range themes {
				fmt.Fprintf(os.Stderr, "  thème « %s » : %d contributions\n", t.Label, t.Size)
			}
		}
	default:
		var r synthesis.Report
		r, err = s.Report(ctx, refs, f)
		switch {
		case err != nil:
		case job == "pdf":
			err = synthesis.WritePDF(w, r, "Rapport de synthèse")
		case job == "odt":
			err = synthesis.WriteODT(w, r, "Rapport de synthèse")
		}
	}
	elapsed := time.Since(start)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	_ = json.NewEncoder(os.Stdout).Encode(exportResult{Bytes: w.n, Seconds: elapsed.Seconds(), RSSPeakMB: peakRSSMB()})
	return 0
}
