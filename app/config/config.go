// Package config reads the platform's configuration once from the environment
// and validates it. A Config is passed by value; nothing else reads the environment.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the validated configuration of one process.
type Config struct {
	Addr          string // listen address, host:port
	BaseURL       *url.URL
	DatabaseURL   string // empty: start the embedded PostgreSQL under DataDir
	DataDir       string
	MeiliURL      string
	MeiliKey      string
	SMTPURL       string
	SessionSecret string
	LogLevel      string
	ProxyHeader   string // header holding the client address, set by a trusted proxy
	MetricsToken  string // when set, /metrics requires "Authorization: Bearer <token>"
	// AccessibilityContact is the e-mail address of the team given on the
	// accessibility declaration (ACCESSIBILITY_CONTACT); empty: the form only.
	AccessibilityContact string
	MetricsOff           bool // METRICS_TOKEN=off: /metrics is not served at all
	// RateLimits are the RATE_LIMITS overrides of the rate limiter's
	// default rules, by rule name ("signin:ip").
	RateLimits map[string]RateLimit
	// OIDCProviders are the OpenID Connect providers offered at sign-in, in
	// the order of OIDC_PROVIDERS.
	OIDCProviders []OIDCProvider
	// GCPercent is the Go garbage collector's target (GOGC): 400 by default
	// (the runtime's is 100), which spends a quarter of the collection work
	// for a larger heap; -1 with GOGC=off.
	GCPercent int
	// ModerationReportThreshold is the number of reports from distinct accounts
	// that hides an item until a moderator decides (MODERATION_REPORT_THRESHOLD).
	ModerationReportThreshold int
	// MediationLimits bound what one médiateur numérique does in a day
	// (MEDIATION_LIMITS, mediation.go).
	MediationLimits MediationLimits
	// Database operations (database.go): PG_BIN, DATABASE_REPLICA_URL,
	// HEALTHZ_DATABASE_GRACE.
	PGBin                string        // PostgreSQL binaries of the embedded server; empty: found on the system
	DatabaseReplicaURL   string        // optional streaming replica for reads; needs DATABASE_URL
	HealthzDatabaseGrace time.Duration // /healthz fails once the database has been unreachable this long
	// The open data files (/donnees/…) are written in the background at most
	// once per OpenDataTTL (OPENDATA_TTL, 0: at every download) into
	// OpenDataDir (OPENDATA_DIR, by default DATA_DIR/donnees-ouvertes).
	OpenDataTTL time.Duration
	OpenDataDir string
}

// Secure reports whether the platform is served over HTTPS (production).
func (c Config) Secure() bool { return c.BaseURL.Scheme == "https" }

// Local reports whether the platform runs for local development: plain HTTP on a
// loopback host. Development-only pages (the local mailbox) exist only then.
func (c Config) Local() bool {
	if c.Secure() {
		return false
	}
	host := c.BaseURL.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Error names the variable that holds a wrong value.
type Error struct {
	Var    string
	Reason string
}

func (e *Error) Error() string { return e.Var + ": " + e.Reason }

// Load reads and validates the configuration. getenv is os.Getenv in the program
// and a map lookup in tests. The session secret, when unset on a local run, is
// generated once and kept in DataDir/session.key.
func Load(getenv func(string) string) (Config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		Addr:         get("ADDR", "127.0.0.1:8080"),
		DatabaseURL:  get("DATABASE_URL", ""),
		DataDir:      get("DATA_DIR", "./data"),
		MeiliURL:     get("MEILI_URL", ""),
		MeiliKey:     get("MEILI_KEY", ""),
		SMTPURL:      get("SMTP_URL", ""),
		LogLevel:     get("LOG_LEVEL", "info"),
		ProxyHeader:  get("PROXY_HEADER", ""),
		MetricsToken: get("METRICS_TOKEN", ""),
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		return c, &Error{"ADDR", "attendu hôte:port, par exemple 127.0.0.1:8080"}
	}
	base, err := parseBaseURL(get("BASE_URL", "http://"+localURLHost(c.Addr)))
	if err != nil {
		return c, &Error{"BASE_URL", err.Error()}
	}
	c.BaseURL = base
	if c.DatabaseURL != "" {
		if err := checkDatabaseURL(c.DatabaseURL); err != nil {
			return c, &Error{"DATABASE_URL", err.Error()}
		}
	}
	if c.MeiliURL != "" {
		if u, err := url.Parse(c.MeiliURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, &Error{"MEILI_URL", "attendu une adresse http(s)://hôte:port"}
		}
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			return c, &Error{"SMTP_URL", "attendu smtp://utilisateur:motdepasse@hôte:port ou smtps://…"}
		}
	}
	c.ModerationReportThreshold = 3
	c.GCPercent = 400
	switch v := get("GOGC", ""); v {
	case "":
	case "off":
		c.GCPercent = -1
	default:
		n, err := strconv.Atoi(v)
		if err != nil || n < 25 || n > 10000 {
			return c, &Error{"GOGC", "attendu un nombre entier entre 25 et 10000, ou off"}
		}
		c.GCPercent = n
	}
	if v := get("MODERATION_REPORT_THRESHOLD", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return c, &Error{"MODERATION_REPORT_THRESHOLD", "attendu un nombre entier entre 1 et 1000"}
		}
		c.ModerationReportThreshold = n
	}
	c.AccessibilityContact = get("ACCESSIBILITY_CONTACT", "")
	if v := c.AccessibilityContact; v != "" {
		if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
			return c, &Error{"ACCESSIBILITY_CONTACT", "attendu une adresse e-mail seule, par exemple accessibilite@exemple.gouv.fr"}
		}
	}
	if c.MetricsToken == "off" {
		c.MetricsToken, c.MetricsOff = "", true
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return c, &Error{"METRICS_TOKEN", "au moins 16 caractères"}
	}
	if c.RateLimits, err = ParseRateLimits(getenv("RATE_LIMITS")); err != nil {
		return c, &Error{"RATE_LIMITS", err.Error()}
	}
	if c.OIDCProviders, err = loadOIDC(getenv); err != nil {
		return c, err
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return c, &Error{"LOG_LEVEL", "attendu debug, info, warn ou error"}
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return c, &Error{"DATA_DIR", err.Error()}
	}
	c.DataDir = abs
	c.SessionSecret = getenv("SESSION_SECRET")
	switch {
	case c.SessionSecret != "" && len(c.SessionSecret) < 32:
		return c, &Error{"SESSION_SECRET", "au moins 32 caractères"}
	case c.SessionSecret == "" && c.Secure():
		return c, &Error{"SESSION_SECRET", "obligatoire quand BASE_URL est en https"}
	}
	if err := c.loadDatabaseOps(get); err != nil {
		return c, err
	}
	if c.Secure() && c.MetricsToken == "" && !c.MetricsOff {
		return c, &Error{"METRICS_TOKEN", "obligatoire quand BASE_URL est en https (ou METRICS_TOKEN=off pour ne pas servir /metrics)"}
	}
	if err := c.loadMediationLimits(get); err != nil {
		return c, err
	}
	return c, nil
}

// EnsureSessionSecret fills SessionSecret from DataDir/session.key, creating the
// file with a random secret on first use. It is for the local run only.
func (c *Config) EnsureSessionSecret() error {
	if c.SessionSecret != "" {
		return nil
	}
	path := filepath.Join(c.DataDir, "session.key")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		c.SessionSecret = strings.TrimSpace(string(b))
		return nil
	}
	if err := os.MkdirAll(c.DataDir, 0o755); err != nil {
		return &Error{"DATA_DIR", err.Error()}
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return err
	}
	secret := hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return &Error{"DATA_DIR", "impossible d'écrire " + path + ": " + err.Error()}
	}
	c.SessionSecret = secret
	return nil
}

func localURLHost(addr string) string {
	host, port, _ := net.SplitHostPort(addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("attendu une adresse http(s)://hôte[:port] sans chemin de requête")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("pas de paramètres ni de fragment dans l'adresse")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

func checkDatabaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("adresse illisible, attendu postgres://utilisateur:motdepasse@hôte:5432/base")
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("schéma %q inconnu, attendu postgres://utilisateur:motdepasse@hôte:5432/base", u.Scheme)
	}
	if strings.TrimPrefix(u.Path, "/") == "" {
		return errors.New("nom de base manquant, attendu postgres://utilisateur:motdepasse@hôte:5432/base")
	}
	return nil
}
