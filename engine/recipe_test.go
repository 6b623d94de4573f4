package engine

import (
	"context"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"ganvas/engine/nn"
)

// writeClasses makes a folder with one subfolder per class.
func writeClasses(t *testing.T, classes []string, per int) string {
	t.Helper()
	dir := t.TempDir()
	for _, c := range classes {
		src := writeShapes(t, per)
		if err := os.Rename(src, filepath.Join(dir, c)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestConditionalRunResumesAndDrawsEachClass(t *testing.T) {
	data := writeClasses(t, []string{"circles", "discs"}, MinClassImages)
	whole := filepath.Join(t.TempDir(), "whole")
	split := filepath.Join(t.TempDir(), "split")
	conditional := func(steps int) Config {
		c := tinyConfig(data, steps)
		c.Conditional = true
		return c
	}
	train(t, context.Background(), whole, conditional(12))
	train(t, context.Background(), split, conditional(6))
	train(t, context.Background(), split, conditional(12))
	a, b := losses(t, whole), losses(t, split)
	if len(a) != 6 || len(b) != len(a) {
		t.Fatalf("metrics rows: %d and %d, want 6 each", len(a), len(b))
	}
	for i := range a {
		if !slices.Equal(a[i], b[i]) {
			t.Errorf("row %d: uninterrupted %v, resumed %v", i, a[i], b[i])
		}
	}

	gen, _, err := LoadGenerator(whole)
	if err != nil {
		t.Fatal(err)
	}
	defer gen.Close()
	if got := gen.Classes(); !slices.Equal(got, []string{"circles", "discs"}) {
		t.Fatalf("classes %v", got)
	}
	z := make([]float32, gen.Arch().Latent)
	for i := range z {
		z[i] = float32(i%7) / 7
	}
	imgs, err := gen.GenerateClasses([][]float32{z, z}, []int{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	if samePixels(imgs[0], imgs[1]) {
		t.Error("the same latent draws the same image for both classes")
	}
	if _, err := gen.GenerateClasses([][]float32{z}, []int{2}); err == nil {
		t.Error("class 2 of 2 was accepted")
	}
}

func TestAugmentationAdaptsToOverfitting(t *testing.T) {
	cfg := DefaultConfig()
	tr := &Trainer{cfg: cfg}
	policy := nn.DiffAugment
	policy.Strength = 0
	s := &session{stepper: &stepper{augment: &policy}}
	step := float64(cfg.Batch*adaptInterval) / float64(cfg.AugmentImages)

	// A discriminator sure of every real image: the strength rises, once
	// per interval.
	for range 3 * adaptInterval {
		tr.adaptAugmentation(s, StepStats{RealSign: 1})
	}
	if want := 3 * step; !near(policy.Strength, want) {
		t.Fatalf("after 3 intervals of overfitting the strength is %v, want %v", policy.Strength, want)
	}
	// Below the target it falls again, and never below zero.
	for range 10 * adaptInterval {
		tr.adaptAugmentation(s, StepStats{RealSign: 0.2})
	}
	if policy.Strength != 0 {
		t.Fatalf("strength %v after a discriminator well below the target, want 0", policy.Strength)
	}

	// A run saved before the pace was a setting rises at the pace it
	// was started with.
	tr.cfg.AugmentImages = 0
	for range adaptInterval {
		tr.adaptAugmentation(s, StepStats{RealSign: 1})
	}
	if want := float64(cfg.Batch*adaptInterval) / 100_000; !near(policy.Strength, want) {
		t.Fatalf("an older run's strength rose to %v in one interval, want %v", policy.Strength, want)
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

func samePixels(a, b image.Image) bool {
	ra, rb := a.(*image.RGBA), b.(*image.RGBA)
	return slices.Equal(ra.Pix, rb.Pix)
}

// TestModeSeekingSpreadsAClass checks that the mode-seeking term does what
// it is for: the same few steps of a conditional model, with and without
// it, leave the images of one class further apart with it.
func TestModeSeekingSpreadsAClass(t *testing.T) {
	arch := Arch{Resolution: 32, Width: 8, Latent: 10, Classes: 3}
	spread := func(weight float64) float64 {
		rng := rand.New(rand.NewPCG(3, 4))
		m, err := NewModel(arch, rng)
		if err != nil {
			t.Fatal(err)
		}
		s, err := newStepper(m, 8, stepOptions{adam: adamConfig{5e-3, 0.5, 0.999}, loss: LossBCE,
			modeSeeking: weight})
		if err != nil {
			t.Fatal(err)
		}
		defer s.close()
		for step := range 6 {
			fill(s.real.Float32s(), rng, false)
			fill(s.z.Float32s(), rng, true)
			for i := range s.fakeLabels.Values {
				s.realLabels.Values[i] = rng.IntN(3)
				s.fakeLabels.Values[i] = rng.IntN(3)
			}
			s.pairFakeLabels()
			if weight > 0 && !slices.Equal(s.fakeLabels.Values[:4], s.fakeLabels.Values[4:]) {
				t.Fatalf("step %d: fake classes %v are not paired", step, s.fakeLabels.Values)
			}
			if _, err := s.step(); err != nil {
				t.Fatal(err)
			}
		}
		if weight > 0 && !(s.modeSeekingStats.Ratio > 0) {
			t.Errorf("the term saw a ratio of %v", s.modeSeekingStats.Ratio)
		}
		// The mean distance between images of class 0 from different
		// latents, after training.
		for i := range s.fakeLabels.Values {
			s.fakeLabels.Values[i] = 0
		}
		fill(s.z.Float32s(), rand.New(rand.NewPCG(5, 6)), true)
		if err := let(s.genZ, s.z); err != nil {
			t.Fatal(err)
		}
		if err := runOnce(s.genVM); err != nil {
			t.Fatal(err)
		}
		x := s.fake.Value().(*tensor.Dense).Float32s()
		half := len(x) / 2
		var sum float64
		for i := range half {
			sum += math.Abs(float64(x[i] - x[half+i]))
		}
		return sum / float64(half)
	}
	without, with := spread(0), spread(1)
	t.Logf("mean distance within a class: %.4f without the term, %.4f with it", without, with)
	if with < 1.5*without {
		t.Errorf("images of one class lie %.4f apart with the term, %.4f without: "+
			"want clearly further", with, without)
	}
}

func fill(x []float32, rng *rand.Rand, normal bool) {
	for i := range x {
		if normal {
			x[i] = float32(rng.NormFloat64())
		} else {
			x[i] = float32(rng.Float64()*2 - 1)
		}
	}
}
