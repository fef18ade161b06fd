// Package meilitest is a strict protocol double of a Meilisearch server,
// written from the source of the pinned version (1.45.1, see Version) so
// that the Meilisearch engine can be tested on every `make test` where no
// server can be installed.
//
// It is strict where a real server is: request bodies are read as deserr
// reads them (unknown fields and wrong types refused with Meilisearch's
// error codes and messages, see schema.go and schemas.go), query strings
// are checked, writes are asynchronous tasks (enqueued, processing, then
// succeeded or failed) processed one at a time, and the semantics the
// engine relies on are kept: skipCreation, index creation, swap (with
// rename) and deletion, replacement of documents, settings merged field by
// field. Searches are answered from the documents held, with filters,
// facets, sorting, highlights and crops (matching is simple: see search.go).
//
// Routes: GET /health, GET /version; POST /indexes, GET and DELETE
// /indexes/{uid}, GET /indexes/{uid}/stats, GET and PATCH
// /indexes/{uid}/settings, GET and POST /indexes/{uid}/documents, POST
// /indexes/{uid}/documents/delete-batch, POST /indexes/{uid}/search; POST
// /swap-indexes; GET /tasks/{uid}. Anything else answers 404.
package meilitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a double.
type Options struct {
	// Version is the server version whose protocol is spoken: Version (the
	// default) or OldVersion.
	Version string
	// Key is the master key; when set, every route but /health needs
	// "Authorization: Bearer <Key>".
	Key string
	// TaskDelay is how long each task stays "processing".
	TaskDelay time.Duration
}

// Request is a request the double received.
type Request struct {
	Method, Path, Query string
	Body                []byte
	Status              int
}

// Server is a running double.
type Server struct {
	// URL is the base address of the server.
	URL string

	opts Options
	sc   *schema
	http *httptest.Server
	down atomic.Bool

	mu       sync.Mutex
	changed  *sync.Cond // a task changed state, or the queue was resumed
	indexes  map[string]*index
	tasks    []*task
	paused   bool
	closed   bool
	requests []Request
	done     chan struct{}
}

// New starts a double on a free local port.
func New(opts Options) *Server {
	if opts.Version == "" {
		opts.Version = Version
	}
	s := &Server{opts: opts, sc: schemaFor(opts.Version), indexes: map[string]*index{}, done: make(chan struct{})}
	s.changed = sync.NewCond(&s.mu)
	s.http = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.http.URL
	go s.process()
	return s
}

// Close stops the server and its task processing.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.changed.Broadcast()
	s.mu.Unlock()
	<-s.done
	s.http.Close()
}

// SetDown makes the server unreachable (every connection is dropped
// without an answer, as when the process is gone) or reachable again.
// Its data and tasks are kept.
func (s *Server) SetDown(down bool) {
	s.down.Store(down)
	if down {
		s.http.CloseClientConnections()
	}
}

// PauseTasks stops the processing of tasks after the current one: new
// tasks stay enqueued until ResumeTasks.
func (s *Server) PauseTasks() {
	s.mu.Lock()
	s.paused = true
	s.mu.Unlock()
}

// ResumeTasks resumes the processing of tasks.
func (s *Server) ResumeTasks() {
	s.mu.Lock()
	s.paused = false
	s.changed.Broadcast()
	s.mu.Unlock()
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Indexes lists the uids of the indexes.
func (s *Server) Indexes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for uid := range s.indexes {
		out = append(out, uid)
	}
	slices.Sort(out)
	return out
}

// Documents returns the documents of an index by primary key, as stored
// JSON, and whether the index exists.
func (s *Server) Documents(uid string) (map[string]json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, ok := s.indexes[uid]
	if !ok {
		return nil, false
	}
	out := make(map[string]json.RawMessage, len(ix.docs))
	for id, d := range ix.docs {
		out[id] = d.raw
	}
	return out, true
}

// TaskStatuses returns the status of each task, by uid.
func (s *Server) TaskStatuses() map[int64]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int64]string, len(s.tasks))
	for _, t := range s.tasks {
		out[t.uid] = t.status
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"`+err.Error()+`","code":"internal","type":"internal","link":"https://docs.meilisearch.com/errors#internal"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.down.Load() {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	body, _ := io.ReadAll(r.Body)
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.route(rec, r, body)
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body, Status: rec.status})
	s.mu.Unlock()
}

// route dispatches a request (v1.45.1 crates/meilisearch/src/routes/).
func (s *Server) route(w http.ResponseWriter, r *http.Request, body []byte) {
	path := strings.Trim(r.URL.Path, "/")
	parts := strings.Split(path, "/")
	if path != "health" && s.opts.Key != "" {
		auth := r.Header.Get("Authorization")
		token, bearer := strings.CutPrefix(auth, "Bearer ")
		switch {
		case auth == "" || !bearer:
			writeErr(w, newError("missing_authorization_header", "The Authorization header is missing. It must use the bearer authorization method."))
			return
		case token != s.opts.Key:
			writeErr(w, newError("invalid_api_key", "The provided API key is invalid."))
			return
		}
	}
	var err *apiError
	switch {
	case path == "health" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]string{"status": "available"})
	case path == "version" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]string{"commitSha": "protocol-double", "commitDate": "unknown", "pkgVersion": s.opts.Version})
	case path == "indexes" && r.Method == http.MethodPost:
		err = s.createIndex(w, r, body)
	case path == "swap-indexes" && r.Method == http.MethodPost:
		err = s.swapIndexes(w, r, body)
	case len(parts) == 2 && parts[0] == "tasks" && r.Method == http.MethodGet:
		err = s.getTask(w, parts[1])
	case len(parts) >= 2 && parts[0] == "indexes":
		err = s.indexRoute(w, r, parts[1], parts[2:], body)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
	if err != nil {
		writeErr(w, err)
	}
}

func writeErr(w http.ResponseWriter, err *apiError) { writeJSON(w, err.status, err) }

func (s *Server) indexRoute(w http.ResponseWriter, r *http.Request, uid string, rest []string, body []byte) *apiError {
	if !validUID(uid) {
		return newError("invalid_index_uid", invalidUIDMessage(uid))
	}
	route := r.Method + " " + strings.Join(rest, "/")
	// Query parameters, where the route reads them with deny_unknown_fields
	// (v1.45.1 routes/indexes/mod.rs GetIndexStatsParams, documents.rs
	// BrowseQueryGet and CustomMetadataQuery; POST documents is checked by
	// addDocuments).
	accepted := map[string][]string{
		"GET stats":                   {"showInternalDatabaseSizes", "sizeFormat"},
		"GET documents":               {"offset", "limit", "fields", "retrieveVectors", "ids", "filter", "sort"},
		"POST documents/delete-batch": {"customMetadata"},
	}
	if names, ok := accepted[route]; ok {
		if err := checkQuery(r.URL.Query(), names); err != nil {
			return err
		}
	}
	switch route {
	case "GET ":
		return s.withIndex(uid, func(ix *index) {
			writeJSON(w, http.StatusOK, map[string]any{"uid": ix.uid, "createdAt": ix.createdAt, "updatedAt": ix.updatedAt, "primaryKey": nullable(ix.primaryKey)})
		})
	case "DELETE ":
		s.enqueue(w, "indexDeletion", &uid, nil, func() (map[string]any, *apiError) {
			ix, ok := s.indexes[uid]
			if !ok {
				return map[string]any{"deletedDocuments": 0}, indexNotFound(uid)
			}
			delete(s.indexes, uid)
			return map[string]any{"deletedDocuments": len(ix.docs)}, nil
		})
	case "GET stats":
		return s.withIndex(uid, func(ix *index) {
			writeJSON(w, http.StatusOK, map[string]any{"numberOfDocuments": len(ix.docs), "isIndexing": s.indexing(uid),
				"fieldDistribution": map[string]int{}, "rawDocumentDbSize": 0, "avgDocumentSize": 0})
		})
	case "GET settings":
		return s.withIndex(uid, func(ix *index) { writeJSON(w, http.StatusOK, ix.settings) })
	case "PATCH settings":
		return s.updateSettings(w, r, uid, body)
	case "POST documents":
		return s.addDocuments(w, r, uid, body)
	case "GET documents":
		return s.withIndex(uid, func(ix *index) { s.listDocuments(w, r, ix) })
	case "POST documents/delete-batch":
		return s.deleteDocuments(w, r, uid, body)
	case "POST search":
		return s.search(w, r, uid, body)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Server) withIndex(uid string, fn func(*index)) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, ok := s.indexes[uid]
	if !ok {
		return indexNotFound(uid)
	}
	fn(ix)
	return nil
}

// readJSON reads a JSON body the way actix and deserr do: a Content-Type
// of application/json, a body, valid JSON (crates/meilisearch/src/error.rs:
// missing_content_type, invalid_content_type, missing_payload, malformed_payload).
func readJSON(r *http.Request, body []byte) (any, *apiError) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil, newError("missing_content_type", "A Content-Type header is missing. Accepted values for the Content-Type header are: `application/json`")
	}
	if mt, _, _ := strings.Cut(ct, ";"); strings.TrimSpace(mt) != "application/json" {
		return nil, newErrorf("invalid_content_type", "The Content-Type `%s` is invalid. Accepted values for the Content-Type header are: `application/json`", ct)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, newError("missing_payload", "A json payload is missing.")
	}
	v, err := decodeJSON(body)
	if err != nil {
		return nil, newErrorf("malformed_payload", "The json payload provided is malformed. `%s`.", err)
	}
	return v, nil
}

// checkQuery refuses query parameters that the route does not know
// (DeserrQueryParamError with deny_unknown_fields: bad_request).
func checkQuery(q url.Values, accepted []string) *apiError {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(accepted, k) {
			return newErrorf("bad_request", "Unknown parameter `%s`: %sexpected one of %s", k, didYouMean(k, accepted), quoteList(accepted))
		}
	}
	return nil
}

func (s *Server) search(w http.ResponseWriter, r *http.Request, uid string, body []byte) *apiError {
	v, err := readJSON(r, body)
	if err != nil {
		return err
	}
	if err := check(v, s.sc.search, "bad_request"); err != nil {
		return err
	}
	req := readSearchRequest(v.(*jsonObject))
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, ok := s.indexes[uid]
	if !ok {
		return indexNotFound(uid)
	}
	resp, err := ix.search(req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) getTask(w http.ResponseWriter, id string) *apiError {
	uid, perr := strconv.ParseInt(id, 10, 64)
	if perr != nil || uid < 0 {
		return newErrorf("invalid_task_uids", "Invalid value in parameter `taskUid`: could not parse `%s` as a positive integer", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if uid >= int64(len(s.tasks)) {
		return newErrorf("task_not_found", "Task `%d` not found.", uid)
	}
	writeJSON(w, http.StatusOK, s.tasks[uid].view())
	return nil
}

// indexing reports whether tasks of the index wait or run (s.mu held).
func (s *Server) indexing(uid string) bool {
	for _, t := range s.tasks {
		if t.index != nil && *t.index == uid && (t.status == "enqueued" || t.status == "processing") {
			return true
		}
	}
	return false
}

// Wait blocks until no task is enqueued or processing, or until d passes.
// It reports whether the queue is idle.
func (s *Server) Wait(d time.Duration) bool {
	deadline := time.Now().Add(d)
	timer := time.AfterFunc(d, func() {
		s.mu.Lock()
		s.changed.Broadcast()
		s.mu.Unlock()
	})
	defer timer.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		busy := false
		for _, t := range s.tasks {
			if t.status == "enqueued" || t.status == "processing" {
				busy = true
				break
			}
		}
		if !busy {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		s.changed.Wait()
	}
}

func (s *Server) String() string { return fmt.Sprintf("meilitest %s at %s", s.opts.Version, s.URL) }
