package db

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
)

// StartReplica starts a streaming replica of e, a running server on system
// binaries, with its cluster under dir: the cluster is copied from e by
// pg_basebackup -R (which also writes the standby settings), and the replica
// runs as e does (as "postgres" when root), on its own socket directory, under
// the same supervision. Tests use it to check the read path against a real
// replica; a local trial of DATABASE_REPLICA_URL can too.
func (e *Embedded) StartReplica(ctx context.Context, dir string) (*Embedded, error) {
	if e.tcp || e.bin == "" || e.socketDir == "" {
		return nil, errors.New("a replica needs a primary started from the system's PostgreSQL binaries")
	}
	r := &Embedded{Dir: dir, Database: e.Database, Fast: e.Fast, Log: e.Log, Bin: e.bin, FallbackRoot: e.FallbackRoot}
	r.initCluster = func() error {
		out, err := r.run(filepath.Join(r.bin, "pg_basebackup"), "-h", e.socketDir, "-p", strconv.Itoa(e.port),
			"-U", embeddedUser, "-D", r.cluster, "-R", "-X", "stream", "-c", "fast")
		if err != nil {
			return fmt.Errorf("pg_basebackup: %v: %s", err, lastLine(out))
		}
		return nil
	}
	if err := r.startCluster(ctx); err != nil {
		return nil, err
	}
	return r, nil
}
