package web

import (
	"net/http"
	"testing"

	"github.com/cnr-numerique/concertation/app/ratelimit"
	"github.com/cnr-numerique/concertation/app/synthesis/synthesistest"
)

// TestOpenDataDownloadsLimitedAndNotAudited: the anonymous downloads of the
// open data are limited per address (French 429 with Retry-After) and write
// nothing to the audit journal.
func TestOpenDataDownloadsLimitedAndNotAudited(t *testing.T) {
	if lim, ok := ratelimit.DefaultRules[limitOpenData]; !ok || lim.Max < 10 {
		t.Fatalf("default rule %q = %v", limitOpenData, lim)
	}
	f := newModFix(t)
	synthesistest.Load(t, f.deps.DB)
	limitedApp(t, f, limitOpenData+"=3/1h")
	before := f.scalar(`SELECT count(*) FROM audit_log`)
	for i, name := range []string{"donnees-csv.zip", "contributions.csv", "soutiens.jsonl", "donnees-json.zip"} {
		resp, body := f.get("/donnees/" + name)
		if i < 3 {
			expect(t, name, resp, body, http.StatusOK)
			continue
		}
		expect(t, "download past the limit", resp, body, http.StatusTooManyRequests, "Trop de tentatives en peu de temps", "merci de patienter")
		if resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if after := f.scalar(`SELECT count(*) FROM audit_log`); after != before {
		t.Errorf("anonymous open-data downloads wrote %d audit rows", after-before)
	}
}
