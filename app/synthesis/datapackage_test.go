package synthesis_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cnr-numerique/concertation/app/synthesis"
)

// TestDataPackagesPassTheFrictionlessValidator writes every bundle (the
// public open data in CSV and JSON Lines, the rapporteurs' exports in CSV,
// Excel CSV and JSON Lines) with awkward data (a formula, line breaks, a
// missing integer, emoji) and runs tools/validate-datapackage.cjs on them:
// the Frictionless Data JavaScript libraries installed by npm ci.
func TestDataPackagesPassTheFrictionlessValidator(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is needed to validate the data packages (installed by .ci/run)")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	if _, err := os.Stat(filepath.Join(root, "node_modules", "datapackage")); err != nil {
		t.Fatal("node_modules/datapackage is missing: run npm ci (make test does)")
	}
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.db.SQL().Exec(`INSERT INTO official_answers (contribution_id, state, body) VALUES ($1, 'etude', 'À l''étude 🎓
deuxième ligne')`, e.fx.Formation); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	var dirs []string
	for _, c := range []struct {
		name   string
		public bool
		format synthesis.Format
	}{
		{"donnees-csv", true, synthesis.FormatCSV},
		{"donnees-json", true, synthesis.FormatJSONL},
		{"export-csv", false, synthesis.FormatCSV},
		{"export-json", false, synthesis.FormatJSONL},
	} {
		var b bytes.Buffer
		if err := e.store.WriteBundle(ctx, &b, e.refs, e.filter("", c.public), c.format); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(tmp, c.name)
		unzip(t, b.Bytes(), dir)
		dirs = append(dirs, dir)
	}
	out, err := exec.Command(node, append([]string{filepath.Join(root, "tools", "validate-datapackage.cjs")}, dirs...)...).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("the validator rejects a data package: %v", err)
	}
	if strings.Count(string(out), "valid ") != len(dirs) {
		t.Errorf("not every package was validated")
	}
	// The validator must be able to fail: a datetime with an offset is
	// rejected by the declared default format.
	broken := filepath.Join(tmp, "donnees-json", "contributions.jsonl")
	b, _ := os.ReadFile(broken)
	if err := os.WriteFile(broken, bytes.Replace(b, []byte(`Z"`), []byte(`+01:00"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(node, filepath.Join(root, "tools", "validate-datapackage.cjs"), filepath.Join(tmp, "donnees-json")).CombinedOutput(); err == nil {
		t.Errorf("a broken datetime passed: %s", out)
	}
}

func unzip(t *testing.T, b []byte, dir string) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		if err := os.WriteFile(filepath.Join(dir, f.Name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
