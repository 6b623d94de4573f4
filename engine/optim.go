package engine

import (
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"ganvas/engine/nn"
)

// adamConfig holds Adam's hyperparameters.
type adamConfig struct {
	LearningRate, Beta1, Beta2 float64
}

// adam is the Adam optimiser (Kingma and Ba, 2015) over a network's
// parameters, with PyTorch's bias correction and epsilon.
type adam struct {
	adamConfig
	t    int
	m, v [][]float32

	// The update in progress, for the workers: each parameter's values and
	// its distinct gradients.
	w     [][]float32
	g     [][][]float32
	total int
	step  float32
	root  float32
	share func(w int) // updatePart, made once so that nn.Each does not allocate
}

func newAdam(c adamConfig, params []Param) *adam {
	a := &adam{adamConfig: c}
	for _, p := range params {
		n := p.Value.Shape().TotalSize()
		a.m = append(a.m, make([]float32, n))
		a.v = append(a.v, make([]float32, n))
		a.total += n
	}
	a.w = make([][]float32, len(params))
	a.g = make([][][]float32, len(params))
	a.share = a.updatePart
	return a
}

// update takes one step on params; the gradient of parameter i is the sum
// over the sets of grads[k][i]. A node that appears in several sets counts
// once: Gorgonia merges the parameter nodes of the discriminator's two
// passes, and the gradient node it returns for both already sums them.
// The work is split over the cores; it allocates nothing.
func (a *adam) update(params []Param, grads ...[]*G.Node) {
	a.t++
	c1 := 1 - math.Pow(a.Beta1, float64(a.t))
	c2 := 1 - math.Pow(a.Beta2, float64(a.t))
	a.step = float32(a.LearningRate / c1)
	a.root = float32(math.Sqrt(c2))
	for i, p := range params {
		a.w[i] = p.Value.Float32s()
		a.g[i] = a.g[i][:0]
	sets:
		for k := range grads {
			for _, earlier := range grads[:k] {
				if earlier[i] == grads[k][i] {
					continue sets
				}
			}
			a.g[i] = append(a.g[i], gradient(grads[k][i]))
		}
	}
	nn.Each(a.share)
}

// gradient returns the values of a gradient node after a run.
func gradient(n *G.Node) []float32 {
	if d, ok := n.Value().(*tensor.Dense); ok {
		return d.Float32s()
	}
	return n.Value().Data().([]float32)
}

// updatePart updates worker w's share of all the parameters' values, taken
// as one list.
func (a *adam) updatePart(worker int) {
	const eps = 1e-8
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	lo, hi := nn.Span(a.total, worker)
	offset := 0
	for i, w := range a.w {
		first, last := max(lo-offset, 0), min(hi-offset, len(w))
		offset += len(w)
		if first >= last {
			continue
		}
		w, m, v := w[first:last], a.m[i][first:last], a.v[i][first:last]
		m, v = m[:len(w)], v[:len(w)]
		gs, g := a.g[i], a.g[i][0][first:last]
		g = g[:len(w)]
		invRoot := 1 / a.root
		for j := range w {
			gj := g[j]
			if len(gs) > 1 {
				for _, more := range gs[1:] {
					gj += more[first+j]
				}
			}
			mj := b1*m[j] + (1-b1)*gj
			vj := b2*v[j] + (1-b2)*gj*gj
			m[j], v[j] = mj, vj
			w[j] -= a.step * mj / (sqrt32(vj)*invRoot + eps)
		}
	}
}
