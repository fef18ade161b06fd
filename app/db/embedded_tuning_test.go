package db

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestMemorySettings(t *testing.T) {
	const gb = 1 << 30
	for _, tt := range []struct {
		total int64
		want  []string
	}{
		{0, nil},
		{256 << 20, nil}, // too small: PostgreSQL's defaults
		{24 * gb, []string{"-c", "shared_buffers=6144MB", "-c", "effective_cache_size=18432MB", "-c", "random_page_cost=1.1",
			"-c", "effective_io_concurrency=200", "-c", "maintenance_work_mem=1024MB"}},
		{64 * gb, []string{"-c", "shared_buffers=8192MB", "-c", "effective_cache_size=49152MB", "-c", "random_page_cost=1.1",
			"-c", "effective_io_concurrency=200", "-c", "maintenance_work_mem=1024MB"}},
	} {
		if got := memorySettings(tt.total); !slices.Equal(got, tt.want) {
			t.Errorf("memorySettings(%d) = %v, want %v", tt.total, got, tt.want)
		}
	}
	if memTotal() <= 0 {
		t.Error("no memory read from /proc/meminfo")
	}
}

func TestPrewarmSettings(t *testing.T) {
	root := t.TempDir()
	bin := filepath.Join(root, "bin")
	if err := os.MkdirAll(filepath.Join(root, "lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := prewarmSettings(bin); got != nil {
		t.Errorf("without pg_prewarm.so: %v", got)
	}
	if err := os.WriteFile(filepath.Join(root, "lib", "pg_prewarm.so"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := prewarmSettings(bin); !slices.Equal(got, []string{"-c", "shared_preload_libraries=pg_prewarm"}) {
		t.Errorf("with pg_prewarm.so: %v", got)
	}
	if got := prewarmSettings(""); got != nil {
		t.Errorf("no binaries: %v", got)
	}
}
