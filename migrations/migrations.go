// Package migrations embeds the numbered SQL files that make the schema.
// Files are forward-only and never edited once landed: add a new file instead.
package migrations

import "embed"

// FS holds the migration files, applied in order by db.Migrate.
//
//go:embed *.sql
var FS embed.FS
