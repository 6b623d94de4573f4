package latent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// smallDirections is a valid set of directions small enough to read.
func smallDirections() *Directions {
	return &Directions{
		Version:       DirectionsVersion,
		Step:          1200,
		Dim:           3,
		Samples:       MinSamples,
		Seed:          -7,
		Requested:     2,
		Vectors:       [][]float32{{1, 0, 0}, {0, 0.6, 0.8}},
		Sigma:         []float64{1.01, 0.98},
		Variance:      []float64{4.5, 1.25},
		TotalVariance: 6.5,
		Components:    [][]float32{{0.6, 0.8}, {-0.8, 0.6}},
	}
}

func encodeDirections(t testing.TB, d *Directions) []byte {
	t.Helper()
	data, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDirectionsSaveLoadRoundTrip(t *testing.T) {
	layer := newLinearLayer(8, 24, testScales, 13)
	d := computeForTest(t, layer, DirectionsConfig{Step: 300, Dim: 8, Components: 4, Seed: 5})
	path := filepath.Join(t.TempDir(), "nested", "directions.json")
	if err := d.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadDirections(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(loaded, d) {
		t.Errorf("loaded directions differ from the saved ones:\n got %+v\nwant %+v", loaded, d)
	}
}

func TestReadDirectionsRejectsDamage(t *testing.T) {
	valid := string(encodeDirections(t, smallDirections()))
	edit := func(change func(d *Directions)) string {
		d := smallDirections()
		change(d)
		return string(encodeDirections(t, d))
	}
	tests := []struct {
		name string
		file string
		want error
	}{
		{"empty", "", ErrCorruptDirections},
		{"cut short", valid[:len(valid)/2], ErrCorruptDirections},
		{"not json", "PK\x03\x04", ErrCorruptDirections},
		{"unknown field", strings.Replace(valid, `"step"`, `"stop"`, 1), ErrCorruptDirections},
		{"newer", edit(func(d *Directions) { d.Version = 2 }), ErrNewerDirections},
		{"no version", edit(func(d *Directions) { d.Version = 0 }), ErrCorruptDirections},
		{"short vector", edit(func(d *Directions) { d.Vectors[1] = d.Vectors[1][:2] }),
			ErrCorruptDirections},
		{"missing sigma", edit(func(d *Directions) { d.Sigma = d.Sigma[:1] }), ErrCorruptDirections},
		{"negative sigma", edit(func(d *Directions) { d.Sigma[0] = -1 }), ErrCorruptDirections},
		{"ragged components", edit(func(d *Directions) { d.Components[1] = []float32{1} }),
			ErrCorruptDirections},
		{"more than requested", edit(func(d *Directions) { d.Requested = 1 }), ErrCorruptDirections},
		{"no variance", edit(func(d *Directions) { d.TotalVariance = 0 }), ErrCorruptDirections},
	}
	for _, tt := range tests {
		_, err := ReadDirections(strings.NewReader(tt.file))
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := ReadDirections(strings.NewReader(valid)); err != nil {
		t.Errorf("valid file: %v", err)
	}
}

func TestCachedDirectionsReusesTheCache(t *testing.T) {
	runDir := t.TempDir()
	layer := newLinearLayer(8, 24, testScales, 14)
	cfg := DirectionsConfig{Step: 500, Dim: 8, Components: 3, Seed: 1}
	compute := func(cfg DirectionsConfig) *Directions {
		t.Helper()
		d, saveErr, err := CachedDirections(context.Background(), runDir, layer.activations, cfg)
		if err != nil || saveErr != nil {
			t.Fatalf("CachedDirections: %v, saving: %v", err, saveErr)
		}
		return d
	}
	calls := func() int64 { return layer.calls.Swap(0) }

	first := compute(cfg)
	if calls() == 0 {
		t.Fatal("the first call did not compute")
	}
	if _, err := os.Stat(DirectionsPath(runDir, 500)); err != nil {
		t.Fatalf("no cache file: %v", err)
	}
	if again := compute(cfg); calls() != 0 || !reflect.DeepEqual(again, first) {
		t.Error("the second call for the same checkpoint did not reuse the cache")
	}

	tests := []struct {
		name   string
		change func(*DirectionsConfig)
	}{
		{"another checkpoint", func(c *DirectionsConfig) { c.Step = 600 }},
		{"another seed", func(c *DirectionsConfig) { c.Seed = 2 }},
		{"more components", func(c *DirectionsConfig) { c.Components = 4 }},
	}
	for _, tt := range tests {
		changed := cfg
		tt.change(&changed)
		d := compute(changed)
		if calls() == 0 {
			t.Errorf("%s: the cache was reused", tt.name)
		}
		if d.Step != changed.Step || d.Seed != changed.Seed || d.Requested != changed.Components {
			t.Errorf("%s: got directions for %+v", tt.name, d)
		}
	}
	if _, err := os.Stat(DirectionsPath(runDir, 600)); err != nil {
		t.Errorf("the checkpoint at step 600 has no cache of its own: %v", err)
	}
}

func TestCachedDirectionsReplacesADamagedCache(t *testing.T) {
	runDir := t.TempDir()
	path := DirectionsPath(runDir, 10)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`{"version":1,"step":10,"dim`), 0o644); err != nil {
		t.Fatal(err)
	}

	layer := newLinearLayer(4, 8, []float64{2, 1}, 15)
	cfg := DirectionsConfig{Step: 10, Dim: 4, Components: 2}
	if _, saveErr, err := CachedDirections(context.Background(), runDir, layer.activations,
		cfg); err != nil || saveErr != nil {
		t.Fatalf("CachedDirections: %v, saving: %v", err, saveErr)
	}
	if _, err := LoadDirections(path); err != nil {
		t.Errorf("the damaged cache was not replaced: %v", err)
	}
}

func TestCachedDirectionsInAnUnwritableRun(t *testing.T) {
	// A run "directory" that is a file cannot hold a cache, even for root.
	runDir := filepath.Join(t.TempDir(), "run")
	if err := os.WriteFile(runDir, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	layer := newLinearLayer(4, 8, []float64{2, 1}, 16)
	d, saveErr, err := CachedDirections(context.Background(), runDir, layer.activations,
		DirectionsConfig{Dim: 4, Components: 2})
	if err != nil || d == nil {
		t.Fatalf("the directions were lost: %v", err)
	}
	if saveErr == nil {
		t.Error("the failed save was not reported")
	}
}

func FuzzReadDirections(f *testing.F) {
	f.Add(encodeDirections(f, smallDirections()))
	f.Add([]byte(`{"version":1,"dim":1,"requested":1,"vectors":[[1]],"sigma":[1],` +
		`"variance":[1],"total_variance":1,"components":[[1]]}`))
	f.Add([]byte(`{"version":1,"dim":2,"vectors":[[1]]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ReadDirections(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrCorruptDirections) && !errors.Is(err, ErrNewerDirections) {
				t.Fatalf("error %v is neither damage nor a newer version", err)
			}
			return
		}

		// Whatever is accepted can be used and saved again unchanged.
		moved := d.Apply(make([]float32, d.Dim), []float64{1, -1})
		if len(moved) != d.Dim {
			t.Fatalf("Apply returned %d values for a latent of %d", len(moved), d.Dim)
		}
		again, err := ReadDirections(bytes.NewReader(encodeDirections(t, d)))
		if err != nil {
			t.Fatalf("accepted directions do not read back: %v", err)
		}
		if !reflect.DeepEqual(again, d) {
			t.Fatalf("directions changed on a second round trip")
		}
	})
}
