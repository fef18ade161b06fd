package web

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

// TestSimilarRateLimited: the suggestions while typing a title count as
// searches, per address and per account.
func TestSimilarRateLimited(t *testing.T) {
	for _, per := range []string{"ip", "account"} {
		t.Run(per, func(t *testing.T) {
			f := newModFix(t)
			author := f.user("Autrice")
			f.contribution(author, "Former les médiateurs numériques")
			limitedApp(t, f, limitSearch+":"+per+"=3/1m")
			if per == "account" {
				f.as(f.user("Pressée"))
			}
			for i := 0; i < 4; i++ {
				resp, body := f.get("/contributions/similaires?titre=" + url.QueryEscape(fmt.Sprintf("Former les médiateurs %d", i)))
				if i < 3 {
					expect(t, fmt.Sprintf("attempt %d", i+1), resp, body, http.StatusOK)
					continue
				}
				expect(t, "attempt past the limit", resp, body, http.StatusTooManyRequests, "Trop de tentatives en peu de temps")
			}
		})
	}
}
