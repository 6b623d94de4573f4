package engine

import (
	"math/rand/v2"
	"testing"
)

func newTestStepper(tb testing.TB, arch Arch, batch int) *stepper {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 1))
	m, err := NewModel(arch, rng)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := newStepper(m, batch, stepOptions{adam: adamConfig{2e-4, 0.5, 0.999}, loss: LossBCE})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.close)
	for i := range s.real.Data().([]float32) {
		s.real.Data().([]float32)[i] = float32(rng.Float64()*2 - 1)
	}
	for i := range s.z.Data().([]float32) {
		s.z.Data().([]float32)[i] = float32(rng.NormFloat64())
	}
	return s
}

// BenchmarkStep measures one training step of the reference dcgan64 model
// at batch 64; images per second = 64 / (seconds per op).
func BenchmarkStep(b *testing.B) {
	s := newTestStepper(b, Arch{Resolution: 64, Width: 32, Latent: 100}, 64)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.step(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(64*b.N)/b.Elapsed().Seconds(), "img/s")
}
