package run

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testConfig stands for the trainer's config in these tests.
type testConfig struct {
	Latent    int     `json:"latent"`
	LearnRate float64 `json:"learn_rate"`
	Folder    string  `json:"folder"`
}

// newRun creates a fresh run in a temporary directory.
func newRun(t testing.TB) *Dir {
	t.Helper()
	d, err := Create(filepath.Join(t.TempDir(), "run"), testConfig{64, 2e-4, "/art"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCreateAndOpen(t *testing.T) {
	want := testConfig{Latent: 128, LearnRate: 1e-4, Folder: "/home/ana/ink"}
	path := filepath.Join(t.TempDir(), "nested", "ink-run")

	d, err := Create(path, want)
	if err != nil {
		t.Fatal(err)
	}
	if !IsRun(path) {
		t.Error("IsRun is false for a created run")
	}

	d, err = Open(d.Path)
	if err != nil {
		t.Fatal(err)
	}
	var got testConfig
	if err := d.LoadConfig(&got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("config %+v, want %+v", got, want)
	}
	var wrong []string
	if err := d.LoadConfig(&wrong); err == nil || !strings.Contains(err.Error(), configFile) {
		t.Errorf("loading into the wrong type: error %v, want one naming %s", err, configFile)
	}

	// The file states its format, so a later ganvas can tell what it reads.
	data, err := os.ReadFile(filepath.Join(path, configFile))
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Format int            `json:"format"`
		Config map[string]any `json:"config"`
	}
	if err := json.Unmarshal(data, &env); err != nil || env.Format != RunFormat {
		t.Errorf("config.json %s: format %d, %v", data, env.Format, err)
	}
	if env.Config["folder"] != want.Folder {
		t.Errorf("config.json %s does not hold the config", data)
	}
}

func TestSaveConfig(t *testing.T) {
	d := newRun(t)
	want := testConfig{Latent: 32, LearnRate: 5e-4, Folder: "/other"}
	if err := d.SaveConfig(want); err != nil {
		t.Fatal(err)
	}
	var got testConfig
	if err := d.LoadConfig(&got); err != nil || got != want {
		t.Errorf("config %+v, %v; want %+v", got, err, want)
	}

	if err := d.SaveConfig(func() {}); err == nil || !strings.Contains(err.Error(), "JSON") {
		t.Errorf("saving a config that is not JSON: error %v", err)
	}
	if err := d.LoadConfig(&got); err != nil || got != want {
		t.Errorf("after a refused save the config is %+v, %v; want %+v", got, err, want)
	}
}

func TestCreateRefuses(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  error
		says  string
	}{
		{"a file", func(t *testing.T, path string) {
			writeFile(t, path, "not a directory")
		}, ErrNotRun, "it is a file"},
		{"an existing run", func(t *testing.T, path string) {
			if _, err := Create(path, testConfig{}); err != nil {
				t.Fatal(err)
			}
		}, ErrRunExists, "already exists"},
		{"a folder of images", func(t *testing.T, path string) {
			writeFile(t, filepath.Join(path, "cat.png"), "png")
		}, ErrNotEmpty, "cat.png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run")
			tt.setup(t, path)
			before := snapshot(t, path)

			_, err := Create(path, testConfig{Latent: 1})
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("error %v, want %v saying %q", err, tt.want, tt.says)
			}
			if after := snapshot(t, path); after != before {
				t.Errorf("refused Create changed %s:\n%s\nwas\n%s", path, after, before)
			}
		})
	}
}

func TestCreateInEmptyOrHiddenOnlyDirectory(t *testing.T) {
	path := t.TempDir()
	writeFile(t, filepath.Join(path, ".DS_Store"), "")
	if _, err := Create(path, testConfig{}); err != nil {
		t.Fatalf("Create in a directory with only hidden files: %v", err)
	}
}

func TestCreateReadOnly(t *testing.T) {
	tests := []struct {
		name     string
		readOnly func(t *testing.T, path string) string // returns the directory to protect
	}{
		{"parent read-only", func(t *testing.T, path string) string {
			return filepath.Dir(path)
		}},
		{"empty run directory read-only", func(t *testing.T, path string) string {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
			return path
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run")
			protected := tt.readOnly(t, path)
			makeReadOnly(t, protected)

			_, err := Create(path, testConfig{})
			if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "not writable") {
				t.Fatalf("error %v, want ErrReadOnly", err)
			}

			// Once the directory may be written, a second attempt succeeds.
			setImmutable(protected, false)
			os.Chmod(protected, 0o755)
			if _, err := Create(path, testConfig{}); err != nil {
				t.Errorf("Create after a failed attempt: %v", err)
			}
		})
	}
}

func TestOpenRefuses(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  error
		says  string
	}{
		{"missing", func(t *testing.T, path string) {}, ErrNotRun, "no such directory"},
		{"a file", func(t *testing.T, path string) {
			writeFile(t, path, "")
		}, ErrNotRun, "it is a file"},
		{"a folder without config", func(t *testing.T, path string) {
			writeFile(t, filepath.Join(path, "a.png"), "")
		}, ErrNotRun, "no config.json"},
		{"config without format", func(t *testing.T, path string) {
			writeFile(t, filepath.Join(path, configFile), `{"latent": 3}`)
		}, ErrNotRun, "no format version"},
		{"damaged config", func(t *testing.T, path string) {
			writeFile(t, filepath.Join(path, configFile), `{"format": 1, "config": {"lat`)
		}, nil, "config.json is damaged"},
		{"newer format", func(t *testing.T, path string) {
			writeFile(t, filepath.Join(path, configFile), `{"format": 7, "config": {}}`)
		}, ErrNewerFormat, "run format 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run")
			tt.setup(t, path)

			d, err := Open(path)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) ||
				!strings.Contains(err.Error(), tt.says) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Open: %v, %v; want an error wrapping %v saying %q and the path",
					d, err, tt.want, tt.says)
			}
			if wantRun := tt.want == ErrNewerFormat; IsRun(path) != wantRun {
				t.Errorf("IsRun = %v, want %v", !wantRun, wantRun)
			}
		})
	}
}

// writeFile writes content to path, creating its directory.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshot describes every file under path with its content, to compare a
// directory before and after an operation.
func snapshot(t *testing.T, path string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(path, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		b.WriteString(p)
		if !e.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b.WriteString(" = " + string(data))
		}
		b.WriteByte('\n')
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestOpenRemovesStaleTemporaryFiles(t *testing.T) {
	d := newRun(t)
	checkpoints := filepath.Join(d.Path, checkpointsDir)
	if _, err := d.SaveCheckpoint(testCheckpoint(100)); err != nil {
		t.Fatal(err)
	}

	// What a crash leaves: a half-written temporary file from long ago, and
	// one so young that another process may still be writing it.
	stale := filepath.Join(checkpoints, ".step-000200.safetensors.tmp-123")
	young := filepath.Join(checkpoints, ".step-000300.safetensors.tmp-456")
	for _, p := range []string{stale, young} {
		if err := os.WriteFile(p, []byte("half a checkpoint"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-staleTempAge - time.Minute)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}

	d, err := Open(d.Path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary file still there (%v)", err)
	}
	if _, err := os.Stat(young); err != nil {
		t.Errorf("young temporary file removed: %v", err)
	}

	files, err := d.ListCheckpoints()
	if err != nil || len(files) != 1 || files[0].Step != 100 {
		t.Errorf("checkpoints %v, %v; want only step 100", files, err)
	}
	c, warning, err := d.LatestCheckpoint()
	if err != nil || c.Step != 100 || warning != "" {
		t.Errorf("latest checkpoint %v, %q, %v; want step 100 without warning", c, warning, err)
	}
}
