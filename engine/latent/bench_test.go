package latent

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// syntheticLayer stands in for a generator's first layer of width outputs:
// each output mixes two latent coordinates, one of them squared, with scales
// that fall off like a real layer's spectrum. It costs a few operations per
// output, so a benchmark of ComputeDirections measures the analysis, not the
// layer.
func syntheticLayer(dim, width int) ActivationFunc {
	rng := rand.New(rand.NewPCG(1, 1))
	first := make([]int, width)
	second := make([]int, width)
	scale := make([]float32, width)
	for j := range width {
		first[j], second[j] = rng.IntN(dim), rng.IntN(dim)
		scale[j] = float32(1 / math.Sqrt(float64(1+first[j])))
	}
	return func(z [][]float32) ([][]float32, error) {
		rows := make([][]float32, len(z))
		for r, latent := range z {
			row := make([]float32, width)
			for j := range row {
				a, b := latent[first[j]], latent[second[j]]
				row[j] = scale[j]*a + 0.2*b*b
			}
			rows[r] = row
		}
		return rows, nil
	}
}

// BenchmarkComputeDirections measures the full GANSpace analysis at the size
// the studio runs it: 10,000 latents of 128 values, a first layer of 4096
// activations, 20 directions.
func BenchmarkComputeDirections(b *testing.B) {
	act := syntheticLayer(128, 4096)
	cfg := DirectionsConfig{Dim: 128, Samples: MinSamples, Components: 20}
	for b.Loop() {
		if _, err := ComputeDirections(context.Background(), act, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
