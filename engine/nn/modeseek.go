package nn

import (
	"fmt"

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
//	r = mean |x_i − x_{i+h}| / mean |z_i − z_{i+h}|.
//
// The last image of an odd batch has no pair.
//
// It grows as the images of a pair draw together while their latents stay
// apart, so minimising it keeps the generator from ignoring its latent.
type modeSeeking struct {
	weight float32
	pairs  int // h, the number of pairs
	stats  *ModeSeekingStats

	x, z     []float32
	imgShape tensor.Shape
	ratio    float32 // r of the latest forward pass
	zGap     float32 // mean |z_i − z_{i+h}| of the latest forward pass
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

func (m *modeSeeking) name() string    { return fmt.Sprintf("modeseek/%g", m.weight) }
func (m *modeSeeking) output() G.Value { return &m.last }

// meanPairGap returns the mean absolute difference between the first
// pairs items of x and the next pairs items, for x of n items.
func meanPairGap(x []float32, pairs, n int) float32 {
	half := len(x) / n * pairs
	a, b := x[:half], x[half:2*half]
	var sum float64
	for i, v := range a {
		d := v - b[i]
		if d < 0 {
			d = -d
		}
		sum += float64(d)
	}
	return float32(sum / float64(half))
}

func (m *modeSeeking) forward(in []*tensor.Dense) (G.Value, error) {
	cost := data(in[0])
	m.x, m.z, m.imgShape = data(in[1]), data(in[2]), in[1].Shape()
	n := m.imgShape[0]
	m.zGap = meanPairGap(m.z, m.pairs, n)
	if m.zGap == 0 {
		return nil, fmt.Errorf("nn: mode seeking: the two halves of the latent batch are equal")
	}
	m.ratio = meanPairGap(m.x, m.pairs, n) / m.zGap
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
	if need[1] {
		m.grads[1] = dense(m.grads[1], m.imgShape...)
		g := data(m.grads[1])
		half := len(m.x) / m.imgShape[0] * m.pairs
		// d term / d r = −weight / (r + ε)², and r moves by
		// sign(a − b) / (half · zGap) with each element a of a pair.
		rr := m.ratio + modeSeekingEpsilon
		scale := -dy[0] * m.weight / (rr * rr) / (float32(half) * m.zGap)
		a, b := m.x[:half], m.x[half:2*half]
		for i, v := range a {
			var s float32
			switch d := v - b[i]; {
			case d > 0:
				s = scale
			case d < 0:
				s = -scale
			}
			g[i], g[half+i] = s, -s
		}
		clear(g[2*half:])
	}
	return m.grads, nil
}

// ModeSeeking returns cost plus the mode-seeking term of images, a batch
// generated from the latents z whose first and second halves are paired
// (see modeSeeking), at the given weight. The batch needs two images or
// more. It reports the ratio it saw into
// stats after every forward pass. Gradients flow into cost and images; z
// is only read.
func ModeSeeking(cost, images, z *G.Node, weight float64,
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
	k := &modeSeeking{weight: float32(weight), pairs: n / 2, stats: stats}
	return apply(k, tensor.ScalarShape(), []bool{true, true, false}, cost, images, z)
}
