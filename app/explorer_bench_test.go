package app

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"ganvas/engine/latent"
)

// BenchmarkExplorerRender measures what one move of a slider costs the
// explorer: from the recipe to the image, on the reference dcgan64
// generator (64 pixels, width 32, latent 100), trained for one step so it
// loads from a real run. With sliders, the recipe moves along 20 directions
// first.
func BenchmarkExplorerRender(b *testing.B) {
	runDir := filepath.Join(b.TempDir(), "run")
	if code, _, stderr := ganvas("train", "-run", runDir, "-steps", "1", "-res", "64", "-width", "32",
		"-batch", "8"); code != 0 {
		b.Fatalf("train: %s", stderr)
	}
	e := newExplorer()
	defer e.Close()
	if _, err := e.Open(context.Background(), runDir); err != nil {
		b.Fatal(err)
	}
	r := e.SeedRecipe(1)
	if _, err := e.Render(r); err != nil { // builds the one-image graph
		b.Fatal(err)
	}

	b.Run("seed", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.Render(r); err != nil {
				b.Fatal(err)
			}
		}
	})

	// Directions of the right shape stand in for found ones: the cost of
	// applying them does not depend on what they are.
	rng := rand.New(rand.NewPCG(1, 2))
	d := &latent.Directions{Dim: 100, Sigma: make([]float64, latent.DefaultComponents)}
	for i := range latent.DefaultComponents {
		d.Vectors = append(d.Vectors, latent.Normal(rng, 100))
		d.Sigma[i] = 1
	}
	e.open.directions = d
	r.Sliders = []float64{1.5, -0.5, 2, 0, 0.25, -1, 0.5, 1}
	b.Run("sliders", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			r.Sliders[0] = float64(i%7) / 3
			if _, err := e.Render(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
