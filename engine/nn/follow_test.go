package nn

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestFollowMasks runs a leader convolution on one batch and a follower on
// another: the follower's units take the leader's sides of zero, so it is
// the leader's linear map applied to its own input, and it refuses a leader
// it cannot follow.
func TestFollowMasks(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	w := randomTensor(rng, 1, 48, 4)
	a, b := randomTensor(rng, 1, 2, 8, 8, 3), randomTensor(rng, 1, 2, 8, 8, 3)
	g := G.NewGraph()
	wn := G.NewTensor(g, tensor.Float32, 2, G.WithShape(48, 4), G.WithValue(w), G.WithName("w"))
	an := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 8, 8, 3), G.WithValue(a), G.WithName("a"))
	bn := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 8, 8, 3), G.WithValue(b), G.WithName("b"))
	lead, err := Conv(an, wn, 4, 2, 1, LeakyReLU, false, false)
	if err != nil {
		t.Fatal(err)
	}
	follow, err := Conv(bn, wn, 4, 2, 1, LeakyReLU, false, false)
	if err != nil {
		t.Fatal(err)
	}
	linear, err := Conv(bn, wn, 4, 2, 1, Linear, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := FollowMasks(follow, lead); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	led, got, pre := data(lead.Value().(*tensor.Dense)), data(follow.Value().(*tensor.Dense)),
		data(linear.Value().(*tensor.Dense))
	differ := 0
	for i, v := range pre {
		want := v
		if led[i] <= 0 {
			want = v * leakySlope
		}
		if got[i] != want {
			t.Fatalf("unit %d: followed %g, want %g (leader %g, pre-activation %g)", i, got[i], want, led[i], v)
		}
		if (led[i] > 0) != (v > 0) {
			differ++
		}
	}
	if differ == 0 {
		t.Fatal("the two batches put every unit on the same side: the test shows nothing")
	}

	tanh, err := Conv(bn, wn, 4, 2, 1, Tanh, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := FollowMasks(tanh, lead); err == nil {
		t.Error("a tanh layer followed a LeakyReLU layer's masks")
	}
	small, err := Conv(bn, wn, 4, 4, 0, LeakyReLU, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := FollowMasks(small, lead); err == nil {
		t.Error("a layer followed the masks of a layer of another shape")
	}
}
