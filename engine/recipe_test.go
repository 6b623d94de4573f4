package engine

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"slices"
	"testing"

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
	data := writeClasses(t, []string{"circles", "discs"}, 6)
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
