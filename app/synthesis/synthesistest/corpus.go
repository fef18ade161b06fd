package synthesistest

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/db"
)

// CorpusContribution is one contribution of the hand-written test corpus of
// the topic package, as inserted by LoadCorpus.
type CorpusContribution struct {
	ID       int64
	Title    string
	Body     string
	Subjects []string
}

// corpusDeps are the départements the corpus is spread over.
var corpusDeps = []string{"29", "35", "13", "75", "59", "974", "976", "23", "69", "2A"}

// LoadCorpus inserts the first n contributions of app/topic/testdata
// (n <= 0: all 336), published, on the four axes, by three authors of
// different categories, over ten départements; the reference data must be
// loaded.
func LoadCorpus(t testing.TB, d *db.DB, n int) []CorpusContribution {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	f, err := os.Open(filepath.Join(filepath.Dir(file), "..", "..", "topic", "testdata", "contributions.jsonl"))
	must(t, err)
	defer f.Close()
	s := d.SQL()
	var cons int64
	must(t, s.QueryRowContext(context.Background(), `SELECT id FROM consultations ORDER BY id LIMIT 1`).Scan(&cons))
	authors := []int64{
		user(t, s, "corpus-elu@exemple.fr", "Élu du corpus", "elu"),
		user(t, s, "corpus-asso@exemple.fr", "Association du corpus", "association"),
		user(t, s, "corpus-citoyen@exemple.fr", "Citoyen du corpus", "citoyen"),
	}
	cats := []string{"elu", "association", "citoyen"}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var out []CorpusContribution
	day := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for i := 0; sc.Scan() && (n <= 0 || i < n); i++ {
		var c struct {
			Title    string   `json:"title"`
			Body     string   `json:"body"`
			Subjects []string `json:"subjects"`
		}
		must(t, json.Unmarshal(sc.Bytes(), &c))
		id := contribution(t, s, cons, "libres", 1+i%4, "", authors[i%3], cats[i%3], corpusDeps[i%len(corpusDeps)], nil, "",
			c.Title, c.Body, "published", day.Add(time.Duration(i)*time.Hour))
		out = append(out, CorpusContribution{ID: id, Title: c.Title, Body: c.Body, Subjects: c.Subjects})
	}
	must(t, sc.Err())
	return out
}
