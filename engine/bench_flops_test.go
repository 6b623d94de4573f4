package engine

import (
	"testing"

	G "gorgonia.org/gorgonia"

	"ganvas/engine/nn"
)

// TestStepArithmetic checks the step's multiply-adds, as the benchmark
// counts them from the three graphs, against the dcgan64 layer shapes
// worked out by hand: the generator runs forward once and back once (no
// input gradient for the latent), the discriminator forward three times,
// back with weight and input gradients for the real and fake batches (no
// input gradient for the images) and back with input gradients only for
// the generator's update.
func TestStepArithmetic(t *testing.T) {
	const n = 64
	gen := []float64{
		n * 1 * 100 * 16 * 256, // latent → 4×4×256
		n * 16 * 256 * 16 * 128,
		n * 64 * 128 * 16 * 64,
		n * 256 * 64 * 16 * 32,
		n * 1024 * 32 * 16 * 3, // 32×32×32 → 64×64×3
	}
	disc := []float64{
		n * 1024 * 48 * 32, // 64×64×3 → 32×32×32
		n * 256 * 512 * 64,
		n * 64 * 1024 * 128,
		n * 16 * 2048 * 256,
		n * 1 * 4096 * 1, // 4×4×256 → one logit
	}
	sum := func(x []float64) (s float64) {
		for _, v := range x {
			s += v
		}
		return s
	}
	want := 3*sum(gen) - gen[0] + 8*sum(disc) - 2*disc[0]

	s := newTestStepper(t, BenchModels["dcgan64"], n)
	var got float64
	for _, g := range []*G.ExprGraph{s.genGraph, s.discGraph, s.advGraph} {
		got += nn.MultiplyAdds(g)
	}
	if got != want {
		t.Errorf("a dcgan64 step counts %.0f multiply-adds, the layer shapes give %.0f", got, want)
	}
	t.Logf("dcgan64 step: %.2f GFLOP", 2*got/1e9)
}
