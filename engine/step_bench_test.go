package engine

import (
	"syscall"
	"testing"
)

// BenchmarkTrainStep measures one training step of each reference model
// at batch 64 and reports, besides the time, the processor time per step:
// on a machine shared with other work that says more about the step's
// cost than the elapsed time, which also counts waiting for a core.
func BenchmarkTrainStep(b *testing.B) {
	for _, name := range []string{"dcgan32", "dcgan64", "dcgan64-wide"} {
		b.Run(name, func(b *testing.B) {
			s := newTestStepper(b, BenchModels[name], 64)
			if _, err := s.step(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			start := cpuSeconds()
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.step(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(64*b.N)/b.Elapsed().Seconds(), "img/s")
			b.ReportMetric((cpuSeconds()-start)*1e3/float64(b.N), "cpu-ms/step")
		})
	}
}

// cpuSeconds returns the processor time the process has used.
func cpuSeconds() float64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return float64(u.Utime.Nano()+u.Stime.Nano()) / 1e9
}
