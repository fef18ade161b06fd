// Package ratelimit counts attempts per key in PostgreSQL, so that every app
// instance shares the same counters. It is a sliding-window estimate over
// fixed windows: the count of the current window plus the previous one's,
// weighted by how much of it still overlaps the sliding window.
//
// Keys name what is limited, e.g. "signin:ip:203.0.113.7" or
// "signin:account:nom@exemple.fr". They are stored hashed.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/cnr-numerique/concertation/app/config"
	"github.com/cnr-numerique/concertation/app/db"
)

// Limit allows Max attempts per Window.
type Limit struct {
	Max    int
	Window time.Duration
}

// Rules are limits by name, e.g. "signin:ip".
type Rules map[string]Limit

// DefaultRules are the limits of the account flows, of writing (contributing,
// supporting, arguing, reporting), of searching and of the open-data
// downloads. RATE_LIMITS overrides them.
var DefaultRules = Rules{
	// Password checks count failures only (see Limiter.PasswordAllowed).
	RuleSignInPair:    {Max: 10, Window: 15 * time.Minute},  // one account from one address
	RuleSignInAccount: {Max: 20, Window: 15 * time.Minute},  // one account, every address
	RuleSignInIP:      {Max: 100, Window: 15 * time.Minute}, // one address, every account
	"oidc:ip":         {Max: 60, Window: 15 * time.Minute},  // OpenID Connect sign-ins started
	"signup:ip":       {Max: 10, Window: time.Hour},
	"signup:account":  {Max: 3, Window: time.Hour},
	"reset:ip":        {Max: 10, Window: time.Hour},
	"reset:account":   {Max: 3, Window: time.Hour},

	// Writing and searching: generous for a person, even a fast one, but
	// they stop bursts from scripts. Per address, several people can share
	// one (a mediation centre, a school): hence the higher limits.
	"contribute:account": {Max: 30, Window: time.Hour}, // creations and edits
	"contribute:ip":      {Max: 200, Window: time.Hour},
	"support:account":    {Max: 120, Window: time.Minute}, // supports and their removal
	"support:ip":         {Max: 600, Window: time.Minute},
	"argue:account":      {Max: 30, Window: 10 * time.Minute},
	"argue:ip":           {Max: 300, Window: 10 * time.Minute},
	"report:account":     {Max: 20, Window: time.Hour},
	"report:ip":          {Max: 200, Window: time.Hour},
	"search:account":     {Max: 120, Window: time.Minute}, // lists with a searched text (q)
	"search:ip":          {Max: 600, Window: time.Minute},

	// Claiming a contribution accompagnée with the code of its receipt: a
	// person types one or two codes; guessing one takes billions of tries.
	"claim:account": {Max: 10, Window: time.Hour},
	"claim:ip":      {Max: 60, Window: time.Hour},

	// Anonymous downloads of the open-data files, per address: each one
	// streams the whole dataset.
	"opendata:ip": {Max: 30, Window: time.Hour},

	// Messages to the team from the accessibility declaration's contact form.
	"contact:ip": {Max: 10, Window: time.Hour},
}

// ParseRules reads "name=max/window,…" (e.g. "signin:ip=30/15m", the
// syntax of RATE_LIMITS) over base.
func ParseRules(s string, base Rules) (Rules, error) {
	o, err := config.ParseRateLimits(s)
	if err != nil {
		return nil, err
	}
	return WithOverrides(base, o)
}

// WithOverrides returns base with the limits of overrides (RATE_LIMITS, read
// by app/config) replacing those of the same name. A name that base does not
// have is an error: a misspelt rule would otherwise limit nothing.
func WithOverrides(base Rules, overrides map[string]config.RateLimit) (Rules, error) {
	out := Rules{}
	for k, v := range base {
		out[k] = v
	}
	for name, l := range overrides {
		if _, ok := base[name]; !ok {
			return nil, fmt.Errorf("règle %q inconnue", name)
		}
		out[name] = Limit{Max: l.Max, Window: l.Window}
	}
	return out, nil
}

// Decision is the answer for one attempt.
type Decision struct {
	Allowed    bool
	RetryAfter time.Duration // when refused: how long before trying again
}

// Limiter counts attempts in PostgreSQL: every attempt of the account
// flows, and the attempts of frequent actions in batches (batched.go).
type Limiter struct {
	db     *db.DB
	rules  Rules
	now    func() time.Time
	locals locals
}

// New returns a limiter with rules (DefaultRules when nil); now is the clock.
func New(d *db.DB, rules Rules, now func() time.Time) *Limiter {
	if rules == nil {
		rules = DefaultRules
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{db: d, rules: rules, now: now}
}

// Check counts one attempt of rule for subject (key "rule:subject"). An
// unknown rule is always allowed.
func (l *Limiter) Check(ctx context.Context, rule, subject string) (Decision, error) {
	lim, ok := l.rules[rule]
	if !ok {
		return Decision{Allowed: true}, nil
	}
	return l.Allow(ctx, rule+":"+subject, lim)
}

// Peek tells whether one more attempt of rule for subject would be within
// its limit, without counting one. An unknown rule is always allowed.
func (l *Limiter) Peek(ctx context.Context, rule, subject string) (Decision, error) {
	lim, ok := l.rules[rule]
	if !ok {
		return Decision{Allowed: true}, nil
	}
	return l.peek(ctx, rule+":"+subject, lim)
}

// peek tells whether one more attempt on key would be within lim.
func (l *Limiter) peek(ctx context.Context, key string, lim Limit) (Decision, error) {
	now := l.now()
	win := lim.Window.Truncate(time.Second)
	start := now.Truncate(win)
	h := keyHash(key, win)
	var row struct {
		Cur  int
		Prev int
	}
	err := l.db.Conn(ctx).Raw(`
		SELECT coalesce((SELECT hits FROM rate_limits WHERE key_hash = ? AND window_start = ?), 0) AS cur,
		       coalesce((SELECT hits FROM rate_limits WHERE key_hash = ? AND window_start = ?), 0) AS prev`,
		h, start, h, start.Add(-win)).Scan(&row).Error
	if err != nil {
		return Decision{}, fmt.Errorf("rate limit: %w", err)
	}
	return decide(now, start, win, row.Cur, row.Prev, float64(lim.Max)-1), nil
}

// decide compares the sliding estimate of cur and prev hits with max.
func decide(now, start time.Time, win time.Duration, cur, prev int, max float64) Decision {
	elapsed := now.Sub(start)
	weight := 1 - float64(elapsed)/float64(win)
	if float64(cur)+float64(prev)*weight <= max {
		return Decision{Allowed: true}
	}
	return Decision{Allowed: false, RetryAfter: win - elapsed}
}

func keyHash(key string, win time.Duration) []byte {
	h := sha256.Sum256([]byte(key + "\x00" + win.String()))
	return h[:]
}

// Allow counts one attempt on key and tells whether it is within lim.
// Refused attempts count too, so hammering keeps the door shut.
func (l *Limiter) Allow(ctx context.Context, key string, lim Limit) (Decision, error) {
	if batched(key) {
		return l.allowBatched(ctx, key, lim)
	}
	now := l.now()
	win := lim.Window.Truncate(time.Second)
	start := now.Truncate(win)
	h := keyHash(key, win)
	var row struct {
		Cur  int
		Prev int
	}
	// "( ?" and not "(?": GORM expands a []byte placed right after "(".
	err := l.db.Conn(ctx).Raw(`
		WITH cur AS (
			INSERT INTO rate_limits (key_hash, window_start, hits, expires_at) VALUES ( ?, ?, 1, ?)
			ON CONFLICT (key_hash, window_start) DO UPDATE SET hits = rate_limits.hits + 1
			RETURNING hits)
		SELECT (SELECT hits FROM cur) AS cur,
		       coalesce((SELECT hits FROM rate_limits WHERE key_hash = ? AND window_start = ?), 0) AS prev`,
		h, start, start.Add(2*win), h, start.Add(-win)).Scan(&row).Error
	if err != nil {
		return Decision{}, fmt.Errorf("rate limit: %w", err)
	}
	if rand.IntN(200) == 0 {
		_ = l.Purge(ctx)
	}
	return decide(now, start, win, row.Cur, row.Prev, float64(lim.Max)), nil
}

// Purge deletes counters that no window can use any more.
func (l *Limiter) Purge(ctx context.Context) error {
	return l.db.Conn(ctx).Exec(`DELETE FROM rate_limits WHERE expires_at < ?`, l.now()).Error
}
