package run

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// checkpointSteps lists the steps of the run's checkpoint files.
func checkpointSteps(t *testing.T, d *Dir) []int {
	t.Helper()
	files, err := d.ListCheckpoints()
	if err != nil {
		t.Fatal(err)
	}
	var steps []int
	for _, f := range files {
		steps = append(steps, f.Step)
	}
	return steps
}

// save saves a test checkpoint of each step in turn.
func save(t *testing.T, d *Dir, steps ...int) {
	t.Helper()
	for _, step := range steps {
		if _, err := d.SaveCheckpoint(testCheckpoint(step)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSaveCheckpointKeepsLastTwo(t *testing.T) {
	tests := []struct {
		name  string
		saves []int
		want  []int
	}{
		{"one", []int{100}, []int{100}},
		{"two", []int{100, 200}, []int{100, 200}},
		{"many", []int{100, 200, 300, 400, 500}, []int{400, 500}},
		{"same step again", []int{100, 200, 200}, []int{100, 200}},
		// A run resumed from step 200 abandons what came after it.
		{"after resuming earlier", []int{100, 200, 300, 250}, []int{200, 250}},
		{"past six digits", []int{999999, 1000000, 1000001}, []int{1000000, 1000001}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newRun(t)
			save(t, d, tt.saves...)
			if got := checkpointSteps(t, d); !slices.Equal(got, tt.want) {
				t.Errorf("checkpoints %v, want %v", got, tt.want)
			}
			c, warning, err := d.LatestCheckpoint()
			if err != nil || warning != "" {
				t.Fatalf("latest: %v, %q", err, warning)
			}
			checkSameCheckpoint(t, c, testCheckpoint(tt.want[len(tt.want)-1]))
		})
	}
}

func TestLatestCheckpointFallsBack(t *testing.T) {
	tests := []struct {
		name   string
		damage func(path string) error
		says   string
	}{
		{"cut short by a crash", func(path string) error {
			info, err := os.Stat(path)
			if err != nil {
				return err
			}
			return os.Truncate(path, info.Size()-20)
		}, "cut short"},
		{"empty", func(path string) error {
			return os.Truncate(path, 0)
		}, "only 0 bytes"},
		{"one bit flipped", func(path string) error {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			data[len(data)-1] ^= 1
			return os.WriteFile(path, data, 0o644)
		}, "checksum"},
		{"replaced by another file", func(path string) error {
			return os.WriteFile(path, []byte("GIF89a and then some bytes"), 0o644)
		}, "not a ganvas checkpoint"},
		{"renamed from another step", func(path string) error {
			data, err := os.ReadFile(filepath.Join(filepath.Dir(path), stepFileName(200,
				checkpointExt)))
			if err != nil {
				return err
			}
			return os.WriteFile(path, data, 0o644)
		}, "holds step 200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newRun(t)
			save(t, d, 100, 200, 300)
			newest := filepath.Join(d.Path, checkpointsDir, stepFileName(300, checkpointExt))
			if err := tt.damage(newest); err != nil {
				t.Fatal(err)
			}

			c, warning, err := d.LatestCheckpoint()
			if err != nil {
				t.Fatal(err)
			}
			checkSameCheckpoint(t, c, testCheckpoint(200))
			for _, part := range []string{"step-000300.safetensors", tt.says, "step 200"} {
				if !strings.Contains(warning, part) {
					t.Errorf("warning %q does not say %q", warning, part)
				}
			}
		})
	}
}

func TestLatestCheckpointNoneUsable(t *testing.T) {
	d := newRun(t)
	_, _, err := d.LatestCheckpoint()
	if !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("empty run: error %v, want ErrNoCheckpoint", err)
	}

	// Checkpoints with names that are not ours do not count.
	writeFile(t, filepath.Join(d.Path, checkpointsDir, "step-12.safetensors"), "x")
	writeFile(t, filepath.Join(d.Path, checkpointsDir, "notes.txt"), "x")
	if _, _, err := d.LatestCheckpoint(); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("foreign names only: error %v, want ErrNoCheckpoint", err)
	}

	save(t, d, 100, 200)
	for _, step := range []int{100, 200} {
		path := filepath.Join(d.Path, checkpointsDir, stepFileName(step, checkpointExt))
		if err := os.Truncate(path, 50); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err = d.LatestCheckpoint()
	if !errors.Is(err, ErrCorruptCheckpoint) || errors.Is(err, ErrNoCheckpoint) {
		t.Fatalf("all damaged: error %v, want ErrCorruptCheckpoint", err)
	}
	for _, name := range []string{"step-000100.safetensors", "step-000200.safetensors"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
}

func TestLatestCheckpointNewerFormatIsNotSkipped(t *testing.T) {
	d := newRun(t)
	save(t, d, 100, 200)
	path := filepath.Join(d.Path, checkpointsDir, stepFileName(200, checkpointExt))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	newer := withHeader(data, func(h string) string {
		return strings.Replace(h, `"ganvas_checkpoint_format":"1"`,
			`"ganvas_checkpoint_format":"2"`, 1)
	})
	if err := os.WriteFile(path, newer, 0o644); err != nil {
		t.Fatal(err)
	}

	c, _, err := d.LatestCheckpoint()
	if !errors.Is(err, ErrNewerFormat) || c != nil {
		t.Errorf("got %v, %v; want ErrNewerFormat and no checkpoint", c, err)
	}
}

func TestSaveCheckpointReadOnly(t *testing.T) {
	d := newRun(t)
	save(t, d, 100, 200)
	checkpoints := filepath.Join(d.Path, checkpointsDir)
	before := snapshot(t, checkpoints)
	makeReadOnly(t, checkpoints)

	_, err := d.SaveCheckpoint(testCheckpoint(300))
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("error %v, want ErrReadOnly", err)
	}
	for _, part := range []string{"save checkpoint of step 300", "not writable"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not say %q", err, part)
		}
	}
	if after := snapshot(t, checkpoints); after != before {
		t.Errorf("checkpoints changed by a refused save:\n%s\nwas\n%s", after, before)
	}
	c, warning, err := d.LatestCheckpoint()
	if err != nil || warning != "" {
		t.Fatalf("latest: %v, %q", err, warning)
	}
	checkSameCheckpoint(t, c, testCheckpoint(200))
}

func TestSaveCheckpointRefuses(t *testing.T) {
	tests := []struct {
		name string
		c    *Checkpoint
		want string
	}{
		{"negative step", &Checkpoint{Step: -1}, "negative step"},
		{"reserved key", &Checkpoint{Meta: map[string]string{MetaStep: "3"}}, "reserved"},
		{"shape and data disagree", &Checkpoint{Tensors: map[string]Tensor{
			"w": {Shape: []int{2, 2}, Data: []float32{1, 2, 3}}}}, "holds 4 values, data has 3"},
		{"negative dimension", &Checkpoint{Tensors: map[string]Tensor{
			"w": {Shape: []int{-1}, Data: nil}}}, "negative dimension"},
		{"metadata name", &Checkpoint{Tensors: map[string]Tensor{
			"__metadata__": {Shape: []int{1}, Data: []float32{1}}}}, "not allowed"},
		{"shape that overflows", &Checkpoint{Tensors: map[string]Tensor{
			"w": {Shape: []int{1 << 32, 1 << 32}, Data: nil}}}, "impossibly large"},
		{"empty name", &Checkpoint{Tensors: map[string]Tensor{
			"": {Shape: []int{1}, Data: []float32{1}}}}, "not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newRun(t)
			_, err := d.SaveCheckpoint(tt.c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one saying %q", err, tt.want)
			}
			if files, _ := d.ListCheckpoints(); len(files) != 0 {
				t.Errorf("a refused checkpoint left files %v", files)
			}
		})
	}
}

// benchCheckpoint is about 10 MB of float32 in tensors shaped like a small
// DCGAN's, with the metadata a trainer adds.
func benchCheckpoint() (*Checkpoint, int) {
	const values = 10 << 20 / 4
	c := &Checkpoint{Step: 1000, Tensors: map[string]Tensor{}, Meta: map[string]string{
		"rng": "AAECAwQFBgcICQ==", "dataset": "sha256:0123456789abcdef"}}
	for i, left := 0, values; left > 0; i++ {
		n := min(left, 1<<18)
		data := make([]float32, n)
		for j := range data {
			data[j] = float32(j%1000) * 0.001
		}
		c.Tensors[fmt.Sprintf("layer%02d.weight", i)] = Tensor{Shape: []int{n}, Data: data}
		left -= n
	}
	return c, 4 * values
}

// BenchmarkSaveCheckpoint measures a whole save: encoding, checksum, write,
// fsync of the file and of the directory, and pruning.
func BenchmarkSaveCheckpoint(b *testing.B) {
	c, size := benchCheckpoint()
	d := newRun(b)
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := range b.N {
		c.Step = 1000 + i
		if _, err := d.SaveCheckpoint(c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeCheckpoint measures the part of a save that is ours to
// speed up: laying out the bytes and hashing them.
func BenchmarkEncodeCheckpoint(b *testing.B) {
	c, size := benchCheckpoint()
	b.SetBytes(int64(size))
	for b.Loop() {
		if _, _, err := encodeCheckpoint(c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadCheckpoint measures loading and verifying a 10 MB checkpoint.
func BenchmarkReadCheckpoint(b *testing.B) {
	c, size := benchCheckpoint()
	d := newRun(b)
	path, err := d.SaveCheckpoint(c)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		if _, err := ReadCheckpoint(path); err != nil {
			b.Fatal(err)
		}
	}
}
