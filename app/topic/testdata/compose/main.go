// Command compose writes ../contributions.jsonl, the test corpus of the
// topic package: contributions made of the hand-written sentences of
// sentences.go, most on one subject, some on two. Run it from this folder
// with `go run .` after changing the sentences; the output is committed.
package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"strings"
)

type subject struct {
	name      string
	titles    []string
	sentences []string
}

type contribution struct {
	ID       int      `json:"id"`
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Subjects []string `json:"subjects"`
}

func main() {
	r := rand.New(rand.NewPCG(2026, 11))
	var out []contribution
	take := func(s subject, n int) []string {
		idx := r.Perm(len(s.sentences))[:n]
		var lines []string
		for _, i := range idx {
			lines = append(lines, s.sentences[i])
		}
		return lines
	}
	add := func(subs []subject, lines []string) {
		if r.IntN(3) == 0 {
			lines = append([]string{noise[r.IntN(len(noise))]}, lines...)
		}
		names := []string{}
		for _, s := range subs {
			names = append(names, s.name)
		}
		out = append(out, contribution{ID: len(out) + 1, Title: subs[0].titles[r.IntN(len(subs[0].titles))],
			Body: strings.Join(lines, " "), Subjects: names})
	}
	for round := range 34 {
		for _, s := range subjects {
			add([]subject{s}, take(s, 2+(round+len(s.name))%3))
		}
	}
	for range 64 {
		i := r.IntN(len(subjects))
		j := (i + 1 + r.IntN(len(subjects)-1)) % len(subjects)
		a, b := subjects[i], subjects[j]
		lines := append(take(a, 2), take(b, 2)...)
		add([]subject{a, b}, lines)
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	f, err := os.Create("../contributions.jsonl")
	if err != nil {
		panic(err)
	}
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	for i, c := range out {
		c.ID = i + 1
		if err := enc.Encode(c); err != nil {
			panic(err)
		}
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
}
