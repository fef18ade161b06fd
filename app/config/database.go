package config

import (
	"os"
	"path/filepath"
	"time"
)

// DefaultHealthzDatabaseGrace is how long the database may be unreachable
// before /healthz fails, when HEALTHZ_DATABASE_GRACE is unset: long enough for
// the embedded PostgreSQL to be restarted by the app itself, short enough for
// an outside supervisor to restart the app when it cannot heal.
const DefaultHealthzDatabaseGrace = 30 * time.Second

// loadDatabaseOps reads the variables of the database's operation: the
// PostgreSQL binaries of the embedded server, the read replica and the
// health threshold.
// DefaultOpenDataTTL is how long a file of the open data is served before it
// is written again.
const DefaultOpenDataTTL = 10 * time.Minute

func (c *Config) loadDatabaseOps(get func(k, def string) string) error {
	c.PGBin = get("PG_BIN", "")
	if c.PGBin != "" {
		abs, err := filepath.Abs(c.PGBin)
		if err != nil {
			return &Error{"PG_BIN", err.Error()}
		}
		for _, prog := range []string{"pg_ctl", "initdb", "postgres"} {
			if fi, err := os.Stat(filepath.Join(abs, prog)); err != nil || fi.IsDir() {
				return &Error{"PG_BIN", "attendu le dossier des programmes de PostgreSQL (pg_ctl, initdb, postgres), par exemple /usr/lib/postgresql/15/bin"}
			}
		}
		c.PGBin = abs
	}
	c.DatabaseReplicaURL = get("DATABASE_REPLICA_URL", "")
	if c.DatabaseReplicaURL != "" {
		if c.DatabaseURL == "" {
			return &Error{"DATABASE_REPLICA_URL", "demande aussi DATABASE_URL (la base principale) : la base intégrée n'a pas de réplique"}
		}
		if err := checkDatabaseURL(c.DatabaseReplicaURL); err != nil {
			return &Error{"DATABASE_REPLICA_URL", err.Error()}
		}
	}
	c.OpenDataTTL = DefaultOpenDataTTL
	if v := get("OPENDATA_TTL", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 24*time.Hour {
			return &Error{"OPENDATA_TTL", "attendu une durée entre 0s et 24h, par exemple 10m"}
		}
		c.OpenDataTTL = d
	}
	c.OpenDataDir = get("OPENDATA_DIR", filepath.Join(c.DataDir, "donnees-ouvertes"))
	if abs, err := filepath.Abs(c.OpenDataDir); err == nil {
		c.OpenDataDir = abs
	}
	c.HealthzDatabaseGrace = DefaultHealthzDatabaseGrace
	if v := get("HEALTHZ_DATABASE_GRACE", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Hour {
			return &Error{"HEALTHZ_DATABASE_GRACE", "attendu une durée entre 1s et 1h, par exemple 30s ou 2m"}
		}
		c.HealthzDatabaseGrace = d
	}
	return nil
}
