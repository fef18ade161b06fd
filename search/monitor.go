package search

import (
	"log/slog"
	"sync"
	"time"
)

// Monitor follows the state of the Meilisearch engine as searches and the
// start-up check see it, so that a fallback to PostgreSQL shows: in the
// log (a warning at most once per WarnEvery), in /readyz and in /metrics
// (Status). Its methods are safe for concurrent use; the zero value works
// with no log.
type Monitor struct {
	Log *slog.Logger
	// WarnEvery is the least time between two warnings (one minute when 0).
	WarnEvery time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	mu         sync.Mutex
	failing    bool
	since      time.Time
	lastErr    string
	fallbacks  int64
	lastWarn   time.Time
	suppressed int
	version    string
	versionErr string
	checked    bool
}

// Status is what the monitor knows.
type Status struct {
	// Failing: the last search of the primary engine failed, PostgreSQL
	// answers; Since is the first failure of the current run of failures.
	Failing   bool
	Since     time.Time
	LastError string
	// Fallbacks counts the searches answered by PostgreSQL instead.
	Fallbacks int64
	// VersionChecked: the server answered GET /version; ServerVersion is
	// its answer and VersionProblem says what is wrong ("" when it is
	// MeiliServerVersion).
	VersionChecked bool
	ServerVersion  string
	VersionProblem string
}

func (m *Monitor) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// PrimaryFailed records a failed search of the primary engine, answered by
// the fallback. It logs a warning unless one was logged less than
// WarnEvery ago (the warning then counts the failures it did not log).
func (m *Monitor) PrimaryFailed(err error) {
	now := m.now()
	m.mu.Lock()
	if !m.failing {
		m.failing, m.since = true, now
	}
	m.fallbacks++
	m.lastErr = err.Error()
	every := m.WarnEvery
	if every == 0 {
		every = time.Minute
	}
	warn := m.lastWarn.IsZero() || now.Sub(m.lastWarn) >= every
	suppressed := m.suppressed
	if warn {
		m.lastWarn, m.suppressed = now, 0
	} else {
		m.suppressed++
	}
	since := m.since
	m.mu.Unlock()
	if warn && m.Log != nil {
		m.Log.Warn("Meilisearch search failed: searches are answered by PostgreSQL", "err", err,
			"failing_since", since, "failures_not_logged", suppressed)
	}
}

// PrimaryOK records a successful search of the primary engine.
func (m *Monitor) PrimaryOK() {
	m.mu.Lock()
	recovered := m.failing
	since := m.since
	m.failing = false
	m.mu.Unlock()
	if recovered && m.Log != nil {
		m.Log.Info("Meilisearch answers searches again", "failed_for", m.now().Sub(since).Round(time.Second))
	}
}

// SetVersion records the answer of the start-up version check.
func (m *Monitor) SetVersion(version string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.checked, m.version, m.versionErr = version != "", version, ""
	if err != nil {
		m.versionErr = err.Error()
	}
}

// Status returns the current state.
func (m *Monitor) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	return Status{Failing: m.failing, Since: m.since, LastError: m.lastErr, Fallbacks: m.fallbacks,
		VersionChecked: m.checked, ServerVersion: m.version, VersionProblem: m.versionErr}
}
