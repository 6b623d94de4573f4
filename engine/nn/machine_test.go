package nn

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// twoPassGraph builds what a discriminator step looks like: one weight
// used by two passes (so Gorgonia sums its two gradients), batch norm, and
// a loss over both. It returns the loss and the gradients of w and gamma.
func twoPassGraph(t *testing.T, x1, x2, w, gamma, beta *tensor.Dense) (*G.ExprGraph, []*G.Node) {
	t.Helper()
	g := G.NewGraph()
	wn, gn, bn := node(g, w), node(g, gamma), node(g, beta)
	stats := NewBatchStats(gamma.Shape()[0])
	var logits []*G.Node
	for _, x := range []*tensor.Dense{x1, x2} {
		h, err := Conv(node(g, x), wn, 4, 2, 1, Linear, false, true)
		if err != nil {
			t.Fatal(err)
		}
		if h, err = BatchNorm(h, gn, bn, stats, LeakyReLU, true, true); err != nil {
			t.Fatal(err)
		}
		logits = append(logits, h)
	}
	cost, err := Loss(logits, []Objective{RealBCE, FakeBCE}, &LossStats{})
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(cost, wn, gn)
	if err != nil {
		t.Fatal(err)
	}
	return g, append([]*G.Node{cost}, grads...)
}

// TestMachineMatchesTapeMachine runs the same graph on Gorgonia's tape
// machine and on Machine and wants the same loss and gradients, bit for
// bit, twice in a row.
func TestMachineMatchesTapeMachine(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	x1, x2 := randomTensor(rng, 1, 3, 8, 8, 2), randomTensor(rng, 1, 3, 8, 8, 2)
	w := randomTensor(rng, 0.3, 32, 4)
	gamma, beta := randomTensor(rng, 1, 4), randomTensor(rng, 1, 4)
	results := func(vm G.VM, out []*G.Node) [][]float32 {
		var all [][]float32
		for range 2 {
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			for _, n := range out {
				v, err := floats(n.Value())
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, append([]float32(nil), v...))
			}
			vm.Reset()
		}
		return all
	}
	g, out := twoPassGraph(t, x1, x2, w, gamma, beta)
	want := results(G.NewTapeMachine(g), out)
	g, out = twoPassGraph(t, x1, x2, w, gamma, beta)
	m, err := NewMachine(g)
	if err != nil {
		t.Fatal(err)
	}
	got := results(m, out)
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Fatalf("output %d value %d: machine %v, tape machine %v", i, j, got[i][j], want[i][j])
			}
		}
	}
}

// TestMachineAllocatesNothing checks that a run after the first allocates
// nothing, the gradient sum included.
func TestMachineAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	x1, x2 := randomTensor(rng, 1, 4, 8, 8, 2), randomTensor(rng, 1, 4, 8, 8, 2)
	g, _ := twoPassGraph(t, x1, x2, randomTensor(rng, 0.3, 32, 4),
		randomTensor(rng, 1, 4), randomTensor(rng, 1, 4))
	m, err := NewMachine(g)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(10, func() {
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("a run allocates %v times, want none", allocs)
	}
}
