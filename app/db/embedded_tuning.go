package db

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// memorySettings sizes the embedded server to the machine, as one would a
// dedicated database host, rather than PostgreSQL's defaults (128 MB of
// shared buffers, made for any small box): a quarter of the memory for the
// shared buffers (at most 8 GB), three quarters as the planner's view of the
// cache, and the costs of a solid-state disk. At national scale (1,000,000
// contributions) the tables and indexes that pages read hold about 2 GB.
// A machine whose memory is unknown keeps the defaults.
func memorySettings(total int64) []string {
	if total <= 0 {
		return nil
	}
	const mb = 1 << 20
	shared := min(total/4, 8<<30)
	if shared < 128*mb {
		return nil
	}
	return []string{
		"-c", "shared_buffers=" + strconv.FormatInt(shared/mb, 10) + "MB",
		"-c", "effective_cache_size=" + strconv.FormatInt(total*3/4/mb, 10) + "MB",
		"-c", "random_page_cost=1.1",
		"-c", "effective_io_concurrency=200",
		"-c", "maintenance_work_mem=" + strconv.FormatInt(min(total/16, 1<<30)/mb, 10) + "MB",
	}
}

// memTotal returns the machine's memory in bytes (/proc/meminfo), or 0.
func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// prewarmSettings loads pg_prewarm when the binaries of bin have it (the
// Debian packages do): its background worker saves the list of the shared
// buffers every five minutes and at shutdown, and reads those blocks back
// after a start. Without it, the first minutes after a restart (or after
// `seed`, which starts its own server) read their pages from the disk: at
// 1,000,000 contributions, 3,000 lists right after a restart had a p99 of
// 250 ms without it, 38 ms with it.
func prewarmSettings(bin string) []string {
	if bin == "" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(bin), "lib", "pg_prewarm.so")); err != nil {
		return nil
	}
	return []string{"-c", "shared_preload_libraries=pg_prewarm"}
}
