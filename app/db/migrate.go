package db

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrationLockID is the advisory lock key held while migrating, so that two
// instances starting together never migrate at once.
const migrationLockID = 0x636e72 // "cnr"

// Migrate applies the pending SQL migrations of fsys (forward only) under a
// PostgreSQL session advisory lock, and returns how many it applied.
func (d *DB) Migrate(ctx context.Context, fsys fs.FS, log *slog.Logger) (int, error) {
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(migrationLockID),
		lock.WithLockTimeout(1, 600), // wait up to 10 minutes for another instance
	)
	if err != nil {
		return 0, err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, d.SQL(), fsys,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return len(results), nil
}
