package web

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"
)

// A gzip answer assembled from parts compressed beforehand. Compressing a
// contribution page as it was served took two fifths of the program's CPU
// on it, mostly the fixed cost of each block's Huffman tables. The stored
// pages keep their main part compressed (deflated), and each frame of the
// layout keeps its fixed parts compressed; an answer joins them, with the
// few bytes that change per visit (the form token, the title, the count of
// supports) in stored, uncompressed blocks.
//
// This is valid deflate: each part is a run of complete blocks, none marked
// final, ending byte-aligned (a sync flush), and referring to no byte before
// its own start, so parts can follow each other in any order; a final empty
// block ends the stream. The gzip trailer's CRC-32 is that of the whole
// uncompressed answer, combined from each part's (crc32Combine).
// TestGzipPageIsValid decompresses such answers with the standard library.

// deflated is a part compressed beforehand: its deflate blocks, and the
// CRC-32 and size of what they hold.
type deflated struct {
	data []byte
	crc  uint32
	size int
}

// deflateLevel is the level of parts compressed beforehand: once per page
// change or per frame, so a slower, smaller one.
const deflateLevel = 6

var deflaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, deflateLevel) // the level is valid: no error
	return w
}}

// deflate compresses s into a part.
func deflate(s string) deflated {
	var out bytes.Buffer
	out.Grow(len(s)/3 + 64)
	w := deflaters.Get().(*flate.Writer)
	w.Reset(&out)
	_, _ = io.WriteString(w, s) // writes to a bytes.Buffer do not fail
	_ = w.Flush()               // a sync flush: ends byte-aligned, and no final block
	deflaters.Put(w)
	return deflated{data: out.Bytes(), crc: crc32.ChecksumIEEE([]byte(s)), size: len(s)}
}

// inflate returns what parts hold (for the rare browser that takes no gzip).
func inflate(parts ...[]byte) (string, error) {
	var in bytes.Buffer
	for _, p := range parts {
		in.Write(p)
	}
	in.Write(finalBlock)
	r := flate.NewReader(&in)
	defer func() { _ = r.Close() }()
	var out strings.Builder
	if _, err := io.Copy(&out, r); err != nil {
		return "", fmt.Errorf("inflate: %w", err)
	}
	return out.String(), nil
}

var (
	gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff} // deflate, no flags, no time, unknown system
	finalBlock = []byte{1, 0, 0, 0xff, 0xff}                   // an empty stored block marked final
)

// gzipPage assembles a gzip answer.
type gzipPage struct {
	out  []byte
	crc  uint32
	size int
}

func newGzipPage(capacity int) *gzipPage {
	return &gzipPage{out: append(make([]byte, 0, capacity), gzipHeader...)}
}

// deflated appends a part compressed beforehand.
func (g *gzipPage) deflated(d deflated) { g.part(d.data, d.crc, d.size) }

// part appends deflate blocks holding size bytes of CRC-32 crc.
func (g *gzipPage) part(data []byte, crc uint32, size int) {
	g.out = append(g.out, data...)
	g.crc = crc32Combine(g.crc, crc, size)
	g.size += size
}

// raw appends s in stored blocks.
func (g *gzipPage) raw(s string) {
	g.crc = crc32.Update(g.crc, crc32.IEEETable, []byte(s))
	g.size += len(s)
	for len(s) > 0 {
		n := min(len(s), 0xffff)
		g.out = append(g.out, 0, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
		g.out = append(g.out, s[:n]...)
		s = s[n:]
	}
}

// rawEscaped appends s escaped as html/template escapes text.
func (g *gzipPage) rawEscaped(s string) {
	var b strings.Builder
	escapeHTML(&b, s)
	g.raw(b.String())
}

// finish ends the stream and returns the answer.
func (g *gzipPage) finish() []byte {
	g.out = append(g.out, finalBlock...)
	g.out = binary.LittleEndian.AppendUint32(g.out, g.crc)
	return binary.LittleEndian.AppendUint32(g.out, uint32(g.size))
}

// The CRC-32 of two strings joined, from theirs (zlib's crc32_combine).
const crcPoly = 0xedb88320 // IEEE, reflected

// multModP multiplies a and b modulo the CRC's polynomial.
func multModP(a, b uint32) uint32 {
	m, p := uint32(1)<<31, uint32(0)
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ crcPoly
		} else {
			b >>= 1
		}
	}
	return p
}

// x2nTable[k] is x^(2^k) modulo the polynomial.
var x2nTable = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	t[0] = p
	for n := 1; n < 32; n++ {
		p = multModP(p, p)
		t[n] = p
	}
	return t
}()

// crc32Combine returns the CRC-32 of A followed by B, from crcA, crcB and
// B's length.
func crc32Combine(crcA, crcB uint32, lenB int) uint32 {
	if lenB <= 0 {
		return crcA
	}
	p, k := uint32(1)<<31, 3 // x^0; a byte is 2^3 bits
	for n := lenB; n != 0; n >>= 1 {
		if n&1 != 0 {
			p = multModP(x2nTable[k&31], p)
		}
		k++
	}
	return multModP(p, crcA) ^ crcB
}
