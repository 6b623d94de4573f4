package quality

import (
	"fmt"
	"image"
	"math"
)

// Multi-scale SSIM (Wang, Simoncelli and Bovik 2003). At each scale the
// two images are compared through Gaussian windows of σ 1.5 over 11×11
// pixels for contrast and structure; at the coarsest scale luminance joins
// in. Between scales both images are averaged over 2×2 blocks. Values are
// taken in [0, 1], so the stabilising constants are (0.01)² and (0.03)².

const (
	ssimWindow = 11   // side of the Gaussian window
	ssimSigma  = 1.5  // its standard deviation in pixels
	ssimC1     = 1e-4 // (0.01 × dynamic range)²
	ssimC2     = 9e-4 // (0.03 × dynamic range)²
)

// wangWeights are the exponents of the five scales fitted by Wang et al.,
// finest first.
var wangWeights = [5]float64{0.0448, 0.2856, 0.3001, 0.2363, 0.1333}

// ssimTaps is the normalised 1-D Gaussian window.
var ssimTaps = func() [ssimWindow]float32 {
	var taps [ssimWindow]float32
	var sum float64
	w := make([]float64, ssimWindow)
	for i := range w {
		d := float64(i - ssimWindow/2)
		w[i] = math.Exp(-d * d / (2 * ssimSigma * ssimSigma))
		sum += w[i]
	}
	for i := range w {
		taps[i] = float32(w[i] / sum)
	}
	return taps
}()

// MSSSIMScales is the number of scales MS-SSIM uses for images of side
// size: as many of Wang's five as keep the coarsest scale at least as wide
// as the 11-pixel window. A 64-pixel image has three (64, 32, 16), a
// 32-pixel one two, and anything under 11 pixels none.
func MSSSIMScales(size int) int {
	n := 0
	for s := size; s >= ssimWindow && n < len(wangWeights); s /= 2 {
		n++
	}
	return n
}

// scaleWeights returns the exponents for n scales: the first n of Wang's,
// rescaled to sum to 1 so that the index stays between 0 and 1 whatever
// the image size.
func scaleWeights(n int) []float64 {
	w := make([]float64, n)
	var sum float64
	for i := range w {
		w[i] = wangWeights[i]
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum
	}
	return w
}

// MSSSIM returns the multi-scale structural similarity of two square
// images of one size, at least 11 pixels a side: 1 for identical images,
// lower the more they differ in structure, 0 at worst. Colour images are
// compared channel by channel (red, green, blue) and the results averaged.
// Negative terms, from images that are anticorrelated at some scale, count
// as 0.
func MSSSIM(a, b image.Image) (float64, error) {
	batch, err := batchFromImages([]image.Image{a, b})
	if err != nil {
		return 0, fmt.Errorf("quality: ms-ssim: %w", err)
	}
	if MSSSIMScales(batch.size) == 0 {
		return 0, fmt.Errorf("quality: ms-ssim: %d×%d images are under %d pixels: %w",
			batch.size, batch.size, ssimWindow, ErrImageSize)
	}
	prep := newSSIMPrep(batch, []int{0, 1}, 1)
	return prep.compare(0, 1, newSSIMScratch(batch.size)), nil
}

// ssimPrep holds, for each image that takes part in a comparison, its
// channels at every scale with their local means and mean squares, so that
// comparing a pair only has to filter the product of the two.
type ssimPrep struct {
	channels int
	weights  []float64 // exponent per scale
	sides    []int     // side per scale
	offsets  []int     // start of channel c, scale j in a block: [c*scales+j]
	per      int       // values per image
	data     []float32 // one block of per values for each prepared image
	slot     []int     // image index → block, or -1 if not prepared
}

// newSSIMPrep prepares the images of b listed in use (repeats allowed).
func newSSIMPrep(b batch, use []int, workers int) *ssimPrep {
	n := MSSSIMScales(b.size)
	p := &ssimPrep{channels: b.channels, weights: scaleWeights(n), slot: make([]int, b.n)}
	for s, j := b.size, 0; j < n; s, j = s/2, j+1 {
		p.sides = append(p.sides, s)
	}
	for range b.channels {
		for _, s := range p.sides {
			v := s - ssimWindow + 1
			p.offsets = append(p.offsets, p.per)
			p.per += s*s + 2*v*v
		}
	}

	var order []int
	for i := range p.slot {
		p.slot[i] = -1
	}
	for _, i := range use {
		if p.slot[i] < 0 {
			p.slot[i] = len(order)
			order = append(order, i)
		}
	}
	p.data = make([]float32, len(order)*p.per)

	tmp := make([][]float32, workers)
	load := make([][]float32, workers)
	for w := range tmp {
		tmp[w] = make([]float32, b.size*b.size)
		load[w] = make([]float32, b.imageLen())
	}
	parallel(len(order), workers, func(w, k int) {
		p.prepare(p.data[k*p.per:(k+1)*p.per], b.load(order[k], load[w]), tmp[w])
	})
	return p
}

// prepare fills one image's block: for each channel and scale, the plane
// in [0, 1], then its local means, then its local mean squares.
func (p *ssimPrep) prepare(block, pixels, tmp []float32) {
	for c := range p.channels {
		var prev []float32
		for j, s := range p.sides {
			plane, mean, meanSq := p.parts(block, c, j)
			if j == 0 {
				for i := range plane {
					plane[i] = (pixels[i*p.channels+c] + 1) / 2
				}
			} else {
				halve(plane, prev, p.sides[j-1])
			}
			windowMean(mean, plane, nil, s, tmp)
			windowMean(meanSq, plane, plane, s, tmp)
			prev = plane
		}
	}
}

// parts splits the piece of block for channel c at scale j into the plane,
// its local means and its local mean squares.
func (p *ssimPrep) parts(block []float32, c, j int) (plane, mean, meanSq []float32) {
	s := p.sides[j]
	v := s - ssimWindow + 1
	at := block[p.offsets[c*len(p.sides)+j]:]
	return at[:s*s], at[s*s:][:v*v], at[s*s+v*v:][:v*v]
}

// scale returns the parts of channel c at scale j of prepared image img.
func (p *ssimPrep) scale(img, c, j int) (plane, mean, meanSq []float32) {
	return p.parts(p.data[p.slot[img]*p.per:][:p.per], c, j)
}

// compare returns the MS-SSIM of two prepared images.
func (p *ssimPrep) compare(a, b int, sc *ssimScratch) float64 {
	var total float64
	for c := range p.channels {
		ms := 1.0
		last := len(p.sides) - 1
		for j, s := range p.sides {
			x, mx, sx := p.scale(a, c, j)
			y, my, sy := p.scale(b, c, j)
			v := s - ssimWindow + 1
			cross := sc.cross[:v*v]
			windowMean(cross, x, y, s, sc.tmp)
			cs, ssim := ssimTerms(mx, my, sx, sy, cross)
			if j == last {
				cs = ssim
			}
			ms *= math.Pow(max(cs, 0), p.weights[j])
		}
		total += ms
	}
	return total / float64(p.channels)
}

// ssimScratch holds the buffers for comparing one pair at a time.
type ssimScratch struct {
	cross []float32 // local means of x·y
	tmp   []float32 // the horizontal pass
}

func newSSIMScratch(size int) *ssimScratch {
	v := max(0, size-ssimWindow+1)
	return &ssimScratch{cross: make([]float32, v*v), tmp: make([]float32, size*v)}
}

// halve averages the plane src of side s over 2×2 blocks into dst.
func halve(dst, src []float32, s int) {
	h := s / 2
	for i := range h {
		r0 := src[2*i*s:][:s]
		r1 := src[(2*i+1)*s:][:s]
		out := dst[i*h:][:h]
		for j := range out {
			out[j] = (r0[2*j] + r0[2*j+1] + r1[2*j] + r1[2*j+1]) / 4
		}
	}
}

// windowMean writes into dst the Gaussian-weighted mean of x·y (of x if y
// is nil) over every 11×11 window inside the s×s planes: (s-10)² values.
// tmp must hold s·(s-10) values.
func windowMean(dst, x, y []float32, s int, tmp []float32) {
	v := s - ssimWindow + 1
	tmp = tmp[:s*v]
	for r := range s {
		xr := x[r*s:][:s]
		out := tmp[r*v:][:v]
		if y == nil {
			for c := range out {
				var acc float32
				for t, g := range ssimTaps {
					acc += g * xr[c+t]
				}
				out[c] = acc
			}
			continue
		}
		yr := y[r*s:][:s]
		for c := range out {
			var acc float32
			for t, g := range ssimTaps {
				acc += g * xr[c+t] * yr[c+t]
			}
			out[c] = acc
		}
	}

	for r := range v {
		out := dst[r*v:][:v]
		clear(out)
		for t, g := range ssimTaps {
			in := tmp[(r+t)*v:][:v]
			for c := range out {
				out[c] += g * in[c]
			}
		}
	}
}

// ssimTerms returns the mean contrast-structure term and the mean SSIM
// over all windows, from the local means of x, y, x², y² and x·y.
func ssimTerms(mx, my, sx, sy, cross []float32) (cs, ssim float64) {
	var sumCS, sumSSIM float64
	for i := range cross {
		ux, uy := mx[i], my[i]
		vx := sx[i] - ux*ux
		vy := sy[i] - uy*uy
		cov := cross[i] - ux*uy
		contrast := (2*cov + ssimC2) / (vx + vy + ssimC2)
		light := (2*ux*uy + ssimC1) / (ux*ux + uy*uy + ssimC1)
		sumCS += float64(contrast)
		sumSSIM += float64(light * contrast)
	}
	n := float64(len(cross))
	return sumCS / n, sumSSIM / n
}
