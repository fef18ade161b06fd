package db

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	embeddedpostgres "github.com/fergusstrange/embedded-postgres"
)

// ErrBusy is returned when another process already runs the embedded database
// of the same data directory.
var ErrBusy = errors.New("une autre instance utilise déjà ce dossier de données (DATA_DIR)")

// Embedded is a private PostgreSQL server whose cluster lives under a data
// directory. It uses the system's PostgreSQL binaries when they exist, running
// them as the unprivileged "postgres" user when this process is root (initdb
// refuses root), and falls back to embedded-postgres' downloaded binaries
// otherwise. The server listens only on a private Unix socket directory
// (or on a loopback port for downloaded binaries).
//
// Once started, the server is supervised: when the postmaster dies (a crash,
// kill -9, the out-of-memory killer), it is started again within a second or
// so, which runs PostgreSQL's crash recovery; committed transactions are kept.
type Embedded struct {
	// Options, set before Start.
	Dir      string // data directory: the cluster goes in Dir/postgres (see FallbackRoot)
	Database string // database created at first start
	Fast     bool   // tests: no fsync, no full-page writes, no synchronous commit
	Log      *slog.Logger
	// Bin is the directory of the PostgreSQL programs (PG_BIN); empty: the
	// newest of /usr/lib/postgresql/*/bin, then PATH, then a download.
	Bin string
	// Prewarm: the server saves the list of its shared buffers and reads
	// those blocks back at its next start (pg_prewarm, when the binaries
	// have it). For the long-running server only: a short command (seed,
	// migrate) would replace the saved list by its own few buffers.
	Prewarm bool
	// FallbackRoot holds the cluster when the process is root and Dir cannot
	// be reached by the "postgres" system user (a clone in a closed home
	// folder): the cluster then goes in FallbackRoot/<name>-<hash of Dir>.
	// Empty: DefaultFallbackRoot.
	FallbackRoot string

	lock        *os.File
	bin         string // directory of pg_ctl, initdb
	home        string // directory of the cluster, its socket directory and its log: Dir or a fallback
	cluster     string
	socketDir   string
	logFile     string
	port        int
	opts        []string // arguments of the postgres program, for starts and restarts
	tcp         bool     // downloaded binaries: a loopback port and a password, no socket directory
	cred        *syscall.Credential
	initCluster func() error // creates the cluster: initdb, or pg_basebackup for a replica
	childMu     sync.Mutex
	child       *postmaster // the running server, a child of this process
	super       *supervisor
}

const embeddedUser = "concertation"

// URL returns the connection URL of the database named dbname.
func (e *Embedded) URL(dbname string) string {
	if e.tcp {
		return fmt.Sprintf("postgres://%s:%s@127.0.0.1:%d/%s?sslmode=disable", embeddedUser, embeddedUser, e.port, dbname)
	}
	q := url.Values{"host": {e.socketDir}, "port": {strconv.Itoa(e.port)}, "sslmode": {"disable"}}
	return (&url.URL{Scheme: "postgres", User: url.User(embeddedUser), Path: "/" + dbname, RawQuery: q.Encode()}).String()
}

// Start takes the data directory lock, creates the cluster on first use, starts
// the server, waits until it accepts connections, creates the database and
// starts supervising the server.
func (e *Embedded) Start(ctx context.Context) error {
	if e.Database == "" {
		e.Database = "concertation"
	}
	if err := e.startCluster(ctx); err != nil {
		return err
	}
	if err := e.createDatabase(ctx, e.Database); err != nil {
		_ = e.Stop()
		return err
	}
	return nil
}

// startCluster takes the lock, starts the server and supervises it.
func (e *Embedded) startCluster(ctx context.Context) error {
	if e.Log == nil {
		e.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := e.takeLock(); err != nil {
		return err
	}
	e.port = 5432
	e.bin = e.Bin
	if e.bin == "" {
		e.bin = systemBinaries()
	}
	var err error
	if e.bin == "" {
		err = e.startDownloaded()
	} else {
		err = e.startSystem(ctx)
	}
	if err != nil {
		e.unlock()
		return err
	}
	e.supervise()
	return nil
}

func (e *Embedded) takeLock() error {
	if err := os.MkdirAll(e.Dir, 0o755); err != nil {
		return fmt.Errorf("DATA_DIR: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(e.Dir, "postgres.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("DATA_DIR: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return fmt.Errorf("%w (%s)", ErrBusy, e.Dir)
	}
	e.lock = lock
	return nil
}

// Cluster returns the directory of the PostgreSQL cluster, known once
// Start has returned: Dir/postgres, or a folder under FallbackRoot.
func (e *Embedded) Cluster() string { return e.cluster }

// Stop ends the supervision, shuts the server down (fast mode: sessions are
// ended, committed data is kept) and releases the data directory lock.
func (e *Embedded) Stop() error {
	defer e.unlock()
	e.stopSupervising()
	pm := e.getChild()
	if pm == nil {
		return nil
	}
	err := pm.stop()
	e.setChild(nil)
	if err != nil {
		return fmt.Errorf("stop PostgreSQL: %w", err)
	}
	return nil
}

func (e *Embedded) unlock() {
	if e.lock != nil {
		_ = syscall.Flock(int(e.lock.Fd()), syscall.LOCK_UN)
		_ = e.lock.Close()
		e.lock = nil
	}
}

// systemBinaries returns the bin directory of the newest PostgreSQL installed
// by the system (Debian layout first, then PATH), or "" when there is none.
func systemBinaries() string {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	sort.Slice(matches, func(i, j int) bool { return pgMajor(matches[i]) > pgMajor(matches[j]) })
	if len(matches) > 0 {
		return filepath.Dir(matches[0])
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "initdb")); err == nil {
			return filepath.Dir(p)
		}
	}
	return ""
}

func pgMajor(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

func (e *Embedded) startSystem(ctx context.Context) error {
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return errors.New("PostgreSQL refuse de tourner en root et l'utilisateur système « postgres » n'existe pas : installez le paquet postgresql ou définissez DATABASE_URL")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		e.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	if err := e.locate(); err != nil {
		return err
	}
	e.socketDir = filepath.Join(e.home, "run")
	if len(e.socketDir) > 90 { // Unix socket paths are limited to ~107 bytes
		dir, err := os.MkdirTemp("", "pgsock")
		if err != nil {
			return err
		}
		e.socketDir = dir
	}
	for _, dir := range []string{e.cluster, e.socketDir} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("DATA_DIR: %w", err)
		}
		if err := e.own(dir); err != nil {
			return err
		}
	}
	if _, err := os.Stat(filepath.Join(e.cluster, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if e.initCluster == nil {
			e.initCluster = e.initdb
		}
		if err := e.initCluster(); err != nil {
			return err
		}
	}
	e.opts = []string{
		"-c", "listen_addresses=",
		"-c", "unix_socket_directories=" + e.socketDir,
		"-c", "unix_socket_permissions=0700",
		"-p", strconv.Itoa(e.port),
	}
	if e.Fast {
		e.opts = append(e.opts, "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off")
	} else {
		e.opts = append(e.opts, memorySettings(memTotal())...) // a real run: size it to the machine
		if e.Prewarm {
			e.opts = append(e.opts, prewarmSettings(e.bin)...)
		}
	}
	e.logFile = filepath.Join(e.home, "postgres.log")
	if f, err := os.OpenFile(e.logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err == nil {
		f.Close()
		_ = e.own(e.logFile)
	}
	if err := e.stopLeftover(); err != nil {
		return err
	}
	return e.launch(ctx)
}

// stopLeftover stops a server left running on the cluster by an instance
// that died (we hold the lock, so it is ours), so that the server runs as
// this process's child, which the supervisor watches.
func (e *Embedded) stopLeftover() error {
	pgctl := filepath.Join(e.bin, "pg_ctl")
	if _, err := e.run(pgctl, "-D", e.cluster, "status"); err != nil {
		return nil
	}
	e.Log.Warn("stopping a PostgreSQL server left running by an earlier instance, to run it under supervision", "cluster", e.cluster)
	if out, err := e.run(pgctl, "-D", e.cluster, "-m", "fast", "-w", "-t", "60", "stop"); err != nil {
		return fmt.Errorf("arrêt du PostgreSQL resté en marche impossible : %v: %s", err, lastLine(out))
	}
	return nil
}

func (e *Embedded) initdb() error {
	args := []string{"-D", e.cluster, "-U", embeddedUser, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"}
	if e.Fast {
		args = append(args, "-N")
	}
	initdb := filepath.Join(e.bin, "initdb")
	out, err := e.run(initdb, args...)
	if err != nil && strings.Contains(out, "locale") {
		args[len(args)-1] = "--no-locale"
		if e.Fast {
			args = append(args[:len(args)-2], "--no-locale", "-N")
		}
		out, err = e.run(initdb, args...)
	}
	if err != nil {
		return fmt.Errorf("initdb: %v: %s", err, lastLine(out))
	}
	return nil
}

// own gives path to the server's user when the process runs as root, and
// checks that this user can reach it (every parent must be traversable).
func (e *Embedded) own(path string) error {
	if e.cred == nil {
		return nil
	}
	if err := os.Chown(path, int(e.cred.Uid), int(e.cred.Gid)); err != nil {
		return fmt.Errorf("DATA_DIR: %w", err)
	}
	if _, err := e.run("/bin/sh", "-c", `test -w "$0"`, path); err != nil {
		return fmt.Errorf("DATA_DIR: le dossier %s n'est pas accessible à l'utilisateur système « postgres » : choisissez un DATA_DIR dont les dossiers parents lui sont ouverts", path)
	}
	return nil
}

func (e *Embedded) run(name string, args ...string) (string, error) {
	return e.runContext(context.Background(), name, args...)
}

// runContext runs a program as the server's user and returns its output.
func (e *Embedded) runContext(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = "/"
	if e.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: e.cred}
	}
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = &buf
	err := cmd.Run()
	return buf.String(), err
}

func (e *Embedded) waitReady(ctx context.Context) error {
	pgIsReady := filepath.Join(e.bin, "pg_isready")
	host := e.socketDir
	if e.tcp {
		host = "127.0.0.1"
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, err := e.run(pgIsReady, "-h", host, "-p", strconv.Itoa(e.port), "-U", embeddedUser, "-d", "postgres", "-q")
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("PostgreSQL ne répond pas après 60 secondes")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (e *Embedded) startDownloaded() error {
	e.tcp = true
	if os.Geteuid() == 0 {
		return errors.New("aucun PostgreSQL installé et PostgreSQL refuse de tourner en root : installez le paquet postgresql ou définissez DATABASE_URL")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	e.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	e.home = e.Dir
	e.cluster = filepath.Join(e.Dir, "postgres")
	runtime := filepath.Join(e.Dir, "runtime")
	logw := &slogWriter{e.Log}
	ep := embeddedpostgres.NewDatabase(embeddedpostgres.DefaultConfig().
		Port(uint32(e.port)).
		Username(embeddedUser).Password(embeddedUser).Database("postgres").
		DataPath(e.cluster).
		RuntimePath(runtime).
		CachePath(filepath.Join(e.Dir, "cache")).
		StartTimeout(60 * time.Second).
		Logger(logw))
	// embedded-postgres downloads the binaries, creates the cluster and
	// starts it detached; it is then stopped and run again as a child.
	if err := ep.Start(); err != nil {
		return fmt.Errorf("démarrage de PostgreSQL (binaires téléchargés) impossible : %w", err)
	}
	// Run the server as this process's child, from the same binaries, so
	// that the supervisor sees its death at once and reaps it.
	e.bin = filepath.Join(runtime, "bin")
	e.opts = []string{"-p", strconv.Itoa(e.port)}
	e.logFile = filepath.Join(e.Dir, "postgres.log")
	if err := e.stopLeftover(); err != nil {
		return err
	}
	return e.launch(context.Background())
}

// createDatabase creates dbname when it does not exist yet.
func (e *Embedded) createDatabase(ctx context.Context, dbname string) error {
	d, err := Open(ctx, e.URL("postgres"))
	if err != nil {
		return err
	}
	defer d.Close()
	var exists bool
	if err := d.SQL().QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", dbname).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = d.SQL().ExecContext(ctx, "CREATE DATABASE "+quoteIdent(dbname))
	return err
}

// CreateDatabase creates a database, copied from template when it is not "".
func (e *Embedded) CreateDatabase(ctx context.Context, name, template string) error {
	d, err := Open(ctx, e.URL("postgres"))
	if err != nil {
		return err
	}
	defer d.Close()
	q := "CREATE DATABASE " + quoteIdent(name)
	if template != "" {
		q += " TEMPLATE " + quoteIdent(template)
	}
	_, err = d.SQL().ExecContext(ctx, q)
	return err
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// RandomName returns a short random identifier, for test databases.
func RandomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

type slogWriter struct{ log *slog.Logger }

func (w *slogWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		if line != "" {
			w.log.Debug("postgres", "line", line)
		}
	}
	return len(p), nil
}
