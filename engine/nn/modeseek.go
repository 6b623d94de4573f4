package nn

import (
	"fmt"
	"math"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// modeSeekingEpsilon keeps the term finite when a pair's images coincide.
const modeSeekingEpsilon = 1e-5

// modeSeeking adds to a cost the mode-seeking term of Mao et al. (2019):
// the batch is taken as pairs, image i with image i+h for h = ⌊n/2⌋, drawn
// from different latents (and, in a conditional GAN, the same class), and
// the term is weight / (r + ε) for the ratio
//
//	r = mean |x̄_i − x̄_{i+h}| / mean |z_i − z_{i+h}|,
//
// where x̄ is the image averaged over blocks of block × block pixels. The
// last image of an odd batch has no pair.
//
// It grows as the images of a pair draw together while their latents stay
// apart, so minimising it keeps the generator from ignoring its latent.
// Comparing block averages rather than pixels asks for pairs that differ
// in colour and layout: pixel by pixel, speckle is the cheapest difference
// a generator can make, and it grows one that the discriminator is slow to
// punish.
type modeSeeking struct {
	weight float32
	pairs  int // h, the number of pairs
	block  int
	stats  *ModeSeekingStats

	x, z     []float32
	imgShape tensor.Shape
	diff     []float32 // x̄_i − x̄_{i+h} of the latest forward pass, per block and channel
	ratio    float32   // r of the latest forward pass
	zGap     float32   // mean |z_i − z_{i+h}| of the latest forward pass
	last     G.F32
	grads    []*tensor.Dense
}

// ModeSeekingStats receives what the term saw in its latest forward pass.
type ModeSeekingStats struct {
	// Ratio is r: how far the pairs' images lie apart per unit of latent
	// distance.
	Ratio float64
	// Value is the term added to the cost, weight / (r + ε).
	Value float64
}

func (m *modeSeeking) name() string {
	return fmt.Sprintf("modeseek/%g/%d", m.weight, m.block)
}
func (m *modeSeeking) output() G.Value { return &m.last }

// meanPairGap returns the mean absolute difference between the first
// pairs items of x and the next pairs items, for x of n items.
func meanPairGap(x []float32, pairs, n int) float32 {
	half := len(x) / n * pairs
	a, b := x[:half], x[half:2*half]
	var sum float64
	for i, v := range a {
		sum += math.Abs(float64(v - b[i]))
	}
	return float32(sum / float64(half))
}

// imageGap fills m.diff with the differences of the pairs' block averages
// and returns their mean absolute value.
func (m *modeSeeking) imageGap() float32 {
	h, w, c := m.imgShape[1], m.imgShape[2], m.imgShape[3]
	bh, bw := h/m.block, w/m.block
	m.diff = slices.Grow(m.diff[:0], m.pairs*bh*bw*c)[:m.pairs*bh*bw*c]
	clear(m.diff)
	image := h * w * c
	for p := range m.pairs {
		a, b := m.x[p*image:], m.x[(p+m.pairs)*image:]
		d := m.diff[p*bh*bw*c:]
		for y := range h {
			row := d[y/m.block*bw*c:]
			for x := range w {
				cell := row[x/m.block*c : x/m.block*c+c]
				at := (y*w + x) * c
				for ch := range cell {
					cell[ch] += a[at+ch] - b[at+ch]
				}
			}
		}
	}
	area := float32(m.block * m.block)
	var sum float64
	for i, v := range m.diff {
		m.diff[i] = v / area
		sum += math.Abs(float64(m.diff[i]))
	}
	return float32(sum / float64(len(m.diff)))
}

func (m *modeSeeking) forward(in []*tensor.Dense) (G.Value, error) {
	cost := data(in[0])
	m.x, m.z, m.imgShape = data(in[1]), data(in[2]), in[1].Shape()
	m.zGap = meanPairGap(m.z, m.pairs, m.imgShape[0])
	if m.zGap == 0 {
		return nil, fmt.Errorf("nn: mode seeking: the two halves of the latent batch are equal")
	}
	m.ratio = m.imageGap() / m.zGap
	term := m.weight / (m.ratio + modeSeekingEpsilon)
	m.stats.Ratio, m.stats.Value = float64(m.ratio), float64(term)
	m.last = G.F32(cost[0] + term)
	return &m.last, nil
}

func (m *modeSeeking) backward(dy []float32, need []bool) ([]*tensor.Dense, error) {
	if len(m.grads) != 3 {
		m.grads = make([]*tensor.Dense, 3)
	}
	if need[0] {
		if m.grads[0] == nil {
			m.grads[0] = tensor.New(tensor.FromScalar(float32(0)))
		}
		data(m.grads[0])[0] = dy[0]
	}
	if !need[1] {
		return m.grads, nil
	}
	m.grads[1] = dense(m.grads[1], m.imgShape...)
	g := data(m.grads[1])
	h, w, c := m.imgShape[1], m.imgShape[2], m.imgShape[3]
	bw := w / m.block
	image := h * w * c
	// d term / d r = −weight / (r + ε)², and r moves by
	// sign(d) / (len(diff) · block² · zGap) with each pixel of a block
	// whose average difference is d, against it in the pair's other image.
	rr := m.ratio + modeSeekingEpsilon
	scale := -dy[0] * m.weight / (rr * rr) /
		(float32(len(m.diff)*m.block*m.block) * m.zGap)
	for p := range m.pairs {
		a, b := g[p*image:(p+1)*image], g[(p+m.pairs)*image:(p+m.pairs+1)*image]
		d := m.diff[p*len(m.diff)/m.pairs:]
		for y := range h {
			row := d[y/m.block*bw*c:]
			for x := range w {
				cell := row[x/m.block*c : x/m.block*c+c]
				at := (y*w + x) * c
				for ch, v := range cell {
					var s float32
					switch {
					case v > 0:
						s = scale
					case v < 0:
						s = -scale
					}
					a[at+ch], b[at+ch] = s, -s
				}
			}
		}
	}
	clear(g[2*m.pairs*image:])
	return m.grads, nil
}

// ModeSeeking returns cost plus the mode-seeking term of images, a batch
// generated from the latents z whose first and second halves are paired
// (see modeSeeking), at the given weight, comparing the images' averages
// over blocks of block × block pixels (1 compares pixels). The batch needs
// two images or more, and block must divide their height and width. It
// reports the ratio it saw into stats after every forward pass. Gradients
// flow into cost and images; z is only read.
func ModeSeeking(cost, images, z *G.Node, weight float64, block int,
	stats *ModeSeekingStats) (*G.Node, error) {
	if !cost.IsScalar() {
		return nil, fmt.Errorf("nn: mode seeking: cost has shape %v, want a scalar", cost.Shape())
	}
	n := images.Shape()[0]
	if n < 2 || z.Shape()[0] != n {
		return nil, fmt.Errorf("nn: mode seeking: %d images and %d latents, "+
			"want one count of two or more", n, z.Shape()[0])
	}
	if !(weight > 0) {
		return nil, fmt.Errorf("nn: mode seeking: weight %g must be positive", weight)
	}
	if shape := images.Shape(); len(shape) != 4 || block < 1 ||
		shape[1]%block != 0 || shape[2]%block != 0 {
		return nil, fmt.Errorf("nn: mode seeking: blocks of %d pixels do not tile images of shape %v",
			block, images.Shape())
	}
	k := &modeSeeking{weight: float32(weight), pairs: n / 2, block: block, stats: stats}
	return apply(k, tensor.ScalarShape(), []bool{true, true, false}, cost, images, z)
}
