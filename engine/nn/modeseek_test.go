package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// scalarCost returns a scalar node made from x, standing for a loss.
func scalarCost(x *G.Node, rng *rand.Rand) (*G.Node, error) {
	w := &weighted{}
	for range x.Shape().TotalSize() {
		w.r = append(w.r, float32(rng.NormFloat64()))
	}
	return apply(w, tensor.ScalarShape(), []bool{true}, x)
}

func TestModeSeekingGradients(t *testing.T) {
	for _, shape := range [][]int{{4, 2, 2, 3}, {2, 3, 3, 1}, {5, 1, 1, 5}} {
		rng := rand.New(rand.NewPCG(21, uint64(shape[0])))
		var stats ModeSeekingStats
		checkGradients(t, gradCase{
			name:   "mode seeking",
			shapes: [][]int{{3}, shape},
			build: func(in []*G.Node) (*G.Node, error) {
				cost, err := scalarCost(in[0], rng)
				if err != nil {
					return nil, err
				}
				z := node(in[0].Graph(), randomTensor(rng, 1, shape[0], 1, 1, 7))
				return ModeSeeking(cost, in[1], z, 0.7, &stats)
			},
		})
	}
}

// modeSeekingValue is the definition: weight / (r + ε), with r the mean
// absolute difference of the paired images over that of their latents, for
// a batch of n.
func modeSeekingValue(x, z []float32, n int, weight float64) float64 {
	gap := func(v []float32) float64 {
		half := len(v) / n * (n / 2)
		var sum float64
		for i := range half {
			sum += math.Abs(float64(v[i] - v[half+i]))
		}
		return sum / float64(half)
	}
	return weight / (gap(x)/gap(z) + modeSeekingEpsilon)
}

// TestModeSeekingPunishesIgnoredLatents checks what the term is for: pairs
// of images that stay alike while their latents differ cost far more than
// pairs that differ, and the value is the definition's.
func TestModeSeekingPunishesIgnoredLatents(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 23))
	z := randomTensor(rng, 1, 8, 1, 1, 16)
	varied := randomTensor(rng, 1, 8, 4, 4, 3)
	alike := randomTensor(rng, 1, 8, 4, 4, 3)
	for i := range 4 * 4 * 3 * 4 { // the second half nearly repeats the first
		data(alike)[4*4*3*4+i] = data(alike)[i] + float32(0.01*rng.NormFloat64())
	}
	term := func(x *tensor.Dense) float64 {
		var stats ModeSeekingStats
		got := runScalar(t, func(g *G.ExprGraph) (*G.Node, error) {
			cost := node(g, tensor.New(tensor.FromScalar(float32(2))))
			return ModeSeeking(cost, node(g, x), node(g, z), 0.5, &stats)
		})
		want := modeSeekingValue(data(x), data(z), 8, 0.5)
		if math.Abs(got-2-want) > 1e-4*math.Max(1, want) {
			t.Errorf("cost 2 plus the term is %.6f, want 2 + %.6f", got, want)
		}
		if math.Abs(stats.Value-want) > 1e-4*math.Max(1, want) {
			t.Errorf("stats report the term as %.6f, want %.6f", stats.Value, want)
		}
		return want
	}
	if a, v := term(alike), term(varied); a < 20*v {
		t.Errorf("images that ignore their latents cost %.4f, varied ones %.4f: want far more",
			a, v)
	}
}

func runScalar(t *testing.T, build func(g *G.ExprGraph) (*G.Node, error)) float64 {
	t.Helper()
	g := G.NewGraph()
	out, err := build(g)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	switch v := out.Value().(type) {
	case *G.F32:
		return float64(*v)
	case *tensor.Dense:
		return float64(data(v)[0])
	}
	t.Fatalf("output is %T", out.Value())
	return 0
}

func TestModeSeekingErrors(t *testing.T) {
	g := G.NewGraph()
	rng := rand.New(rand.NewPCG(24, 25))
	batch := func(shape ...int) *G.Node { return node(g, randomTensor(rng, 1, shape...)) }
	cost := node(g, tensor.New(tensor.FromScalar(float32(0))))
	var stats ModeSeekingStats
	for _, tc := range []struct {
		name       string
		cost, x, z *G.Node
		weight     float64
	}{
		{"one image", cost, batch(1, 2, 2, 3), batch(1, 1, 1, 4), 1},
		{"latents of another batch", cost, batch(4, 2, 2, 3), batch(2, 1, 1, 4), 1},
		{"cost not a scalar", batch(2), batch(4, 2, 2, 3), batch(4, 1, 1, 4), 1},
		{"zero weight", cost, batch(4, 2, 2, 3), batch(4, 1, 1, 4), 0},
	} {
		if _, err := ModeSeeking(tc.cost, tc.x, tc.z, tc.weight, &stats); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}
