package nn

import (
	"fmt"

	"github.com/chewxy/math32"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// stddevEpsilon keeps the standard deviation differentiable where a
// feature does not vary across a group.
const stddevEpsilon = 1e-8

// minibatchStdDev appends to every image one channel that says how much the
// images of its group differ.
type minibatchStdDev struct {
	n, group  int
	pixels, c int // per image: h·w pixels of c channels
	in, shape tensor.Shape

	x      []float32 // the latest input
	mean   []float32 // per group and feature, from the latest input
	invStd []float32 // per group and feature: 1 / standard deviation
	stat   []float32 // per group: the mean over features of std
	y, dx  *tensor.Dense
	grad   [1]*tensor.Dense
}

func (m *minibatchStdDev) name() string    { return fmt.Sprintf("mbstddev/%d", m.group) }
func (m *minibatchStdDev) output() G.Value { return m.y }

func (m *minibatchStdDev) forward(in []*tensor.Dense) (G.Value, error) {
	m.x = data(in[0])
	x, features, c := m.x, m.pixels*m.c, m.c
	groups := m.n / m.group

	// The spread of every feature across each group.
	parallel(groups, func(lo, hi int) {
		for g := lo; g < hi; g++ {
			// sq holds the sum of squared deviations, then its inverse root.
			mean, sq := m.mean[g*features:(g+1)*features], m.invStd[g*features:(g+1)*features]
			members := x[g*m.group*features : (g+1)*m.group*features]
			clear(mean)
			clear(sq)
			for i := 0; i < m.group; i++ {
				for j, v := range members[i*features : (i+1)*features] {
					mean[j] += v
				}
			}
			inv := 1 / float32(m.group)
			for j := range mean {
				mean[j] *= inv
			}
			for i := 0; i < m.group; i++ {
				for j, v := range members[i*features : (i+1)*features] {
					d := v - mean[j]
					sq[j] += d * d
				}
			}
			var sum float64
			for j, v := range sq {
				sd := math32.Sqrt(v*inv + stddevEpsilon)
				sum += float64(sd)
				sq[j] = 1 / sd
			}
			m.stat[g] = float32(sum / float64(features))
		}
	})

	// Every pixel keeps its channels and gains its group's statistic.
	y := data(m.y)
	for p := 0; p < m.n*m.pixels; p++ {
		copy(y[p*(c+1):p*(c+1)+c], x[p*c:(p+1)*c])
		y[p*(c+1)+c] = m.stat[p/m.pixels/m.group]
	}
	return m.y, nil
}

func (m *minibatchStdDev) backward(dy []float32, _ []bool) ([]*tensor.Dense, error) {
	m.dx = dense(m.dx, m.in...)
	dx, x, features, c := data(m.dx), m.x, m.pixels*m.c, m.c
	parallel(m.n/m.group, func(lo, hi int) {
		for g := lo; g < hi; g++ {
			// The statistic's gradient, summed over the group's pixels.
			first, last := g*m.group*m.pixels, (g+1)*m.group*m.pixels
			var sum float32
			for p := first; p < last; p++ {
				sum += dy[p*(c+1)+c]
			}
			scale := sum / float32(features*m.group)

			mean := m.mean[g*features : (g+1)*features]
			invStd := m.invStd[g*features : (g+1)*features]
			for p := first; p < last; p++ {
				j0 := (p % m.pixels) * c
				for ch := 0; ch < c; ch++ {
					i, j := p*c+ch, j0+ch
					dx[i] = dy[p*(c+1)+ch] + scale*(x[i]-mean[j])*invStd[j]
				}
			}
		}
	})
	m.grad[0] = m.dx
	return m.grad[:], nil
}

// MinibatchStdDev adds the minibatch standard deviation layer of Karras et
// al. (2018) to the NHWC batch x: it splits the batch into groups of
// groupSize consecutive images, takes the standard deviation of every
// feature (pixel and channel) across each group, averages it over the
// features, and appends that one number to every pixel of the group's
// images as an extra channel, so the output has c+1 channels. Placed before
// the discriminator's last layers, it lets the discriminator see a batch
// whose images are too alike: identical images give about 0. The batch size
// must be a multiple of groupSize, which must be at least 2.
func MinibatchStdDev(x *G.Node, groupSize int) (*G.Node, error) {
	s := x.Shape()
	if s.Dims() != 4 {
		return nil, fmt.Errorf("nn: minibatch stddev input has shape %v, want NHWC", s)
	}
	if groupSize < 2 || s[0]%groupSize != 0 {
		return nil, fmt.Errorf("nn: minibatch stddev: a batch of %d does not split into groups of %d "+
			"(want at least 2 images a group)", s[0], groupSize)
	}
	features := s[1] * s[2] * s[3]
	groups := s[0] / groupSize
	m := &minibatchStdDev{n: s[0], group: groupSize, pixels: s[1] * s[2], c: s[3],
		in: s.Clone(), shape: tensor.Shape{s[0], s[1], s[2], s[3] + 1},
		mean: make([]float32, groups*features), invStd: make([]float32, groups*features),
		stat: make([]float32, groups)}
	m.y = dense(nil, m.shape...)
	return apply(m, m.shape.Clone(), []bool{true}, x)
}
