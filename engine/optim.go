package engine

import (
	"math"

	G "gorgonia.org/gorgonia"
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
}

func newAdam(c adamConfig, params []Param) *adam {
	a := &adam{adamConfig: c}
	for _, p := range params {
		n := p.Value.Shape().TotalSize()
		a.m = append(a.m, make([]float32, n))
		a.v = append(a.v, make([]float32, n))
	}
	return a
}

// update applies one step to params; the gradient of parameter i is the
// sum over the sets of grads[k][i].
func (a *adam) update(params []Param, grads ...[]*G.Node) {
	a.t++
	const eps = 1e-8
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	c1 := 1 - math.Pow(a.Beta1, float64(a.t))
	c2 := 1 - math.Pow(a.Beta2, float64(a.t))
	step := float32(a.LearningRate / c1)
	root := float32(math.Sqrt(c2))
	for i, p := range params {
		w, m, v := p.Value.Data().([]float32), a.m[i], a.v[i]
		gs := make([][]float32, len(grads))
		for k := range grads {
			gs[k] = grads[k][i].Value().Data().([]float32)
		}
		for j := range w {
			g := gs[0][j]
			for _, more := range gs[1:] {
				g += more[j]
			}
			m[j] = b1*m[j] + (1-b1)*g
			v[j] = b2*v[j] + (1-b2)*g*g
			w[j] -= step * m[j] / (sqrt32(v[j])/root + eps)
		}
	}
}
