package main

// The exports benchmark: 100,000 synthetic contributions and 1,000,000
// supports in a throwaway embedded PostgreSQL; each export format and the
// report run in a child process of this program, so that its peak resident
// memory (getrusage maxrss) is its own.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/seed/synthetic"
	"github.com/cnr-numerique/concertation/app/synthesis"
)

const exportsChildEnv = "CONCERTATION_BENCH_EXPORT"

func init() {
	if job := os.Getenv(exportsChildEnv); job != "" {
		os.Exit(exportChild(job))
	}
	benchmarks = append(benchmarks, benchmark{name: "exports", run: runExports})
}

// exportJobs are the measured jobs, with their targets.
var exportJobs = []struct {
	name, target string
	limit        time.Duration
	rssMB        int64
}{
	{"contributions.csv (données ouvertes)", "< 3 s, < 100 Mo", 3 * time.Second, 100},
	{"contributions-excel.csv (Excel français)", "< 3 s, < 100 Mo", 3 * time.Second, 100},
	{"contributions.jsonl", "", 0, 0},
	{"contributions.xlsx", "< 20 s", 20 * time.Second, 0},
	{"contributions.ods", "", 0, 0},
	{"export-csv.zip (4 fichiers, dont 1 M soutiens)", "", 0, 0},
	{"export-json.zip (4 fichiers + datapackage)", "", 0, 0},
	{"rapport (calcul + HTML-ready data)", "< 10 s", 10 * time.Second, 0},
	{"rapport.pdf", "< 10 s", 10 * time.Second, 0},
	{"rapport.odt", "< 10 s", 10 * time.Second, 0},
}

type exportResult struct {
	Bytes      int64   `json:"bytes"`
	Seconds    float64 `json:"seconds"`
	HeapPeakMB float64 `json:"heap_peak_mb"`
	RSSPeakMB  int64   `json:"rss_peak_mb"` // VmHWM of the child itself
	Rows       int     `json:"rows"`
}

// peakRSSMB reads the peak resident memory of this process (VmHWM). The
// getrusage maxrss that the parent sees after wait is not usable: Go starts
// children with vfork semantics, so it reports the parent's peak.
func peakRSSMB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return kb / 1024
		}
	}
	return -1
}

func runExports() error {
	ctx := context.Background()
	d, dbURL, stop, err := benchDB(ctx, "concertation-bench-exports-")
	if err != nil {
		return err
	}
	defer stop()
	start := time.Now()
	res, err := synthetic.Load(ctx, d, synthetic.Options{Contributions: 100_000, Supports: 1_000_000, Seed: 6, Progress: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr)
	fmt.Printf("seeded %d contributions, %d supports, %d arguments, %d users in %s\n",
		res.Contributions, res.Supports, res.Arguments, res.Users, time.Since(start).Round(time.Millisecond))
	if _, err := d.SQL().ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Printf("%-48s %10s %12s %12s %10s  %s\n", "export (vue complète des rapporteurs)", "durée", "taille", "RSS max", "tas max", "cible")
	only := os.Getenv("CONCERTATION_BENCH_JOBS") // e.g. "0,7": only these jobs
	for i, job := range exportJobs {
		if only != "" && !slices.Contains(strings.Split(only, ","), fmt.Sprint(i)) {
			continue
		}
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), exportsChildEnv+"="+fmt.Sprint(i), "CONCERTATION_BENCH_DB="+dbURL)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("%s: %w", job.name, err)
		}
		var r exportResult
		if err := json.Unmarshal(bytes.TrimSpace(out), &r); err != nil {
			return fmt.Errorf("%s: %w (%s)", job.name, err, out)
		}
		rssMB := r.RSSPeakMB
		verdict := ""
		if job.limit > 0 {
			verdict = "OK"
			if time.Duration(r.Seconds*float64(time.Second)) > job.limit || (job.rssMB > 0 && rssMB > job.rssMB) {
				verdict = "HORS CIBLE"
			}
		}
		fmt.Printf("%-48s %9.2fs %10.1f Mo %9d Mo %7.1f Mo  %s %s\n", job.name, r.Seconds, float64(r.Bytes)/1e6, rssMB, r.HeapPeakMB, job.target, verdict)
	}
	return nil
}

// countingWriter counts the bytes written and throws them away.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// exportChild runs one job and prints its result as JSON; it samples the Go
// heap while the job runs.
func exportChild(job string) int {
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
	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	if path := os.Getenv("CONCERTATION_BENCH_CPUPROFILE"); path != "" {
		pf, err := os.Create(path + "." + job)
		if err == nil && pprof.StartCPUProfile(pf) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	w := &countingWriter{}
	start := time.Now()
	var rows int
	switch job {
	case "0":
		err = s.WriteTable(ctx, w, refs, f, "contributions", synthesis.FormatCSV)
	case "1":
		err = s.WriteTable(ctx, w, refs, f, "contributions", synthesis.FormatExcelCSV)
	case "2":
		err = s.WriteTable(ctx, w, refs, f, "contributions", synthesis.FormatJSONL)
	case "3":
		err = s.WriteTable(ctx, w, refs, f, "contributions", synthesis.FormatXLSX)
	case "4":
		err = s.WriteTable(ctx, w, refs, f, "contributions", synthesis.FormatODS)
	case "5":
		err = s.WriteBundle(ctx, w, refs, f, synthesis.FormatCSV)
	case "6":
		err = s.WriteBundle(ctx, w, refs, f, synthesis.FormatJSONL)
	case "7", "8", "9":
		var r synthesis.Report
		r, err = s.Report(ctx, refs, f)
		rows = r.Metrics.Contributions
		if err == nil && job == "7" {
			for _, th := range r.Expressions[:min(5, len(r.Expressions))] {
				fmt.Fprintf(os.Stderr, "  expression « %s » : %d contributions\n", th.Label, th.Contributions)
			}
			for _, g := range r.Duplicates[:min(3, len(r.Duplicates))] {
				fmt.Fprintf(os.Stderr, "  groupe de %d contributions presque identiques\n", g.Size)
			}
			fmt.Fprintf(os.Stderr, "  %d groupes de quasi-doublons listés, empreinte %s\n", len(r.Duplicates), r.Hash[:16])
		}
		if err == nil && job == "8" {
			err = synthesis.WritePDF(w, r, "Rapport de synthèse")
		}
		if err == nil && job == "9" {
			err = synthesis.WriteODT(w, r, "Rapport de synthèse")
		}
	}
	elapsed := time.Since(start)
	close(stop)
	<-done
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	_ = json.NewEncoder(os.Stdout).Encode(exportResult{Bytes: w.n, Seconds: elapsed.Seconds(), HeapPeakMB: float64(peak) / 1e6, RSSPeakMB: peakRSSMB(), Rows: rows})
	return 0
}

var _ io.Writer = (*countingWriter)(nil)
