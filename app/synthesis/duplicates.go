package synthesis

import "sort"

// Near-duplicates are found with MinHash over word 3-shingles: each text gets
// a signature of minHashes values; texts sharing one band of the signature
// are compared, and joined when the estimated Jaccard similarity of their
// shingles reaches duplicateThreshold.
const (
	minHashes          = 32
	minHashBands       = 8
	minHashRows        = minHashes / minHashBands
	duplicateThreshold = 0.6
	bucketReps         = 4 // texts compared per bucket, to bound the work
)

// DuplicateGroup is a group of contributions whose texts are nearly the same.
type DuplicateGroup struct {
	Size    int
	Members []Excerpt // the first ones, by id
	ids     []int64
}

type dupFinder struct {
	ids     []int64
	sigs    [][minHashes]uint32
	buckets [minHashBands]map[uint64][]int32
	parent  []int32
	seeds   [minHashes]uint64
	shingle []uint64
}

func newDupFinder() *dupFinder {
	d := &dupFinder{}
	for i := range d.buckets {
		d.buckets[i] = map[uint64][]int32{}
	}
	x := uint64(0x9E3779B97F4A7C15)
	for i := range d.seeds {
		x = splitmix(x)
		d.seeds[i] = x
	}
	return d
}

func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// add signs the text of contribution id and joins it to the earlier texts
// it nearly duplicates.
func (d *dupFinder) add(id int64, text string) {
	d.shingle = d.shingle[:0]
	var w [3]uint64
	n := 0
	words(text, func(word string) {
		if word == "" {
			return
		}
		w[0], w[1], w[2] = w[1], w[2], fnv64a(word)
		n++
		if n >= 3 {
			d.shingle = append(d.shingle, w[0]*31*31+w[1]*31+w[2])
		}
	})
	if n < 3 {
		return // too short to judge
	}
	var sig [minHashes]uint32
	for i := range sig {
		sig[i] = ^uint32(0)
	}
	for _, s := range d.shingle {
		s = splitmix(s)
		for i, seed := range d.seeds {
			// One multiply-xorshift per hash function: a cheap, well-mixed
			// family of permutations of the shingle hashes.
			x := (s ^ seed) * 0xD6E8FEB86659FD93
			if v := uint32(x >> 32); v < sig[i] {
				sig[i] = v
			}
		}
	}
	idx := int32(len(d.ids))
	d.ids = append(d.ids, id)
	d.sigs = append(d.sigs, sig)
	d.parent = append(d.parent, idx)
	for b := range minHashBands {
		key := uint64(b)
		for r := range minHashRows {
			key = splitmix(key ^ uint64(sig[b*minHashRows+r]))
		}
		reps := d.buckets[b][key]
		for _, other := range reps {
			// Already joined (through another band or a common member):
			// comparing again would change nothing.
			if d.find(idx) == d.find(other) {
				continue
			}
			if d.similarity(idx, other) >= duplicateThreshold {
				d.union(idx, other)
			}
		}
		if len(reps) < bucketReps {
			d.buckets[b][key] = append(reps, idx)
		}
	}
}

func (d *dupFinder) similarity(a, b int32) float64 {
	same := 0
	for i := range minHashes {
		if d.sigs[a][i] == d.sigs[b][i] {
			same++
		}
	}
	return float64(same) / minHashes
}

func (d *dupFinder) find(i int32) int32 {
	for d.parent[i] != i {
		d.parent[i] = d.parent[d.parent[i]]
		i = d.parent[i]
	}
	return i
}

func (d *dupFinder) union(a, b int32) {
	ra, rb := d.find(a), d.find(b)
	if ra == rb {
		return
	}
	if ra > rb {
		ra, rb = rb, ra
	}
	d.parent[rb] = ra
}

// groups returns the n largest groups of two or more, then by smallest id,
// each with its first members members.
func (d *dupFinder) groups(n, members int) []DuplicateGroup {
	byRoot := map[int32]*DuplicateGroup{}
	var roots []int32
	for i := range d.ids {
		r := d.find(int32(i))
		g := byRoot[r]
		if g == nil {
			g = &DuplicateGroup{}
			byRoot[r] = g
			roots = append(roots, r)
		}
		g.Size++
		if len(g.ids) < members {
			g.ids = append(g.ids, d.ids[i])
		}
	}
	var out []DuplicateGroup
	for _, r := range roots {
		if g := byRoot[r]; g.Size > 1 {
			out = append(out, *g)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Size != out[j].Size {
			return out[i].Size > out[j].Size
		}
		return out[i].ids[0] < out[j].ids[0]
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// fnv64a is the FNV-1a hash of s, without allocating.
func fnv64a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
