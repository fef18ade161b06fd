package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// The open data files are written to disk in the background, at most once
// per OpenDataTTL and one at a time, and every download in between is served
// from the file: each one is a full read of the published contributions (or
// of ten million supports), ten seconds of the database at a million, which
// no anonymous request may cost. While a file is written again, the previous
// one is still served; only the very first download of a file waits for it.

// openDataFiles keeps the files of the open data.
type openDataFiles struct {
	dir  string
	ttl  time.Duration
	now  func() time.Time
	log  *slog.Logger
	one  chan struct{} // one file written at a time
	mu   sync.Mutex
	byID map[string]*openDataFile
}

// openDataFile is one file: the last one written, and the writing under way.
type openDataFile struct {
	path    string    // "" until written once
	written time.Time // when its content was read
	size    int64
	writing chan struct{} // closed when the writing under way ends; nil when none
	err     error         // of the last writing
}

func newOpenDataFiles(dir string, ttl time.Duration, now func() time.Time, log *slog.Logger) *openDataFiles {
	return &openDataFiles{dir: dir, ttl: ttl, now: now, log: log, one: make(chan struct{}, 1), byID: map[string]*openDataFile{}}
}

// get returns the file name, written by write when it is missing or older
// than the TTL: the stale file meanwhile, or, for the first, once written
// (or when ctx ends).
func (o *openDataFiles) get(ctx context.Context, name string, write func(ctx context.Context, w *bufio.Writer) error) (path string, written time.Time, size int64, err error) {
	o.mu.Lock()
	f := o.byID[name]
	if f == nil {
		f = &openDataFile{}
		o.byID[name] = f
	}
	fresh := f.path != "" && o.now().Sub(f.written) < o.ttl
	if !fresh && f.writing == nil {
		f.writing = make(chan struct{})
		go o.write(name, f, write)
	}
	if f.path != "" {
		path, written, size = f.path, f.written, f.size
		o.mu.Unlock()
		return path, written, size, nil
	}
	wait := f.writing
	o.mu.Unlock()
	select {
	case <-wait:
	case <-ctx.Done():
		return "", time.Time{}, 0, ctx.Err()
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if f.path == "" {
		return "", time.Time{}, 0, fmt.Errorf("open data %s: %w", name, f.err)
	}
	return f.path, f.written, f.size, nil
}

// write writes the file name into a temporary file, then puts it in place
// (a download under way keeps reading the one it opened).
func (o *openDataFiles) write(name string, f *openDataFile, write func(ctx context.Context, w *bufio.Writer) error) {
	o.one <- struct{}{}
	defer func() { <-o.one }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	started := o.now()
	path := filepath.Join(o.dir, name)
	size, err := o.writeFile(ctx, path, write)
	o.mu.Lock()
	defer o.mu.Unlock()
	f.err = err
	if err == nil {
		f.path, f.written, f.size = path, started, size
	} else {
		o.log.Error("open data file", "file", name, "err", err)
	}
	close(f.writing)
	f.writing = nil
}

func (o *openDataFiles) writeFile(ctx context.Context, path string, write func(ctx context.Context, w *bufio.Writer) error) (int64, error) {
	if err := os.MkdirAll(o.dir, 0o750); err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(o.dir, ".ecriture-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone once renamed
	w := bufio.NewWriterSize(tmp, 256<<10)
	err = write(ctx, w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	size, _ := tmp.Seek(0, io.SeekCurrent)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	return size, os.Rename(tmp.Name(), path)
}
