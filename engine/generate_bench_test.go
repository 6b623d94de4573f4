package engine

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkGenerateOne measures what a latent slider waits for: one image
// from the reference dcgan64 generator, in inference mode.
func BenchmarkGenerateOne(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 3))
	m, err := NewModel(BenchModels["dcgan64"], rng)
	if err != nil {
		b.Fatal(err)
	}
	p, err := m.newInference(1)
	if err != nil {
		b.Fatal(err)
	}
	defer p.close()
	for i, z := 0, p.z.Float32s(); i < len(z); i++ {
		z[i] = float32(rng.NormFloat64())
	}
	if _, err := p.run(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := cpuSeconds()
	b.ResetTimer()
	for b.Loop() {
		if _, err := p.run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuSeconds()-start)*1e3/float64(b.N), "cpu-ms/op")
}
