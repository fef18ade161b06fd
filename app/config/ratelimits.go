package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// RateLimit allows Max attempts per Window.
type RateLimit struct {
	Max    int
	Window time.Duration
}

// ParseRateLimits reads RATE_LIMITS: "name=max/window,…", for example
// "signin:ip=30/15m,support:account=120/1m". Each max is a positive integer,
// each window a Go duration of at least a second. Which names exist is for
// the rate limiter to say (app/ratelimit refuses unknown ones).
func ParseRateLimits(s string) (map[string]RateLimit, error) {
	out := map[string]RateLimit{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, spec, ok := strings.Cut(item, "=")
		maxS, winS, ok2 := strings.Cut(spec, "/")
		n, err1 := strconv.Atoi(strings.TrimSpace(maxS))
		w, err2 := time.ParseDuration(strings.TrimSpace(winS))
		name = strings.TrimSpace(name)
		if !ok || !ok2 || err1 != nil || err2 != nil || n < 1 || w < time.Second || name == "" {
			return nil, fmt.Errorf("%q: attendu nom=max/durée, par exemple signin:ip=30/15m", item)
		}
		out[name] = RateLimit{Max: n, Window: w}
	}
	return out, nil
}
