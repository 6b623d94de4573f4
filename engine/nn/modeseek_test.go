package nn

import (
	"fmt"
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
	for _, tc := range []struct {
		shape []int
		block int
	}{
		{[]int{4, 2, 2, 3}, 1}, {[]int{4, 2, 2, 3}, 2}, {[]int{2, 3, 3, 1}, 3},
		{[]int{5, 1, 1, 5}, 1}, {[]int{5, 4, 6, 2}, 2},
	} {
		rng := rand.New(rand.NewPCG(21, uint64(tc.shape[0])))
		var stats ModeSeekingStats
		checkGradients(t, gradCase{
			name:   fmt.Sprintf("mode seeking %v in blocks of %d", tc.shape, tc.block),
			shapes: [][]int{{3}, tc.shape},
			build: func(in []*G.Node) (*G.Node, error) {
				cost, err := scalarCost(in[0], rng)
				if err != nil {
					return nil, err
				}
				z := node(in[0].Graph(), randomTensor(rng, 1, tc.shape[0], 1, 1, 7))
				return ModeSeeking(cost, in[1], z, 0.7, tc.block, &stats)
			},
		})
	}
}

// modeSeekingValue is the definition: weight / (r + ε), with r the mean
// absolute difference of the paired images' block averages over that of
// their latents, for a batch x of shape (n, h, w, c).
func modeSeekingValue(x, z []float32, n, h, w, c, block int, weight float64) float64 {
	pairs := n / 2
	avg := func(img, by, bx, ch int) float64 { // the average of block (by, bx)
		var sum float64
		for dy := range block {
			for dx := range block {
				sum += float64(x[((img*h+by*block+dy)*w+bx*block+dx)*c+ch])
			}
		}
		return sum / float64(block*block)
	}
	var xGap float64
	for p := range pairs {
		for y := range h / block {
			for bx := range w / block {
				for ch := range c {
					xGap += math.Abs(avg(p, y, bx, ch) - avg(p+pairs, y, bx, ch))
				}
			}
		}
	}
	xGap /= float64(pairs * h / block * w / block * c)
	zHalf := len(z) / n * pairs
	var zGap float64
	for i := range zHalf {
		zGap += math.Abs(float64(z[i] - z[zHalf+i]))
	}
	zGap /= float64(zHalf)
	return weight / (xGap/zGap + modeSeekingEpsilon)
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
			return ModeSeeking(cost, node(g, x), node(g, z), 0.5, 2, &stats)
		})
		want := modeSeekingValue(data(x), data(z), 8, 4, 4, 3, 2, 0.5)
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

// TestModeSeekingIgnoresSpeckle checks why the term compares block
// averages: a pair apart only by speckle that averages out within each
// block counts as alike, and a pair apart in colour by the same amount
// per pixel counts as apart. Compared pixel by pixel, both are equally far
// apart.
func TestModeSeekingIgnoresSpeckle(t *testing.T) {
	rng := rand.New(rand.NewPCG(26, 27))
	z := randomTensor(rng, 1, 2, 1, 1, 8)
	pair := func(second func(y, x int) float32) *tensor.Dense {
		x := tensor.New(tensor.WithShape(2, 4, 4, 1), tensor.Of(tensor.Float32))
		v := data(x)
		for y := range 4 {
			for i := range 4 {
				v[y*4+i] = 0.2
				v[16+y*4+i] = 0.2 + second(y, i)
			}
		}
		return x
	}
	speckled := pair(func(y, x int) float32 { return 0.5 * float32(1-2*((x+y)%2)) })
	recoloured := pair(func(int, int) float32 { return 0.5 })
	term := func(x *tensor.Dense, block int) float64 {
		var stats ModeSeekingStats
		runScalar(t, func(g *G.ExprGraph) (*G.Node, error) {
			cost := node(g, tensor.New(tensor.FromScalar(float32(0))))
			return ModeSeeking(cost, node(g, x), node(g, z), 1, block, &stats)
		})
		return stats.Value
	}
	if s, r := term(speckled, 1), term(recoloured, 1); math.Abs(s-r) > 1e-4*r {
		t.Errorf("pixel by pixel, speckle costs %.4f and a colour shift %.4f: want equal", s, r)
	}
	if s, r := term(speckled, 2), term(recoloured, 2); s < 1000*r {
		t.Errorf("in blocks of 2, speckle costs %.4f and a colour shift %.4f: "+
			"want speckle to count as no difference", s, r)
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
		block      int
	}{
		{"one image", cost, batch(1, 2, 2, 3), batch(1, 1, 1, 4), 1, 1},
		{"latents of another batch", cost, batch(4, 2, 2, 3), batch(2, 1, 1, 4), 1, 1},
		{"cost not a scalar", batch(2), batch(4, 2, 2, 3), batch(4, 1, 1, 4), 1, 1},
		{"zero weight", cost, batch(4, 2, 2, 3), batch(4, 1, 1, 4), 0, 1},
		{"blocks that do not tile", cost, batch(4, 4, 6, 3), batch(4, 1, 1, 4), 1, 4},
		{"no block", cost, batch(4, 2, 2, 3), batch(4, 1, 1, 4), 1, 0},
	} {
		if _, err := ModeSeeking(tc.cost, tc.x, tc.z, tc.weight, tc.block, &stats); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}
