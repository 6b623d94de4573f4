package nn

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestSpectralNormGradients checks the gradient with u held fixed, which
// is what a layer built without training does.
func TestSpectralNormGradients(t *testing.T) {
	state := func(cols int) *SpectralState {
		return NewSpectralState(cols, rand.New(rand.NewPCG(uint64(cols), 1)))
	}
	cases := []gradCase{
		{"conv weight", [][]int{{48, 5}}, func(in []*G.Node) (*G.Node, error) {
			return SpectralNorm(in[0], state(5), false)
		}},
		{"wide matrix", [][]int{{3, 20}}, func(in []*G.Node) (*G.Node, error) {
			return SpectralNorm(in[0], state(20), false)
		}},
		{"one output channel", [][]int{{16, 1}}, func(in []*G.Node) (*G.Node, error) {
			return SpectralNorm(in[0], state(1), false)
		}},
		{"normalised convolution", [][]int{{2, 4, 4, 3}, {48, 4}}, func(in []*G.Node) (*G.Node, error) {
			w, err := SpectralNorm(in[1], state(4), false)
			if err != nil {
				return nil, err
			}
			return Conv(in[0], w, 4, 2, 1, LeakyReLU, true, true)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkGradients(t, c) })
	}
}

// TestSpectralNormTrainingGradient checks that in training the gradient is
// that of M/(vᵀ M u) with the u and v of the forward pass held constant.
func TestSpectralNormTrainingGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const rows, cols = 12, 5
	w := randomTensor(rng, 1, rows, cols)
	k, need := layerKernel(t, func(in []*G.Node) (*G.Node, error) {
		return SpectralNorm(in[0], NewSpectralState(cols, rng), true)
	}, w)
	dy := data(randomTensor(rng, 1, rows, cols))
	passes(t, k, need, []*tensor.Dense{w}, dy)
	s := k.(*spectralNorm)
	got := data(s.dw)

	m := data(w)
	cost := func() float64 {
		var sigma float64
		for r := 0; r < rows; r++ {
			for c := 0; c < cols; c++ {
				sigma += float64(s.v[r]) * float64(m[r*cols+c]) * float64(s.u[c])
			}
		}
		var sum float64
		for i, d := range dy {
			sum += float64(d) * float64(m[i]) / sigma
		}
		return sum
	}
	const eps = 1e-3
	for i := range m {
		orig := m[i]
		m[i] = orig + eps
		up := cost()
		m[i] = orig - eps
		down := cost()
		m[i] = orig
		if want := (up - down) / (2 * eps); math.Abs(float64(got[i])-want) > 1e-3 {
			t.Errorf("weight %d: gradient %.5f, central difference %.5f", i, got[i], want)
		}
	}
}

func largestSingularValue(t *testing.T, rows, cols int, v []float32) float64 {
	t.Helper()
	a := mat.NewDense(rows, cols, nil)
	for i, x := range v {
		a.Set(i/cols, i%cols, float64(x))
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDNone) {
		t.Fatal("SVD did not converge")
	}
	return svd.Values(nil)[0]
}

// TestSpectralNormConverges checks that repeated training passes estimate
// the largest singular value, so the normalised weight's is 1.
func TestSpectralNormConverges(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, tc := range []struct {
		name       string
		rows, cols int
		steps      int
	}{
		{"first layer 4·4·3×32", 48, 32, 300},
		{"hidden layer 4·4·16×64", 256, 64, 300},
		{"wide 10×40", 10, 40, 300},
		{"logit layer 4·4·64×1", 1024, 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := randomTensor(rng, 0.02, tc.rows, tc.cols)
			state := NewSpectralState(tc.cols, rng)
			k, _ := layerKernel(t, func(in []*G.Node) (*G.Node, error) {
				return SpectralNorm(in[0], state, true)
			}, w)
			for range tc.steps {
				if _, err := k.forward([]*tensor.Dense{w}); err != nil {
					t.Fatal(err)
				}
			}
			want := largestSingularValue(t, tc.rows, tc.cols, data(w))
			got := k.(*spectralNorm).sigma
			if math.Abs(got-want) > 1e-3*want {
				t.Errorf("σ after %d steps is %.6g, largest singular value %.6g", tc.steps, got, want)
			}
			y := data(k.output().(*tensor.Dense))
			if top := largestSingularValue(t, tc.rows, tc.cols, y); math.Abs(top-1) > 1e-3 {
				t.Errorf("normalised weight has largest singular value %.6g, want 1", top)
			}
		})
	}
}

// TestSpectralStateUse checks who changes the state: training passes move
// u and inference passes leave it alone, and the same state and weight
// give bit-identical outputs, as exact resumption needs.
func TestSpectralStateUse(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	w := randomTensor(rng, 1, 64, 16)
	start := NewSpectralState(16, rng)
	run := func(state *SpectralState, training bool) []float32 {
		g := G.NewGraph()
		out, err := SpectralNorm(node(g, w), state, training)
		if err != nil {
			t.Fatal(err)
		}
		vm := G.NewTapeMachine(g)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		if got := Sigma(out); got <= 0 {
			t.Errorf("Sigma after a pass is %v", got)
		}
		return append([]float32(nil), data(out.Value().(*tensor.Dense))...)
	}
	clone := func() *SpectralState { return &SpectralState{U: append([]float32(nil), start.U...)} }

	frozen := clone()
	run(frozen, false)
	if !equalFloats(frozen.U, start.U) {
		t.Error("an inference pass changed the state")
	}
	a, b := clone(), clone()
	outA, outB := run(a, true), run(b, true)
	if equalFloats(a.U, start.U) {
		t.Error("a training pass left the state as it was")
	}
	if !equalFloats(a.U, b.U) || !equalFloats(outA, outB) {
		t.Error("two training passes from the same state differ")
	}
}

func equalFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSpectralNormErrors(t *testing.T) {
	nan := NewSpectralState(3, nil)
	nan.U[1] = float32(math.NaN())
	for _, tc := range []struct {
		name  string
		shape []int
		state *SpectralState
	}{
		{"state too short", []int{8, 3}, NewSpectralState(2, nil)},
		{"no state", []int{8, 3}, nil},
		{"state not finite", []int{8, 3}, nan},
	} {
		g := G.NewGraph()
		w := G.NewTensor(g, tensor.Float32, len(tc.shape), G.WithShape(tc.shape...))
		if _, err := SpectralNorm(w, tc.state, true); !errors.Is(err, ErrSpectralState) {
			t.Errorf("%s: got %v, want ErrSpectralState", tc.name, err)
		}
	}
	g := G.NewGraph()
	if _, err := SpectralNorm(G.NewTensor(g, tensor.Float32, 1, G.WithShape(8)),
		NewSpectralState(8, nil), true); err == nil {
		t.Error("spectral norm of a vector: no error")
	}

	// A state the weight maps to zero is caught when the graph runs.
	zero := &SpectralState{U: make([]float32, 3)}
	w := randomTensor(rand.New(rand.NewPCG(1, 1)), 1, 8, 3)
	out, err := SpectralNorm(node(G.NewGraph(), w), zero, true)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(out.Graph())
	defer vm.Close()
	if err := vmCause(vm.RunAll()); !errors.Is(err, ErrSpectralState) {
		t.Errorf("zero state: got %v, want ErrSpectralState", err)
	}
}

// The size the task set: a 16·16·128 × 256 weight.
func BenchmarkSpectralNormLarge(b *testing.B) {
	benchSpectral(b, 16*16*128, 256)
}

// The discriminator's third layer at width 64: 4·4·128 × 256.
func BenchmarkSpectralNormLayer(b *testing.B) {
	benchSpectral(b, 4*4*128, 256)
}

func benchSpectral(b *testing.B, rows, cols int) {
	rng := rand.New(rand.NewPCG(1, 2))
	state := NewSpectralState(cols, rng)
	benchLayer(b, func(in []*G.Node) (*G.Node, error) {
		return SpectralNorm(in[0], state, true)
	}, randomTensor(rng, 0.02, rows, cols))
}
