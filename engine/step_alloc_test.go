package engine

import (
	"math/rand/v2"
	"testing"
)

// TestStepAllocatesNothing checks that a training step, once its buffers
// exist, allocates nothing: no garbage to collect and a resident size that
// stays flat however long training runs. A conditional model with the
// mode-seeking term must hold to it too.
func TestStepAllocatesNothing(t *testing.T) {
	plain := newTestStepper(t, Arch{Resolution: 32, Width: 8, Latent: 10}, 4)

	arch := Arch{Resolution: 32, Width: 8, Latent: 10, Classes: 3}
	m, err := NewModel(arch, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	opt := stepOptions{adam: adamConfig{2e-4, 0.5, 0.999}, loss: LossBCE, modeSeeking: 1}
	conditional, err := newStepper(m, 4, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conditional.close)
	rng := rand.New(rand.NewPCG(2, 2))
	fill(conditional.real.Float32s(), rng, false)
	fill(conditional.z.Float32s(), rng, true)
	copy(conditional.fakeLabels.Values, []int{0, 2, 1, 1})
	conditional.pairFakeLabels()

	steppers := map[string]*stepper{"plain": plain, "conditional with mode seeking": conditional}
	for name, s := range steppers {
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
			t.Errorf("%s: a training step allocates %v times, want none", name, allocs)
		}
	}
}
