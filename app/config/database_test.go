package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestDatabaseOpsDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.PGBin != "" || c.DatabaseReplicaURL != "" || c.HealthzDatabaseGrace != 30*time.Second {
		t.Errorf("defaults: PGBin %q, replica %q, grace %v", c.PGBin, c.DatabaseReplicaURL, c.HealthzDatabaseGrace)
	}
}

func TestDatabaseOps(t *testing.T) {
	bin := t.TempDir()
	for _, prog := range []string{"pg_ctl", "initdb", "postgres"} {
		if err := os.WriteFile(filepath.Join(bin, prog), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Load(env(map[string]string{
		"PG_BIN":                 bin,
		"DATABASE_URL":           "postgres://app:secret@primaire:5432/concertation",
		"DATABASE_REPLICA_URL":   "postgres://app:secret@replique:5432/concertation",
		"HEALTHZ_DATABASE_GRACE": "2m",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.PGBin != bin || c.DatabaseReplicaURL != "postgres://app:secret@replique:5432/concertation" || c.HealthzDatabaseGrace != 2*time.Minute {
		t.Errorf("loaded %q %q %v", c.PGBin, c.DatabaseReplicaURL, c.HealthzDatabaseGrace)
	}

	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"binaries folder without PostgreSQL", map[string]string{"PG_BIN": t.TempDir()}, "PG_BIN"},
		{"replica without a primary", map[string]string{"DATABASE_REPLICA_URL": "postgres://u@h/db"}, "DATABASE_REPLICA_URL"},
		{"replica of another kind", map[string]string{"DATABASE_URL": "postgres://u@h/db", "DATABASE_REPLICA_URL": "mysql://u@h/db"}, "DATABASE_REPLICA_URL"},
		{"grace not a duration", map[string]string{"HEALTHZ_DATABASE_GRACE": "30"}, "HEALTHZ_DATABASE_GRACE"},
		{"grace too short", map[string]string{"HEALTHZ_DATABASE_GRACE": "100ms"}, "HEALTHZ_DATABASE_GRACE"},
		{"grace too long", map[string]string{"HEALTHZ_DATABASE_GRACE": "2h"}, "HEALTHZ_DATABASE_GRACE"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(env(tt.env))
			var ce *Error
			if !errors.As(err, &ce) || ce.Var != tt.want {
				t.Errorf("err = %v, want one naming %s", err, tt.want)
			}
		})
	}
}
