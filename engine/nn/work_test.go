package nn

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
)

// TestMultiplyAddsCountsPasses checks the count against the layer shapes:
// a forward pass, then one more pass per gradient asked for, and a replay
// that adds its gradients but not its forward pass.
func TestMultiplyAddsCountsPasses(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	x, w := randomTensor(rng, 1, 2, 8, 8, 3), randomTensor(rng, 1, 48, 5)
	// 2 images × 4×4 positions, each a 4·4·3 window times 5 outputs.
	const pass = 2 * 16 * 48 * 5

	build := func(needX, needW bool) (*G.ExprGraph, *G.Node) {
		g := G.NewGraph()
		xn, wn := node(g, x), node(g, w)
		y, err := Conv(xn, wn, 4, 2, 1, LeakyReLU, needX, needW)
		if err != nil {
			t.Fatal(err)
		}
		cost, err := Loss([]*G.Node{y}, []Objective{Negative}, &LossStats{})
		if err != nil {
			t.Fatal(err)
		}
		var wrt []*G.Node
		if needX {
			wrt = append(wrt, xn)
		}
		if needW {
			wrt = append(wrt, wn)
		}
		if _, err := G.Grad(cost, wrt...); err != nil {
			t.Fatal(err)
		}
		return g, y
	}
	for _, tc := range []struct {
		needX, needW bool
		want         float64
	}{{false, true, 2 * pass}, {true, false, 2 * pass}, {true, true, 3 * pass}} {
		g, _ := build(tc.needX, tc.needW)
		if got := MultiplyAdds(g); got != tc.want {
			t.Errorf("need x %v, w %v: %v multiply-adds, want %v", tc.needX, tc.needW, got, tc.want)
		}
	}

	_, layer := build(false, true)
	g := G.NewGraph()
	wn := node(g, w)
	y, err := Replay(layer, []bool{false, true}, node(g, x), wn)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := Loss([]*G.Node{y}, []Objective{Negative}, &LossStats{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := G.Grad(cost, wn); err != nil {
		t.Fatal(err)
	}
	if got := MultiplyAdds(g); got != pass {
		t.Errorf("replay with the weight gradient: %v multiply-adds, want %v", got, float64(pass))
	}
}
