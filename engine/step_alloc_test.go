package engine

import "testing"

// TestStepAllocatesNothing checks that a training step, once its buffers
// exist, allocates nothing: no garbage to collect and a resident size that
// stays flat however long training runs.
func TestStepAllocatesNothing(t *testing.T) {
	s := newTestStepper(t, Arch{Resolution: 32, Width: 8, Latent: 10}, 4)
	for range 2 {
		if _, err := s.step(); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := s.step(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("a training step allocates %v times, want none", allocs)
	}
}
