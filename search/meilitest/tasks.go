package meilitest

import (
	"fmt"
	"net/http"
	"time"
)

// task is an asynchronous write (v1.45.1 crates/meilisearch-types/src/task_view.rs
// TaskView; crates/meilisearch/src/routes/mod.rs SummarizedTaskView for
// the 202 answer). Tasks run one at a time in the order of their uids.
type task struct {
	uid        int64
	index      *string
	kind       string
	status     string // enqueued, processing, succeeded, failed
	details    map[string]any
	err        *apiError
	meta       *string
	enqueuedAt time.Time
	startedAt  time.Time
	finishedAt time.Time
	run        func() (map[string]any, *apiError) // called with s.mu held
}

func rfc3339(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func (t *task) view() map[string]any {
	v := map[string]any{
		"uid": t.uid, "batchUid": nil, "indexUid": t.index, "status": t.status, "type": t.kind,
		"canceledBy": nil, "error": nil, "duration": nil,
		"enqueuedAt": rfc3339(t.enqueuedAt), "startedAt": rfc3339(t.startedAt), "finishedAt": rfc3339(t.finishedAt),
	}
	if t.status == "processing" || t.status == "succeeded" || t.status == "failed" {
		v["batchUid"] = t.uid
	}
	if t.details != nil {
		v["details"] = t.details
	}
	if t.err != nil {
		v["error"] = t.err
	}
	if !t.finishedAt.IsZero() {
		v["duration"] = fmt.Sprintf("PT%.6fS", t.finishedAt.Sub(t.startedAt).Seconds())
	}
	if t.meta != nil {
		v["customMetadata"] = *t.meta
	}
	return v
}

// enqueue registers a task and answers 202 with its summary.
func (s *Server) enqueue(w http.ResponseWriter, kind string, index, meta *string, run func() (map[string]any, *apiError)) {
	s.mu.Lock()
	t := &task{uid: int64(len(s.tasks)), index: index, kind: kind, status: "enqueued", meta: meta, enqueuedAt: time.Now().UTC(), run: run}
	s.tasks = append(s.tasks, t)
	s.changed.Broadcast()
	summary := map[string]any{"taskUid": t.uid, "indexUid": index, "status": "enqueued", "type": kind, "enqueuedAt": rfc3339(t.enqueuedAt)}
	if meta != nil {
		summary["customMetadata"] = *meta
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusAccepted, summary)
}

// process runs the enqueued tasks one by one until Close.
func (s *Server) process() {
	defer close(s.done)
	next := 0
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		for !s.closed && (s.paused || next >= len(s.tasks)) {
			s.changed.Wait()
		}
		if s.closed {
			return
		}
		t := s.tasks[next]
		next++
		t.status, t.startedAt = "processing", time.Now().UTC()
		s.changed.Broadcast()
		if d := s.opts.TaskDelay; d > 0 {
			s.mu.Unlock()
			time.Sleep(d) // the simulated work of the server, not a synchronisation
			s.mu.Lock()
		}
		details, err := t.run()
		t.run = nil
		t.details, t.err, t.finishedAt = details, err, time.Now().UTC()
		t.status = "succeeded"
		if err != nil {
			t.status = "failed"
		}
		s.changed.Broadcast()
	}
}
