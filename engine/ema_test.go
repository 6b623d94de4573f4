package engine

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

func TestAverageFollowsWeights(t *testing.T) {
	m, err := NewModel(Arch{Resolution: 32, Width: 4, Latent: 8}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	a := newAverage(m, 0.9, 2)
	w := m.Generator.Params[0].Value.Data().([]float32)
	avg := a.model.Generator.Params[0].Value.Data().([]float32)

	prev := float32(0)
	for _, tc := range []struct {
		step int
		set  float32
		keep float32 // the share of the old average kept
	}{
		{1, 1, 0},         // warm-up: copy
		{2, 2, 0},         // warm-up: copy
		{3, 12, 2.0 / 11}, // ramp: (1+1)/(10+1)
		{4, 12, 3.0 / 12}, // ramp: (1+2)/(10+2)
		{1000, 5, 0.9},    // the ramp passed beta long ago
	} {
		for i := range w {
			w[i] = tc.set
		}
		a.update(&m.Generator, tc.step)
		want := tc.keep*prev + (1-tc.keep)*tc.set
		if math.Abs(float64(avg[0]-want)) > 1e-5 {
			t.Errorf("step %d: average %v, want %v", tc.step, avg[0], want)
		}
		prev = avg[0]
	}
	if &avg[0] == &w[0] {
		t.Fatal("the average shares the generator's memory")
	}
}

func TestDivergenceRollsBack(t *testing.T) {
	data := writeShapes(t, 12)
	for name, cfg := range map[string]Config{
		"plain DCGAN":  tinyConfig(data, 12).Plain(),
		"every option": everyOption(tinyConfig(data, 12)),
	} {
		t.Run(name, func(t *testing.T) { rollsBack(t, cfg) })
	}
}

// rollsBack poisons a discriminator weight at step 7 and checks that the
// run rolls back, halves its learning rate and finishes.
func rollsBack(t *testing.T, cfg Config) {
	dir := filepath.Join(t.TempDir(), "run")
	tr, err := NewTrainer(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	poisoned := false
	tr.beforeStep = func(s *session) {
		if s.step == 6 && !poisoned {
			poisoned = true
			w := s.model.Discriminator.Params[0].Value.Data().([]float32)
			w[0] = float32(math.Inf(1))
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- tr.Run(context.Background()) }()
	var warned string
	var done Done
	for m := range tr.Messages() {
		switch m := m.(type) {
		case Warning:
			warned += m.Text
		case Done:
			done = m
		}
	}
	if err := <-errc; err != nil {
		t.Fatalf("training failed instead of rolling back: %v", err)
	}
	if !strings.Contains(warned, "diverged at step 7") || !strings.Contains(warned, "learning rate to 0.0001") {
		t.Errorf("warning %q should name the step and the halved learning rate", warned)
	}
	if done.Step != 12 {
		t.Errorf("finished at step %d, want 12", done.Step)
	}
	tr2, err := NewTrainer(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if lr := tr2.Config().LearningRate; lr != 1e-4 {
		t.Errorf("the run's config keeps learning rate %g, want the halved 1e-4", lr)
	}
	rows := losses(t, dir)
	for i := 1; i < len(rows); i++ {
		if rows[i][0] <= rows[i-1][0] {
			t.Fatalf("metrics steps not increasing after rollback: %v then %v", rows[i-1][0], rows[i][0])
		}
	}
}

func TestQualityIsMeasuredWhileTraining(t *testing.T) {
	data := writeShapes(t, 20)
	dir := filepath.Join(t.TempDir(), "run")
	cfg := tinyConfig(data, 8)
	cfg.QualityEvery = 4
	var swd []float64
	for _, m := range train(t, context.Background(), dir, cfg) {
		if p, ok := m.(Progress); ok && p.SWD > 0 {
			swd = append(swd, p.SWD)
		}
	}
	if len(swd) == 0 {
		t.Fatal("no progress message carried a quality figure")
	}
	var logged int
	m := readMetrics(t, dir)
	for _, v := range m.Column("swd") {
		if v > 0 {
			logged++
		}
	}
	if logged != 2 {
		t.Errorf("metrics.csv has %d quality figures, want 2 (steps 4 and 8)", logged)
	}
}
