package quality

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

const (
	// chunkRows is how many neighbourhoods go through one matrix product.
	// With at most maxBlock directions the product stays under gonum's
	// threshold for splitting it over goroutines (4 tiles of 64×64), so it
	// runs on the calling goroutine without allocating.
	chunkRows = 192
	// maxBlock is the most directions one goroutine projects at a time. A
	// block keeps every projection of both sets for its directions, so it
	// bounds memory: 64 directions × 32768 neighbourhoods × 4 bytes is 8 MB
	// a set.
	maxBlock = 64
)

// projector projects neighbourhoods on random directions and compares the
// sorted projections. It keeps one set of buffers per goroutine, sized for
// the largest sets it will see, and reuses them across levels.
type projector struct {
	dim     int // values in one neighbourhood
	dirs    int // directions per level
	block   int // directions per unit of work
	workers []*projectWorker
}

// projectWorker holds the buffers of one goroutine.
type projectWorker struct {
	projA []float32 // block rows of count(A) projections, one per direction
	projB []float32 // block rows of count(B); both rows rowStride apart
	// Radix sort buffers, two per set: a sorted column may end up in
	// either, so A's must survive while B's column is sorted.
	keysA, scratchA []uint32
	keysB, scratchB []uint32
}

// newProjector makes buffers for comparing countA neighbourhoods with
// countB; countA is 0 when the first set comes already sorted.
func newProjector(countA, countB, dim, dirs, workers int) *projector {
	// Two blocks at least, so both cores of a laptop share the work; the
	// split does not depend on workers, and neither does the result.
	block := min(maxBlock, (dirs+1)/2)
	p := &projector{dim: dim, dirs: dirs, block: block}
	for range workers {
		p.workers = append(p.workers, &projectWorker{
			projA:    make([]float32, block*rowStride(countA)),
			projB:    make([]float32, block*rowStride(countB)),
			keysA:    make([]uint32, countA),
			scratchA: make([]uint32, countA),
			keysB:    make([]uint32, countB),
			scratchB: make([]uint32, countB),
		})
	}
	return p
}

// side is one set at one level: its descriptors, or, when a Reference has
// cached them, its projections on every direction already sorted.
type side struct {
	desc   *descriptors
	sorted []uint32 // dirs rows of count sortable keys, or nil
	count  int
}

// distance returns the sliced Wasserstein distance between the
// neighbourhoods of a and b: the 1-D Wasserstein distance of their
// projections, averaged over the directions dirs (p.dirs of them, p.dim
// values each).
func (p *projector) distance(a side, b *descriptors, dirs []float32) float64 {
	perDir := make([]float64, p.dirs)
	p.eachBlock(func(pw *projectWorker, first, n int) {
		pw.compare(a, b, first, n, dirs[first*p.dim:(first+n)*p.dim], perDir[first:first+n])
	})

	// Summing in direction order keeps the result independent of
	// scheduling.
	var total float64
	for _, d := range perDir {
		total += d
	}
	return total / float64(p.dirs)
}

// sorted returns the projections of set on every direction, sorted: row d
// of set.count keys holds direction d. It fills a side for distance.
func (p *projector) sorted(set *descriptors, dirs []float32) []uint32 {
	out := make([]uint32, p.dirs*set.count)
	stride := rowStride(set.count)
	p.eachBlock(func(pw *projectWorker, first, n int) {
		project(set, dirs[first*p.dim:(first+n)*p.dim], n, pw.projA, stride)
		for d := range n {
			dst := out[(first+d)*set.count:][:set.count]
			col := sortFloats(pw.projA[d*stride:][:set.count], dst, pw.scratchA)
			if &col[0] != &dst[0] {
				copy(dst, col)
			}
		}
	})
	return out
}

// eachBlock calls f for every block of directions, on the workers.
func (p *projector) eachBlock(f func(pw *projectWorker, first, n int)) {
	blocks := (p.dirs + p.block - 1) / p.block
	parallel(blocks, len(p.workers), func(w, k int) {
		first := k * p.block
		f(p.workers[w], first, min(p.block, p.dirs-first))
	})
}

// compare stores in dist the 1-D Wasserstein distance between a and b
// along each of the n directions dirs, which start at direction first.
func (pw *projectWorker) compare(a side, b *descriptors, first, n int, dirs []float32,
	dist []float64) {
	strideA, strideB := rowStride(a.count), rowStride(b.count)
	if a.sorted == nil {
		project(a.desc, dirs, n, pw.projA, strideA)
	}
	project(b, dirs, n, pw.projB, strideB)

	for d := range n {
		var colA []uint32
		if a.sorted != nil {
			colA = a.sorted[(first+d)*a.count:][:a.count]
		} else {
			colA = sortFloats(pw.projA[d*strideA:][:a.count], pw.keysA, pw.scratchA)
		}
		colB := sortFloats(pw.projB[d*strideB:][:b.count], pw.keysB, pw.scratchB)
		dist[d] = wasserstein1(colA, colB)
	}
}

// project writes the projections of every neighbourhood of set on the n
// directions dirs into proj: one row per direction, stride apart.
func project(set *descriptors, dirs []float32, n int, proj []float32, stride int) {
	w := blas32.General{Rows: n, Cols: set.dim, Stride: set.dim, Data: dirs}
	for k := range set.blocks() {
		block, columns := set.block(k)
		x := blas32.General{Rows: set.dim, Cols: columns, Stride: chunkRows, Data: block}
		out := blas32.General{Rows: n, Cols: columns, Stride: stride,
			Data: proj[k*chunkRows:]}
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, w, x, 0, out)
	}
}

// rowStride is the distance between rows of count float32 values that a
// matrix product writes a few columns at a time. Whole cache lines, an odd
// number of them: rows a power of two apart would all fall in the same
// cache sets and evict each other.
func rowStride(count int) int {
	const line = 16 // float32 values in a 64-byte cache line
	lines := (count + line - 1) / line
	if lines%2 == 0 {
		lines++
	}
	return lines * line
}

// floatKey maps a float32 to a uint32 whose unsigned order is the float
// order: negative values have every bit flipped, others the sign bit set.
// It has no branch: projections are positive or negative at random, and a
// mispredicted branch per value would cost more than the rest of the sort.
func floatKey(f float32) uint32 {
	b := math.Float32bits(f)
	return b ^ (uint32(int32(b)>>31) | 1<<31)
}

// keyFloat inverts floatKey.
func keyFloat(k uint32) float32 {
	return math.Float32frombits(k ^ (^uint32(int32(k)>>31) | 1<<31))
}

// sortFloats returns the values of col in ascending order as sortable
// keys (see floatKey). It is a least-significant-byte radix sort between
// keys and scratch, each as long as col; the result is in one of them.
// Passes over a byte that is the same in every key are skipped.
func sortFloats(col []float32, keys, scratch []uint32) []uint32 {
	keys, scratch = keys[:len(col)], scratch[:len(col)]
	var counts [4][256]int
	for i, f := range col {
		k := floatKey(f)
		keys[i] = k
		counts[0][k&0xff]++
		counts[1][k>>8&0xff]++
		counts[2][k>>16&0xff]++
		counts[3][k>>24]++
	}

	src, dst := keys, scratch
	for pass := range 4 {
		c := &counts[pass]
		shift := 8 * pass
		if c[src[0]>>shift&0xff] == len(src) {
			continue
		}
		var offset [256]int
		total := 0
		for i, n := range c {
			offset[i] = total
			total += n
		}
		for _, k := range src {
			b := k >> shift & 0xff
			dst[offset[b]] = k
			offset[b]++
		}
		src, dst = dst, src
	}
	return src
}

// wasserstein1 returns the 1-D Wasserstein-1 distance between the
// empirical distributions of two sorted key columns: the area between
// their quantile functions. For equal lengths it is the mean absolute
// difference of the sorted values, as in the paper.
func wasserstein1(a, b []uint32) float64 {
	na, nb := len(a), len(b)
	var sum float64
	if na == nb {
		for i, k := range a {
			sum += math.Abs(float64(keyFloat(k)) - float64(keyFloat(b[i])))
		}
		return sum / float64(na)
	}

	// Walk the merged quantile steps i/na and j/nb; between consecutive
	// steps both quantile functions are constant.
	var i, j int
	var t float64
	for i < na && j < nb {
		ta, tb := (i+1)*nb, (j+1)*na // i+1/na and j+1/nb scaled by na*nb
		next := float64(min(ta, tb)) / float64(na*nb)
		sum += (next - t) * math.Abs(float64(keyFloat(a[i]))-float64(keyFloat(b[j])))
		t = next
		if ta <= tb {
			i++
		}
		if tb <= ta {
			j++
		}
	}
	return sum
}
