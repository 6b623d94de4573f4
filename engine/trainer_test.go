package engine

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"ganvas/engine/run"
)

// writeShapes fills a folder with n small images of coloured discs on a
// light ground: a style simple enough to train on in a test.
func writeShapes(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(9, 9))
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, 40, 40))
		cx, cy, r := 10+rng.Float64()*20, 10+rng.Float64()*20, 5+rng.Float64()*8
		ink := color.RGBA{uint8(rng.IntN(200)), uint8(rng.IntN(200)), 200, 255}
		for y := range 40 {
			for x := range 40 {
				c := color.RGBA{240, 235, 225, 255}
				if dx, dy := float64(x)-cx, float64(y)-cy; dx*dx+dy*dy < r*r {
					c = ink
				}
				img.SetRGBA(x, y, c)
			}
		}
		f, err := os.Create(filepath.Join(dir, string(rune('a'+i%26))+string(rune('a'+i/26))+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return dir
}

func tinyConfig(data string, steps int) Config {
	c := DefaultConfig()
	c.Data = data
	c.Resolution = 32
	c.Width = 8
	c.Batch = 8
	c.Steps = steps
	c.LogEvery = 2
	c.SampleEvery = 5
	c.Seed = 7
	return c
}

// train runs a trainer to the end and returns every message it sent.
func train(t *testing.T, ctx context.Context, dir string, cfg Config) []Message {
	t.Helper()
	tr, err := NewTrainer(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- tr.Run(ctx) }()
	var msgs []Message
	for m := range tr.Messages() {
		msgs = append(msgs, m)
	}
	if err := <-errc; err != nil {
		t.Fatalf("training failed: %v", err)
	}
	return msgs
}

func readMetrics(t *testing.T, dir string) *run.Metrics {
	t.Helper()
	d, err := run.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := d.ReadMetrics()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func losses(t *testing.T, dir string) [][]float64 {
	t.Helper()
	m := readMetrics(t, dir)
	var rows [][]float64
	steps := m.Column("step")
	for i := range steps {
		rows = append(rows, []float64{steps[i], m.Column("loss_d")[i], m.Column("loss_g")[i],
			m.Column("d_real")[i], m.Column("d_fake")[i]})
	}
	return rows
}

func TestResumeContinuesExactly(t *testing.T) {
	data := writeShapes(t, 30)
	for _, tc := range []struct {
		name   string
		config func(steps int) Config
	}{
		{"plain DCGAN", func(steps int) Config { return tinyConfig(data, steps).Plain() }},
		{"recipe", func(steps int) Config { return tinyConfig(data, steps).Recipe() }},
		{"every option", func(steps int) Config { return everyOption(tinyConfig(data, steps)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			whole := filepath.Join(t.TempDir(), "whole")
			split := filepath.Join(t.TempDir(), "split")
			train(t, context.Background(), whole, tc.config(16))
			train(t, context.Background(), split, tc.config(7))
			train(t, context.Background(), split, tc.config(16))

			a, b := losses(t, whole), losses(t, split)
			if len(a) != 8 || len(b) != len(a) {
				t.Fatalf("metrics rows: uninterrupted %d, resumed %d, want 8 each", len(a), len(b))
			}
			for i := range a {
				if !slices.Equal(a[i], b[i]) {
					t.Errorf("row %d: uninterrupted %v, resumed %v", i, a[i], b[i])
				}
			}
		})
	}
}

func TestTrainerReportsAndSaves(t *testing.T) {
	data := writeShapes(t, 12)
	dir := filepath.Join(t.TempDir(), "run")
	msgs := train(t, context.Background(), dir, tinyConfig(data, 10))

	for len(msgs) > 0 {
		if _, ok := msgs[0].(Loading); !ok {
			break
		}
		msgs = msgs[1:] // how far loading has gone comes first
	}
	loaded, ok := msgs[0].(DatasetLoaded)
	if !ok || loaded.Images != 12 {
		t.Fatalf("first message after loading %#v, want DatasetLoaded with 12 images", msgs[0])
	}
	done, ok := msgs[len(msgs)-1].(Done)
	if !ok || done.Step != 10 || done.Err != nil {
		t.Fatalf("last message %#v, want Done at step 10", msgs[len(msgs)-1])
	}
	var grids, saves int
	var last Progress
	for _, m := range msgs {
		switch m := m.(type) {
		case Samples:
			grids++
			if b := m.Grid.Bounds(); b.Dx() != 8*32+9*2 {
				t.Errorf("sample grid is %d px wide, want 8 images of 32 px with gaps", b.Dx())
			}
		case CheckpointSaved:
			saves++
		case Progress:
			last = m
		}
	}
	if grids == 0 || saves == 0 {
		t.Errorf("got %d sample grids and %d checkpoints, want some of each", grids, saves)
	}
	if last.Step != 10 || last.Steps != 10 || last.ImagesPerSec <= 0 {
		t.Errorf("last progress %+v", last)
	}
	d, _ := run.Open(dir)
	samples, _ := d.ListSamples()
	if len(samples) != 3 {
		t.Errorf("saved %d sample grids, want 3 (steps 0, 5 and 10)", len(samples))
	}
}

func TestCancelSavesCheckpoint(t *testing.T) {
	data := writeShapes(t, 12)
	dir := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr, err := NewTrainer(dir, tinyConfig(data, 0))
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- tr.Run(ctx) }()
	var step int
	for m := range tr.Messages() {
		if p, ok := m.(Progress); ok && p.Step >= 3 {
			cancel()
		}
		if d, ok := m.(Done); ok {
			step = d.Step
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	d, _ := run.Open(dir)
	c, _, err := d.LatestCheckpoint()
	if err != nil || c.Step != step || step < 3 {
		t.Fatalf("after stopping at step %d the latest checkpoint is %v (%v)", step, c, err)
	}
}

func TestPauseHoldsTraining(t *testing.T) {
	data := writeShapes(t, 12)
	tr, err := NewTrainer(filepath.Join(t.TempDir(), "run"), tinyConfig(data, 0))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go tr.Run(ctx)
	safety := time.AfterFunc(time.Minute, cancel)
	defer safety.Stop()

	paused, asked := 0, false
	var done Done
	for m := range tr.Messages() {
		switch m := m.(type) {
		case Progress:
			if !asked && m.Step >= 2 {
				tr.Pause()
				asked = true
			}
			if m.Paused && paused == 0 {
				paused = m.Step
				time.AfterFunc(300*time.Millisecond, cancel)
			}
			if paused > 0 && m.Step != paused {
				t.Errorf("trained to step %d while paused at %d", m.Step, paused)
			}
		case Done:
			done = m
		}
	}
	if paused == 0 || done.Step != paused {
		t.Fatalf("paused at step %d, stopped at step %d", paused, done.Step)
	}
}

func TestBadConfigIsRefused(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Resolution = 48
	_, err := NewTrainer(t.TempDir(), cfg)
	if err == nil {
		t.Fatal("resolution 48 was accepted")
	}
}

func TestSaveNowWaitsForTheCheckpoint(t *testing.T) {
	data := writeShapes(t, 12)
	dir := filepath.Join(t.TempDir(), "run")
	tr, err := NewTrainer(dir, tinyConfig(data, 0))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- tr.Run(ctx) }()
	saved := make(chan error, 1)
	asked := false
	for m := range tr.Messages() {
		if p, ok := m.(Progress); ok && p.Step >= 3 && !asked {
			asked = true
			tr.Pause()
			go func() { saved <- tr.SaveNow(ctx) }()
		}
		if _, ok := m.(CheckpointSaved); ok && asked {
			if err := <-saved; err != nil {
				t.Fatalf("SaveNow: %v", err)
			}
			d, _ := run.Open(dir)
			files, _ := d.ListCheckpoints()
			if len(files) == 0 || files[len(files)-1].Step < 3 {
				t.Fatalf("SaveNow returned but the newest checkpoint is %v", files)
			}
			cancel()
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if err := tr.SaveNow(context.Background()); !errors.Is(err, ErrNotTraining) {
		t.Fatalf("SaveNow after the end returned %v, want ErrNotTraining", err)
	}
}

// everyOption returns cfg with the recipe and every discriminator option
// on: spectral norm, minibatch standard deviation, hinge loss and two
// time-scales with SNGAN's Adam betas.
func everyOption(cfg Config) Config {
	cfg = cfg.Recipe()
	cfg.SpectralNorm, cfg.MinibatchStd, cfg.TwoTimeScales = true, true, true
	cfg.Loss = LossHinge
	cfg.Beta1, cfg.Beta2 = 0, 0.9
	return cfg
}
