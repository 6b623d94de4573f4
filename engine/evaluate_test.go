package engine

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"ganvas/engine/quality"
)

// blobs returns n images of side res, NHWC in [-1, 1]: a light ground with
// one dark disc each, placed and sized at random.
func blobs(rng *rand.Rand, n, res int) []float32 {
	x := make([]float32, n*res*res*3)
	for i := range n {
		side := float64(res)
		cx, cy, r := rng.Float64()*side, rng.Float64()*side, 3+rng.Float64()*side/3
		tone := float32(rng.Float64()*1.4 - 0.9)
		for y := range res {
			for xx := range res {
				v := float32(0.9)
				if dx, dy := float64(xx)-cx, float64(y)-cy; dx*dx+dy*dy < r*r {
					v = tone
				}
				for c := range 3 {
					x[((i*res+y)*res+xx)*3+c] = v
				}
			}
		}
	}
	return x
}

// TestClassDiversityFindsACollapsedClass checks the case the within-class
// measure exists for: a conditional generator that draws one image per
// class varies across classes, and only the within-class measure says it
// has collapsed.
func TestClassDiversityFindsACollapsedClass(t *testing.T) {
	const res, classes, per = 32, 8, 12
	rng := rand.New(rand.NewPCG(1, 2))
	size := res * res * 3
	real := blobs(rng, classes*per, res)
	labels := make([]int, classes*per)
	for i := range labels {
		labels[i] = i % classes
	}
	// One image per class, repeated with a little noise.
	typical := blobs(rng, classes, res)
	collapsed := make([]float32, len(real))
	for i, c := range labels {
		for j := range size {
			collapsed[i*size+j] = typical[c*size+j] + float32(0.02*rng.NormFloat64())
		}
	}
	varied := blobs(rng, classes*per, res)

	all, err := quality.DiversityFloat(collapsed, res, 3, 500, 1)
	if err != nil {
		t.Fatal(err)
	}
	allReal, err := quality.DiversityFloat(real, res, 3, 500, 1)
	if err != nil {
		t.Fatal(err)
	}
	if quality.Collapsed(all, allReal) {
		t.Fatalf("across classes the collapsed set already looks collapsed (%.3f against %.3f): "+
			"the case is not the one under test", all, allReal)
	}
	gen, act, err := classDiversity(real, collapsed, labels, labels, classes, res, 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !quality.Collapsed(gen, act) {
		t.Errorf("one image per class scores %.3f within a class against the real %.3f: "+
			"not flagged", gen, act)
	}
	gen, act, err = classDiversity(real, varied, labels, labels, classes, res, 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	if quality.Collapsed(gen, act) {
		t.Errorf("fresh images of the style score %.3f within a class against the real %.3f: "+
			"flagged", gen, act)
	}
}

// TestEvaluateMeasuresAConditionalRun runs the evaluation of a briefly
// trained conditional run end to end.
func TestEvaluateMeasuresAConditionalRun(t *testing.T) {
	data := writeClasses(t, []string{"circles", "discs"}, MinClassImages)
	dir := filepath.Join(t.TempDir(), "run")
	cfg := tinyConfig(data, 4)
	cfg.Conditional = true
	train(t, context.Background(), dir, cfg)
	e, err := Evaluate(context.Background(), dir, "", 32)
	if err != nil {
		t.Fatal(err)
	}
	if e.Step != 4 || e.Real != 32 || e.Generated != 32 {
		t.Errorf("step %d, %d real and %d generated images; want 4, 32 (of 40 with flips) and 32",
			e.Step, e.Real, e.Generated)
	}
	if !(e.SWD.Mean > 0) || !(e.Floor < e.Ceiling) {
		t.Errorf("SWD %.2f with floor %.2f and ceiling %.2f", e.SWD.Mean, e.Floor, e.Ceiling)
	}
	within := map[string]float64{"generated": e.ClassDiversity, "real": e.RealClassDiversity}
	for name, v := range within {
		if !(v > 0 && v < 1) {
			t.Errorf("within-class diversity of the %s images is %v, want within (0, 1)", name, v)
		}
	}
}
