package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" {
		t.Errorf("Addr = %q", c.Addr)
	}
	if c.BaseURL.String() != "http://127.0.0.1:8080" {
		t.Errorf("BaseURL = %q", c.BaseURL)
	}
	if !filepath.IsAbs(c.DataDir) || filepath.Base(c.DataDir) != "data" {
		t.Errorf("DataDir = %q", c.DataDir)
	}
	if c.DatabaseURL != "" || c.Secure() || !c.Local() {
		t.Errorf("defaults: %+v secure=%v local=%v", c, c.Secure(), c.Local())
	}
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // the variable named
	}{
		{"address without port", map[string]string{"ADDR": "localhost"}, "ADDR"},
		{"base url not http", map[string]string{"BASE_URL": "ftp://example.org"}, "BASE_URL"},
		{"base url without host", map[string]string{"BASE_URL": "https://"}, "BASE_URL"},
		{"base url with query", map[string]string{"BASE_URL": "https://example.org/?a=b"}, "BASE_URL"},
		{"database url of another kind", map[string]string{"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL"},
		{"database url without database", map[string]string{"DATABASE_URL": "postgres://u@h:5432"}, "DATABASE_URL"},
		{"database url unreadable", map[string]string{"DATABASE_URL": "postgres://u@h:port/db"}, "DATABASE_URL"},
		{"meilisearch url", map[string]string{"MEILI_URL": "localhost:7700"}, "MEILI_URL"},
		{"smtp url", map[string]string{"SMTP_URL": "http://mail"}, "SMTP_URL"},
		{"short session secret", map[string]string{"SESSION_SECRET": "short"}, "SESSION_SECRET"},
		{"https without session secret", map[string]string{"BASE_URL": "https://concertation.example.gouv.fr"}, "SESSION_SECRET"},
		{"log level", map[string]string{"LOG_LEVEL": "verbose"}, "LOG_LEVEL"},
		{"short metrics token", map[string]string{"METRICS_TOKEN": "court"}, "METRICS_TOKEN"},
		{"https without metrics token", map[string]string{"BASE_URL": "https://concertation.example.gouv.fr", "SESSION_SECRET": strings.Repeat("x", 32)}, "METRICS_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(env(tt.env))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a config.Error", err)
			}
			if ce.Var != tt.want {
				t.Errorf("names %s, want %s", ce.Var, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message is not one line: %q", err)
			}
		})
	}
}

func TestLoadProduction(t *testing.T) {
	c, err := Load(env(map[string]string{
		"ADDR":           "0.0.0.0:8080",
		"BASE_URL":       "https://concertation.example.gouv.fr/",
		"DATABASE_URL":   "postgres://app:secret@db:5432/concertation?sslmode=require",
		"SESSION_SECRET": strings.Repeat("x", 40),
		"MEILI_URL":      "http://meili:7700",
		"SMTP_URL":       "smtp://user:pass@mail:587",
		"METRICS_TOKEN":  strings.Repeat("m", 16),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Secure() || c.Local() {
		t.Errorf("secure=%v local=%v", c.Secure(), c.Local())
	}
	if c.BaseURL.String() != "https://concertation.example.gouv.fr" {
		t.Errorf("BaseURL = %q (trailing slash should be trimmed)", c.BaseURL)
	}
}

// TestMetricsOff: METRICS_TOKEN=off turns /metrics off, which lets an https
// deployment start without a token.
func TestMetricsOff(t *testing.T) {
	c, err := Load(env(map[string]string{"BASE_URL": "https://concertation.example.gouv.fr", "SESSION_SECRET": strings.Repeat("x", 32), "METRICS_TOKEN": "off"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.MetricsOff || c.MetricsToken != "" {
		t.Errorf("MetricsOff=%v MetricsToken=%q", c.MetricsOff, c.MetricsToken)
	}
	if c, err := Load(env(nil)); err != nil || c.MetricsOff {
		t.Errorf("local run: metrics off=%v, err %v", c.MetricsOff, err)
	}
}

func TestEnsureSessionSecretIsKept(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(env(map[string]string{"DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureSessionSecret(); err != nil {
		t.Fatal(err)
	}
	if len(c.SessionSecret) < 32 {
		t.Fatalf("secret too short: %q", c.SessionSecret)
	}
	info, err := os.Stat(filepath.Join(dir, "session.key"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("session.key mode %v, want 0600", info.Mode().Perm())
	}
	d, _ := Load(env(map[string]string{"DATA_DIR": dir}))
	if err := d.EnsureSessionSecret(); err != nil {
		t.Fatal(err)
	}
	if d.SessionSecret != c.SessionSecret {
		t.Error("a restart did not keep the session secret")
	}
}

func TestGCPercent(t *testing.T) {
	for v, want := range map[string]int{"": 400, "off": -1, "200": 200} {
		c, err := Load(func(k string) string {
			if k == "GOGC" {
				return v
			}
			return ""
		})
		if err != nil || c.GCPercent != want {
			t.Errorf("GOGC=%q: %d, %v; want %d", v, c.GCPercent, err, want)
		}
	}
	for _, v := range []string{"10", "beaucoup", "-5"} {
		if _, err := Load(func(k string) string {
			if k == "GOGC" {
				return v
			}
			return ""
		}); err == nil || !strings.Contains(err.Error(), "GOGC") {
			t.Errorf("GOGC=%q: %v, want an error naming GOGC", v, err)
		}
	}
}
