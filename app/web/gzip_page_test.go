package web

import (
	"bytes"
	"compress/gzip"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCRC32Combine(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		a, b := make([]byte, r.IntN(3000)), make([]byte, r.IntN(70000))
		for i := range a {
			a[i] = byte(r.Uint32())
		}
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		want := crc32.ChecksumIEEE(append(append([]byte{}, a...), b...))
		if got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), len(b)); got != want {
			t.Fatalf("combine of %d and %d bytes: %08x, want %08x", len(a), len(b), got, want)
		}
	}
}

// TestGzipPageIsValid joins random parts, compressed beforehand and raw
// (empty ones, long ones beyond a stored block's 65,535 bytes, HTML and
// random bytes), and decompresses the answer with the standard library,
// which checks the CRC-32 and the size.
func TestGzipPageIsValid(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	word := []string{"<p>", "contribution", " ", "é", "\n  ", "soutien", "</p>", "\ue000", "&amp;"}
	text := func(n int) string {
		var b strings.Builder
		for b.Len() < n {
			if r.IntN(4) == 0 {
				b.WriteByte(byte(r.Uint32()))
			} else {
				b.WriteString(word[r.IntN(len(word))])
			}
		}
		return b.String()
	}
	for round := range 100 {
		g := newGzipPage(1024)
		var want strings.Builder
		for range r.IntN(8) {
			s := text([]int{0, 10, 3000, 70000}[r.IntN(4)])
			want.WriteString(s)
			if r.IntN(2) == 0 {
				g.deflated(deflate(s))
			} else {
				g.raw(s)
			}
		}
		zr, err := gzip.NewReader(bytes.NewReader(g.finish()))
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if string(got) != want.String() {
			t.Fatalf("round %d: %d bytes back, want %d", round, len(got), want.Len())
		}
		back, err := inflate(deflate(want.String()).data)
		if err != nil || back != want.String() {
			t.Fatalf("round %d: inflate: %v", round, err)
		}
	}
}
