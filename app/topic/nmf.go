package topic

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// sparse is a matrix in compressed sparse rows: row i holds the columns
// idx[ptr[i]:ptr[i+1]] with values val[...]. Rows are TF-IDF vectors of unit
// length.
type sparse struct {
	ptr  []int
	idx  []int32
	val  []float32
	cols int
}

func (m *sparse) rows() int { return len(m.ptr) - 1 }

func (m *sparse) row(i int) ([]int32, []float32) {
	return m.idx[m.ptr[i]:m.ptr[i+1]], m.val[m.ptr[i]:m.ptr[i+1]]
}

// factors are the two non-negative factors of X ≈ W·H: w is rows×k (row
// major), ht is H transposed, cols×k (term major), so that the products
// with a sparse row read k contiguous numbers per non-zero.
type factors struct {
	k   int
	w   []float64
	ht  []float64
	err float64 // ‖X−WH‖² − ‖X‖² at the end of the fit
}

// parallelRows runs fn over [0, n) split between the cores; fn receives its
// range and a worker number.
func parallelRows(n int, fn func(lo, hi, worker int)) {
	workers := min(runtime.GOMAXPROCS(0), 8, max(n/2000, 1))
	var wg sync.WaitGroup
	for p := range workers {
		lo, hi := n*p/workers, n*(p+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi, p)
		}()
	}
	wg.Wait()
}

// fitNMF factorises x into k non-negative themes by hierarchical alternating
// least squares (Cichocki & Phan, 2009), started from a few rounds of
// spherical k-means seeded k-means++ style, so the result depends only on x,
// k and seed. progress is called after each iteration with (done, total).
func fitNMF(x *sparse, k, iters int, seed uint64, progress func(done, total int)) factors {
	n, v := x.rows(), x.cols
	f := factors{k: k, w: make([]float64, n*k), ht: make([]float64, v*k)}
	initKMeans(x, &f, seed)
	a := make([]float64, n*k)  // X·Hᵀ
	ct := make([]float64, v*k) // (Wᵀ·X)ᵀ
	b := make([]float64, k*k)
	prevErr := math.Inf(1)
	for it := range iters {
		// W ← argmin with H fixed.
		gram(f.ht, v, k, b)
		mulXHt(x, f.ht, k, a)
		parallelRows(n, func(lo, hi, _ int) {
			for i := lo; i < hi; i++ {
				updateRow(f.w[i*k:(i+1)*k], a[i*k:(i+1)*k], b, k, 1, 1e-12)
			}
		})
		// H ← argmin with W fixed.
		gram(f.w, n, k, b)
		mulWtX(x, f.w, k, ct)
		for j := range v {
			updateRow(f.ht[j*k:(j+1)*k], ct[j*k:(j+1)*k], b, k, 1, 0)
		}
		normalise(&f, n, v)
		if progress != nil {
			progress(it+1, iters)
		}
		// Stop when the fit no longer improves: ‖X−WH‖² = ‖X‖² − 2·tr(WᵀXHᵀ) + tr(WᵀW·HHᵀ).
		if it%5 == 4 || it == iters-1 {
			mulXHt(x, f.ht, k, a)
			e := residual(x, &f, a)
			f.err = e
			if prevErr-e < 1e-4*math.Abs(prevErr) {
				if progress != nil {
					progress(iters, iters)
				}
				break
			}
			prevErr = e
		}
	}
	return f
}

// updateRow makes at most sweeps of coordinate descent on one row r of a
// factor: minimise ½ rᵀ·G·r − rᵀ·t with r ≥ floor; it stops early once no
// coordinate moves by more than 1e-4.
func updateRow(r, t, g []float64, k, sweeps int, floor float64) {
	for range sweeps {
		moved := 0.0
		for l := range k {
			d := g[l*k+l]
			if d <= 0 {
				continue
			}
			s := t[l]
			row := g[l*k : l*k+k]
			for m, v := range row {
				s -= v * r[m]
			}
			nv := r[l] + s/d
			if nv < floor {
				nv = floor
			}
			moved = max(moved, math.Abs(nv-r[l]))
			r[l] = nv
		}
		if moved < 1e-4 {
			return
		}
	}
}

// gram computes mᵀm for m with rows×k row-major.
func gram(m []float64, rows, k int, out []float64) {
	clear(out)
	for i := range rows {
		r := m[i*k : (i+1)*k]
		for l := range k {
			if r[l] == 0 {
				continue
			}
			for q := l; q < k; q++ {
				out[l*k+q] += r[l] * r[q]
			}
		}
	}
	for l := range k {
		for q := l + 1; q < k; q++ {
			out[q*k+l] = out[l*k+q]
		}
	}
}

// mulXHt computes X·Hᵀ into a (rows×k).
func mulXHt(x *sparse, ht []float64, k int, a []float64) {
	parallelRows(x.rows(), func(lo, hi, _ int) {
		for i := lo; i < hi; i++ {
			ar := a[i*k : (i+1)*k]
			clear(ar)
			idx, val := x.row(i)
			for p, j := range idx {
				h := ht[int(j)*k : int(j)*k+k]
				xv := float64(val[p])
				for l := range k {
					ar[l] += xv * h[l]
				}
			}
		}
	})
}

// mulWtX computes (Wᵀ·X)ᵀ into ct (cols×k), one partial sum per worker.
func mulWtX(x *sparse, w []float64, k int, ct []float64) {
	workers := min(runtime.GOMAXPROCS(0), 8, max(x.rows()/2000, 1))
	parts := make([][]float64, workers)
	parallelRows(x.rows(), func(lo, hi, p int) {
		part := make([]float64, len(ct))
		for i := lo; i < hi; i++ {
			wr := w[i*k : (i+1)*k]
			idx, val := x.row(i)
			for q, j := range idx {
				c := part[int(j)*k : int(j)*k+k]
				xv := float64(val[q])
				for l := range k {
					c[l] += xv * wr[l]
				}
			}
		}
		parts[p] = part
	})
	clear(ct)
	for _, part := range parts {
		for i, v := range part {
			ct[i] += v
		}
	}
}

// normalise scales each theme of H to unit length, moving the scale into W,
// so that theme weights are comparable.
func normalise(f *factors, n, v int) {
	k := f.k
	for l := range k {
		s := 0.0
		for j := range v {
			s += f.ht[j*k+l] * f.ht[j*k+l]
		}
		s = math.Sqrt(s)
		if s == 0 {
			continue
		}
		for j := range v {
			f.ht[j*k+l] /= s
		}
		for i := range n {
			f.w[i*k+l] *= s
		}
	}
}

// residual returns ‖X−WH‖² up to the constant ‖X‖², given a = X·Hᵀ.
func residual(x *sparse, f *factors, a []float64) float64 {
	k, n := f.k, x.rows()
	hh := make([]float64, k*k)
	gram(f.ht, x.cols, k, hh)
	ww := make([]float64, k*k)
	gram(f.w, n, k, ww)
	cross := 0.0
	for i := range n * k {
		cross += f.w[i] * a[i]
	}
	quad := 0.0
	for i := range k * k {
		quad += ww[i] * hh[i]
	}
	return quad - 2*cross
}

// initKMeans seeds the themes with k texts far apart (k-means++), refines
// them with three rounds of spherical k-means, and sets W to the cosine of
// each text with its centre.
func initKMeans(x *sparse, f *factors, seed uint64) {
	n, v, k := x.rows(), x.cols, f.k
	rng := rand.New(rand.NewPCG(seed, 0x7e3a))
	centres := make([][]float64, 0, k)
	best := make([]float64, n) // best cosine to a chosen centre
	dense := func(i int) []float64 {
		c := make([]float64, v)
		idx, val := x.row(i)
		for p, j := range idx {
			c[j] = float64(val[p])
		}
		return c
	}
	cos := func(i int, c []float64) float64 {
		s := 0.0
		idx, val := x.row(i)
		for p, j := range idx {
			s += float64(val[p]) * c[j]
		}
		return s
	}
	first := rng.IntN(n)
	for len(centres) < k {
		pick := first
		if len(centres) > 0 {
			total := 0.0
			for i := range n {
				d := 1 - best[i]
				total += d * d
			}
			if total <= 0 {
				pick = rng.IntN(n)
			} else {
				r := rng.Float64() * total
				for i := range n {
					d := 1 - best[i]
					r -= d * d
					if r <= 0 {
						pick = i
						break
					}
				}
			}
		}
		c := dense(pick)
		centres = append(centres, c)
		for i := range n {
			best[i] = math.Max(best[i], cos(i, c))
		}
	}
	assign := make([]int, n)
	for range 3 {
		parallelRows(n, func(lo, hi, _ int) {
			for i := lo; i < hi; i++ {
				bi, bv := 0, -1.0
				for l, c := range centres {
					if s := cos(i, c); s > bv {
						bi, bv = l, s
					}
				}
				assign[i] = bi
			}
		})
		for _, c := range centres {
			clear(c)
		}
		for i := range n {
			c := centres[assign[i]]
			idx, val := x.row(i)
			for p, j := range idx {
				c[j] += float64(val[p])
			}
		}
		for _, c := range centres {
			s := 0.0
			for _, y := range c {
				s += y * y
			}
			if s = math.Sqrt(s); s > 0 {
				for j := range c {
					c[j] /= s
				}
			}
		}
	}
	for l, c := range centres {
		for j := range v {
			f.ht[j*k+l] = c[j] + 1e-6
		}
	}
	for i := range n {
		for l, c := range centres {
			f.w[i*k+l] = math.Max(cos(i, c), 1e-6)
		}
	}
}
