package db

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// DefaultFallbackRoot is where the embedded cluster goes when the process is
// root and the "postgres" system user cannot reach DATA_DIR.
const DefaultFallbackRoot = "/var/lib/concertation"

// locate chooses the directory of the cluster, its socket directory and its
// log (e.home), and sets e.cluster. Without privilege separation it is Dir.
// As root, the server runs as "postgres", which must traverse every parent of
// the cluster: a clone in /root/x (mode 700) cannot hold it. Then the cluster
// goes in FallbackRoot/<name>-<hash of Dir>, the same folder at every start,
// and Dir/postgres becomes a symbolic link to it, so that a person looking in
// DATA_DIR finds it. Data never moves by itself: an existing cluster, in
// either place, is the one used.
func (e *Embedded) locate() error {
	e.home = e.Dir
	e.cluster = filepath.Join(e.Dir, "postgres")
	if e.cred == nil {
		return nil
	}
	fallback := e.fallbackHome()
	if target, err := os.Readlink(e.cluster); err == nil { // the link left by an earlier start
		e.home, e.cluster = filepath.Dir(target), target
		return e.prepareFallback(false)
	}
	switch {
	case exists(filepath.Join(e.cluster, "PG_VERSION")):
		return nil
	case exists(filepath.Join(fallback, "postgres", "PG_VERSION")):
	case e.reachable(e.Dir):
		return nil
	}
	e.home, e.cluster = fallback, filepath.Join(fallback, "postgres")
	return e.prepareFallback(true)
}

// prepareFallback creates the fallback folder, owned by the server's user,
// and, when link is set, the symbolic link Dir/postgres to the cluster.
func (e *Embedded) prepareFallback(link bool) error {
	if err := os.MkdirAll(filepath.Dir(e.home), 0o755); err != nil {
		return fmt.Errorf("DATA_DIR: le dossier %s est fermé à l'utilisateur système « postgres » et %s ne peut pas être créé : %w", e.Dir, filepath.Dir(e.home), err)
	}
	if err := os.MkdirAll(e.home, 0o700); err != nil {
		return fmt.Errorf("DATA_DIR: %w", err)
	}
	if err := e.own(e.home); err != nil {
		return err
	}
	if link {
		if err := os.Symlink(e.cluster, filepath.Join(e.Dir, "postgres")); err != nil && !errors.Is(err, os.ErrExist) {
			e.Log.Warn("could not link the cluster from DATA_DIR", "err", err)
		}
	}
	e.Log.Warn("DATA_DIR is closed to the postgres system user: the embedded PostgreSQL cluster is kept elsewhere",
		"data_dir", e.Dir, "cluster", e.cluster)
	return nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fallbackHome is FallbackRoot/<parent>-<base>-<hash>, named after Dir so
// that a person listing FallbackRoot recognises it, and unique per Dir.
func (e *Embedded) fallbackHome() string {
	root := e.FallbackRoot
	if root == "" {
		root = DefaultFallbackRoot
	}
	abs, err := filepath.Abs(e.Dir)
	if err != nil {
		abs = e.Dir
	}
	sum := sha256.Sum256([]byte(abs))
	name := filepath.Base(filepath.Dir(abs)) + "-" + filepath.Base(abs)
	name = strings.Trim(unsafeName.ReplaceAllString(name, "_"), "_.-")
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	return filepath.Join(root, name+"-"+hex.EncodeToString(sum[:8]))
}

// reachable reports whether the server's user can traverse dir and every
// parent of it.
func (e *Embedded) reachable(dir string) bool {
	_, err := e.run("/bin/sh", "-c", `test -x "$0"`, dir)
	return err == nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
