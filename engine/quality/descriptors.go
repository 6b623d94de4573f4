package quality

import "math"

// patchSampler reads the neighbourhoods drawn from one pyramid level of
// one set of images.
type patchSampler struct {
	level    []float32 // images × channels planes of side²
	side     int
	channels int
	patch    int     // side of a neighbourhood
	perImage int     // neighbourhoods per image
	corners  []int32 // x, y of each neighbourhood's corner, image-major
}

// read copies neighbourhood j into dst, channel-major then row by row.
func (p *patchSampler) read(dst []float32, j int) {
	img := j / p.perImage
	x, y := int(p.corners[2*j]), int(p.corners[2*j+1])
	plane := p.side * p.side
	i := 0
	for c := range p.channels {
		base := (img*p.channels+c)*plane + y*p.side + x
		for dy := range p.patch {
			// A loop, not copy: a call per 7 values costs more than it saves.
			out := dst[i : i+p.patch]
			for k, v := range p.level[base+dy*p.side:][:p.patch] {
				out[k] = v
			}
			i += p.patch
		}
	}
}

// descriptors is the neighbourhoods of one level of one set as the columns
// of a dim × count matrix, so that a matrix product projects a run of them
// on many directions at once. The matrix is stored in blocks of chunkRows
// columns, each block contiguous (dim rows of chunkRows values), so that a
// product reads a compact block rather than rows far apart in memory.
type descriptors struct {
	values []float32 // blocks × dim × chunkRows
	dim    int
	count  int
}

func newDescriptors(count, dim int) *descriptors {
	blocks := (count + chunkRows - 1) / chunkRows
	return &descriptors{values: make([]float32, blocks*dim*chunkRows), dim: dim, count: count}
}

// blocks is the number of column blocks.
func (d *descriptors) blocks() int { return (d.count + chunkRows - 1) / chunkRows }

// block returns block k and how many of its columns are in use.
func (d *descriptors) block(k int) (values []float32, columns int) {
	size := d.dim * chunkRows
	return d.values[k*size : (k+1)*size], min(chunkRows, d.count-k*chunkRows)
}

// fill reads every neighbourhood of the sampler into the matrix and
// normalises each colour channel by the mean and standard deviation of all
// its values in the set, as the paper does for each set on its own. A
// channel with no variation at all becomes zeros. bufs holds one
// chunkRows×dim buffer per goroutine.
func (d *descriptors) fill(src patchSampler, bufs [][]float32) {
	perChannel := d.dim / src.channels
	// Sums per block, channel and power, added up in block order after so
	// that the result does not depend on scheduling.
	sums := make([]float64, d.blocks()*src.channels*2)
	parallel(d.blocks(), len(bufs), func(w, k int) {
		block, columns := d.block(k)
		buf := bufs[w]
		for r := range columns {
			src.read(buf[r*d.dim:(r+1)*d.dim], k*chunkRows+r)
		}
		// Transpose so that writes run along the block's rows.
		for l := range d.dim {
			out := block[l*chunkRows:][:columns]
			var sum, sumSq float32 // a row is short enough for float32
			for r := range out {
				v := buf[r*d.dim+l]
				out[r] = v
				sum += v
				sumSq += v * v
			}
			c := l / perChannel
			sums[(k*src.channels+c)*2] += float64(sum)
			sums[(k*src.channels+c)*2+1] += float64(sumSq)
		}
	})

	mean := make([]float32, src.channels)
	inv := make([]float32, src.channels)
	n := float64(perChannel * d.count)
	for c := range src.channels {
		var sum, sumSq float64
		for k := range d.blocks() {
			sum += sums[(k*src.channels+c)*2]
			sumSq += sums[(k*src.channels+c)*2+1]
		}
		m := sum / n
		variance := max(0, sumSq/n-m*m)
		mean[c] = float32(m)
		// Below this the channel is flat up to rounding.
		if variance > 1e-12*(1+m*m) {
			inv[c] = float32(1 / math.Sqrt(variance))
		}
	}

	parallel(d.blocks(), len(bufs), func(_, k int) {
		block, columns := d.block(k)
		for l := range d.dim {
			c := l / perChannel
			m, s := mean[c], inv[c]
			row := block[l*chunkRows:][:columns]
			for i, v := range row {
				row[i] = (v - m) * s
			}
		}
	})
}
