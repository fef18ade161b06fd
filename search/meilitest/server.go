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

func (s *Server) createIndex(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	v, err := readJSON(r, body)
	if err != nil {
		return err
	}
	if err := check(v, s.sc.createIndex, "bad_request"); err != nil {
		return err
	}
	o := v.(*jsonObject)
	uid := o.vals["uid"].(string)
	if !validUID(uid) {
		return valueError("invalid_index_uid", ".uid", invalidUIDMessage(uid))
	}
	pk, _ := o.vals["primaryKey"].(string)
	s.enqueue(w, "indexCreation", &uid, nil, func() (map[string]any, *apiError) {
		details := map[string]any{"primaryKey": nullable(pk)}
		if _, exists := s.indexes[uid]; exists {
			return details, newErrorf("index_already_exists", "Index `%s` already exists.", uid)
		}
		s.indexes[uid] = newIndex(uid, pk, time.Now().UTC())
		s.indexes[uid].apply(s.sc)
		return details, nil
	})
	return nil
}

func (s *Server) updateSettings(w http.ResponseWriter, r *http.Request, uid string, body []byte) *apiError {
	v, err := readJSON(r, body)
	if err != nil {
		return err
	}
	if err := check(v, s.sc.settings, "bad_request"); err != nil {
		return err
	}
	patch := v.(*jsonObject)
	if err := validateSettings(s.sc, patch); err != nil {
		return err
	}
	s.enqueue(w, "settingsUpdate", &uid, nil, func() (map[string]any, *apiError) {
		ix, ok := s.indexes[uid]
		if !ok { // a settings update creates the index (allow_index_creation)
			ix = newIndex(uid, "", time.Now().UTC())
			s.indexes[uid] = ix
		}
		ix.settings = mergeSettings(ix.settings, patch)
		ix.updatedAt = time.Now().UTC()
		ix.apply(s.sc)
		details := map[string]any{}
		for _, k := range patch.keys {
			details[k] = patch.vals[k]
		}
		return details, nil
	})
	return nil
}

// addDocuments is POST /indexes/{uid}/documents: documents replaced whole
// (v1.45.1 routes/indexes/documents.rs UpdateDocumentsQuery; skipCreation
// is MissingDocumentPolicy::Skip of crates/milli/src/update/index_documents/mod.rs:
// documents that do not exist yet are skipped, the index itself is still
// created when missing).
func (s *Server) addDocuments(w http.ResponseWriter, r *http.Request, uid string, body []byte) *apiError {
	q := r.URL.Query()
	if err := checkQuery(q, s.sc.addDocParams); err != nil {
		return err
	}
	skip := false
	if v, ok := q["skipCreation"]; ok {
		switch strings.ToLower(v[0]) {
		case "true":
			skip = true
		case "false":
		default:
			return newErrorf("invalid_skip_creation", "Invalid value in parameter `skipCreation`: skipCreation must be either `true` or `false`. Found: `%s`", v[0])
		}
	}
	if _, ok := q["csvDelimiter"]; ok {
		return newError("invalid_content_type", "The Content-Type `application/json` does not support the use of a csv delimiter. The csv delimiter can only be used with the Content-Type `text/csv`.")
	}
	v, err := readJSON(r, body)
	if err != nil {
		return err
	}
	var docs []*jsonObject
	switch t := v.(type) {
	case *jsonObject:
		docs = []*jsonObject{t}
	case []any:
		for _, e := range t {
			o, ok := e.(*jsonObject)
			if !ok {
				return newErrorf("malformed_payload", "The `json` payload provided is malformed. `Couldn't serialize document value: invalid type: %s, expected a map`.", strings.TrimPrefix(valueKind(e), "a "))
			}
			docs = append(docs, o)
		}
	default:
		return newError("malformed_payload", "The `json` payload provided is malformed. `Couldn't serialize document value: data are neither an object nor a list of objects`.")
	}
	pkParam := q.Get("primaryKey")
	var meta *string
	if m, ok := q["customMetadata"]; ok {
		meta = &m[0]
	}
	s.enqueue(w, "documentAdditionOrUpdate", &uid, meta, func() (map[string]any, *apiError) {
		details := map[string]any{"receivedDocuments": len(docs), "indexedDocuments": 0}
		ix, ok := s.indexes[uid]
		if !ok {
			ix = newIndex(uid, "", time.Now().UTC())
			ix.apply(s.sc)
		}
		pk := ix.primaryKey
		switch {
		case pkParam != "" && pk != "" && pkParam != pk:
			return details, newErrorf("index_primary_key_already_exists", "Index `%s`: Index already has a primary key: `%s`.", uid, pk)
		case pk == "" && pkParam != "":
			pk = pkParam
		case pk == "":
			pk = inferPrimaryKey(docs)
			if pk == "" {
				return details, newErrorf("index_primary_key_no_candidate_found", "Index `%s`: The primary key inference failed as the engine did not find any field ending with `id` in its name. Please specify the primary key manually using the `primaryKey` query parameter.", uid)
			}
		}
		ids := make([]string, len(docs))
		raws := make([][]byte, len(docs))
		for i, d := range docs {
			id, err := documentID(d, pk)
			if err != nil {
				err.Message = "Index `" + uid + "`: " + err.Message
				return details, err
			}
			raw, merr := marshal(d)
			if merr != nil {
				return details, newError("internal", merr.Error())
			}
			ids[i], raws[i] = id, raw
		}
		s.indexes[uid] = ix
		ix.primaryKey = pk
		indexed := 0
		for i, id := range ids {
			if old, exists := ix.docs[id]; exists {
				ix.docs[id] = &document{internal: old.internal, raw: raws[i]}
			} else if !skip {
				ix.docs[id] = &document{internal: ix.nextID, raw: raws[i]}
				ix.nextID++
			} else {
				continue
			}
			indexed++
		}
		ix.updatedAt = time.Now().UTC()
		details["indexedDocuments"] = indexed
		return details, nil
	})
	return nil
}

// inferPrimaryKey is milli's inference: the one field whose name ends with "id".
func inferPrimaryKey(docs []*jsonObject) string {
	if len(docs) == 0 {
		return ""
	}
	var found []string
	for _, k := range docs[0].keys {
		if strings.HasSuffix(strings.ToLower(k), "id") {
			found = append(found, k)
		}
	}
	if len(found) != 1 {
		return ""
	}
	return found[0]
}

func (s *Server) deleteDocuments(w http.ResponseWriter, r *http.Request, uid string, body []byte) *apiError {
	v, err := readJSON(r, body)
	if err != nil {
		return err
	}
	arr, ok := v.([]any)
	if !ok {
		return typeError("bad_request", "", "an array", v)
	}
	ids := make([]string, len(arr))
	for i, e := range arr {
		switch t := e.(type) {
		case string:
			ids[i] = t
		case json.Number:
			ids[i] = t.String()
		default:
			b, _ := marshal(e)
			return newErrorf("invalid_document_id", "Document identifier `%s` is invalid. A document identifier can be of type integer or string, only composed of alphanumeric characters (a-z A-Z 0-9), hyphens (-) and underscores (_), and can not be more than 511 bytes.", b)
		}
	}
	s.enqueue(w, "documentDeletion", &uid, nil, func() (map[string]any, *apiError) {
		details := map[string]any{"providedIds": len(ids), "deletedDocuments": 0}
		ix, ok := s.indexes[uid]
		if !ok {
			return details, indexNotFound(uid)
		}
		deleted := 0
		for _, id := range ids {
			if _, ok := ix.docs[id]; ok {
				delete(ix.docs, id)
				deleted++
			}
		}
		details["deletedDocuments"] = deleted
		return details, nil
	})
	return nil
}

func (s *Server) listDocuments(w http.ResponseWriter, r *http.Request, ix *index) {
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit := 20
	if l, err := strconv.Atoi(q.Get("limit")); err == nil {
		limit = l
	}
	docs := make([]*document, 0, len(ix.docs))
	for _, d := range ix.docs {
		docs = append(docs, d)
	}
	slices.SortFunc(docs, func(a, b *document) int { return a.internal - b.internal })
	results := []json.RawMessage{}
	for i := offset; i < min(len(docs), offset+limit); i++ {
		results = append(results, docs[i].raw)
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results, "offset": offset, "limit": limit, "total": len(docs)})
}

// swapIndexes is POST /swap-indexes (v1.45.1 routes/swap_indexes.rs and
// crates/index-scheduler/src/scheduler/process_batch.rs: two indexes per
// swap, each index at most once, missing indexes fail the task with
// index_not_found; with rename the first index takes the name of the
// second, which must not exist).
func (s *Server) swapIndexes(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	v, err := readJSON(r, body)
	if err != nil {
		return err
	}
	arr, ok := v.([]any)
	if !ok {
		return typeError("bad_request", "", "an array", v)
	}
	type swap struct {
		a, b   string
		rename bool
	}
	var swaps []swap
	seen := map[string]bool{}
	var dup []string
	for i, e := range arr {
		if err := checkObject(e, s.sc.swap, "bad_request", pointer("").index(i)); err != nil {
			return err
		}
		o := e.(*jsonObject)
		uids := strings_(o.vals["indexes"])
		if len(uids) != 2 {
			return newErrorf("invalid_swap_indexes", "Two indexes must be given for each swap. The list `%s` contains %d indexes.", compact(o.vals["indexes"]), len(uids))
		}
		rename, _ := o.vals["rename"].(bool)
		for _, u := range uids {
			if seen[u] {
				dup = append(dup, u)
			}
			seen[u] = true
		}
		swaps = append(swaps, swap{uids[0], uids[1], rename})
	}
	if len(dup) == 1 {
		return newErrorf("invalid_swap_duplicate_index_found", "Indexes must be declared only once during a swap. `%s` was specified several times.", dup[0])
	} else if len(dup) > 1 {
		return newErrorf("invalid_swap_duplicate_index_found", "Indexes must be declared only once during a swap. %s were specified several times.", quoteList(dup))
	}
	s.enqueue(w, "indexSwap", nil, nil, func() (map[string]any, *apiError) {
		var list []any
		var missing []string
		for _, sw := range swaps {
			list = append(list, map[string]any{"indexes": []string{sw.a, sw.b}, "rename": sw.rename})
			if _, ok := s.indexes[sw.a]; !ok {
				missing = append(missing, sw.a)
			}
			if _, ok := s.indexes[sw.b]; !ok && !sw.rename {
				missing = append(missing, sw.b)
			}
		}
		details := map[string]any{"swaps": list}
		if len(missing) == 1 {
			return details, indexNotFound(missing[0])
		} else if len(missing) > 1 {
			return details, newErrorf("index_not_found", "Indexes %s not found.", quoteList(missing))
		}
		for _, sw := range swaps {
			if sw.rename {
				if _, exists := s.indexes[sw.b]; exists {
					return details, newErrorf("index_already_exists", "Cannot rename `%s` to `%s` as the index already exists. Hint: You can remove `%s` first and then do your remove.", sw.a, sw.b, sw.b)
				}
				ix := s.indexes[sw.a]
				delete(s.indexes, sw.a)
				ix.uid = sw.b
				s.indexes[sw.b] = ix
				continue
			}
			a, b := s.indexes[sw.a], s.indexes[sw.b]
			a.uid, b.uid = sw.b, sw.a
			s.indexes[sw.a], s.indexes[sw.b] = b, a
		}
		return details, nil
	})
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
