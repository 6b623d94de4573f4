package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// weighted is a test kernel: the scalar Σ r·x for fixed random r, so that
// every output element of the layer under test reaches the cost.
type weighted struct {
	r  []float32
	dx *tensor.Dense
}

func (w *weighted) name() string    { return "weighted" }
func (w *weighted) output() G.Value { return nil }

func (w *weighted) forward(in []*tensor.Dense) (G.Value, error) {
	var s float32
	for i, v := range data(in[0]) {
		s += w.r[i] * v
	}
	w.dx = dense(w.dx, in[0].Shape()...)
	return G.NewF32(s), nil
}

func (w *weighted) backward(dy []float32, _ []bool) ([]*tensor.Dense, error) {
	for i, r := range w.r {
		data(w.dx)[i] = r * dy[0]
	}
	return []*tensor.Dense{w.dx}, nil
}

func randomTensor(rng *rand.Rand, scale float64, shape ...int) *tensor.Dense {
	t := tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32))
	for i := range data(t) {
		data(t)[i] = float32(rng.NormFloat64() * scale)
	}
	return t
}

// gradCase builds a layer over inputs; checkGradients compares the
// gradients Gorgonia computes through the layer's kernels with central
// differences of the cost.
type gradCase struct {
	name   string
	shapes [][]int
	build  func(in []*G.Node) (*G.Node, error)
}

func checkGradients(t *testing.T, c gradCase) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	g := G.NewGraph()
	var nodes []*G.Node
	var values []*tensor.Dense
	for i, s := range c.shapes {
		v := randomTensor(rng, 1, s...)
		values = append(values, v)
		nodes = append(nodes, G.NewTensor(g, tensor.Float32, len(s), G.WithShape(s...),
			G.WithValue(v), G.WithName(string(rune('a'+i)))))
	}
	out, err := c.build(nodes)
	if err != nil {
		t.Fatal(err)
	}
	cost := out
	if !out.Shape().IsScalar() {
		w := &weighted{}
		for range out.Shape().TotalSize() {
			w.r = append(w.r, float32(rng.NormFloat64()))
		}
		if cost, err = apply(w, tensor.ScalarShape(), []bool{true}, out); err != nil {
			t.Fatal(err)
		}
	}
	grads, err := G.Grad(cost, nodes...)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	run := func() float64 {
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		defer vm.Reset()
		return float64(cost.Value().Data().(float32))
	}
	run()
	analytic := make([][]float32, len(grads))
	for i, gr := range grads {
		analytic[i] = append([]float32(nil), data(gr.Value().(*tensor.Dense))...)
	}
	const eps = 1e-2
	for i, v := range values {
		x := data(v)
		// Probe a spread of coordinates rather than all of them.
		for _, j := range probes(len(x), 12, rng) {
			orig := x[j]
			x[j] = orig + eps
			up := run()
			x[j] = orig - eps
			down := run()
			x[j] = orig
			numeric := (up - down) / (2 * eps)
			got := float64(analytic[i][j])
			if math.Abs(got-numeric) > 2e-2*math.Max(1, math.Abs(numeric)) {
				t.Errorf("input %d[%d]: gradient %.5f, central difference %.5f", i, j, got, numeric)
			}
		}
	}
}

func probes(n, k int, rng *rand.Rand) []int {
	if n <= k {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	return rng.Perm(n)[:k]
}

func TestGradients(t *testing.T) {
	cases := []gradCase{
		{"conv k4 s2 p1 leaky", [][]int{{2, 8, 8, 3}, {48, 5}}, func(in []*G.Node) (*G.Node, error) {
			return Conv(in[0], in[1], 4, 2, 1, LeakyReLU, true, true)
		}},
		{"conv k4 s1 p0 to one logit", [][]int{{3, 4, 4, 6}, {96, 1}}, func(in []*G.Node) (*G.Node, error) {
			return Conv(in[0], in[1], 4, 1, 0, Linear, true, true)
		}},
		{"deconv from latent", [][]int{{2, 1, 1, 7}, {7, 16 * 5}}, func(in []*G.Node) (*G.Node, error) {
			return Deconv(in[0], in[1], 4, 1, 0, ReLU, true, true)
		}},
		{"deconv k4 s2 p1 tanh", [][]int{{2, 4, 4, 5}, {5, 16 * 3}}, func(in []*G.Node) (*G.Node, error) {
			return Deconv(in[0], in[1], 4, 2, 1, Tanh, true, true)
		}},
		{"batchnorm relu", [][]int{{4, 3, 3, 5}, {5}, {5}}, func(in []*G.Node) (*G.Node, error) {
			return BatchNorm(in[0], in[1], in[2], NewBatchStats(5), ReLU, true, true)
		}},
		{"batchnorm linear", [][]int{{6, 2, 2, 3}, {3}, {3}}, func(in []*G.Node) (*G.Node, error) {
			return BatchNorm(in[0], in[1], in[2], NewBatchStats(3), Linear, true, true)
		}},
		{"bce real and fake", [][]int{{5, 1, 1, 1}, {5, 1, 1, 1}}, func(in []*G.Node) (*G.Node, error) {
			return Loss(in, []Objective{RealBCE, FakeBCE}, &LossStats{})
		}},
		{"hinge", [][]int{{6}, {6}}, func(in []*G.Node) (*G.Node, error) {
			return Loss(in, []Objective{RealHinge, FakeHinge}, &LossStats{})
		}},
		{"squared gap", [][]int{{4, 1, 1, 1}, {4, 1, 1, 1}}, func(in []*G.Node) (*G.Node, error) {
			return SquaredGap(in[0], in[1], 0.3, nil)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkGradients(t, c) })
	}
}
