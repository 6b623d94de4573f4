package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ganvas/engine/run"
)

// configSeeds are config.json files as a run might hold them: whole, cut
// short, of a newer format, with fields of the wrong type or out of range.
func configSeeds(t testing.TB) []string {
	dir := filepath.Join(t.TempDir(), "run")
	if _, err := run.Create(dir, tinyConfig("", 10)); err != nil {
		t.Fatal(err)
	}
	whole, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	return []string{
		string(whole),
		string(whole[:len(whole)/2]),
		strings.Replace(string(whole), `"format": 1`, `"format": 2`, 1),
		strings.Replace(string(whole), `"resolution": 32`, `"resolution": "32"`, 1),
		strings.Replace(string(whole), `"batch": 8`, `"batch": -8`, 1),
		strings.Replace(string(whole), `"learning_rate": 0.0002`, `"learning_rate": 1e999`, 1),
		`{"format": 1, "config": null}`,
		`{"format": 1, "config": []}`,
		`{"format": 1}`,
		`{}`,
		`null`,
		"",
		"\x00\xff{",
	}
}

// openConfig reads the run's config as NewTrainer does when it resumes a
// run: the stored config, with the new budgets, validated.
func openConfig(dir string) (Config, error) {
	tr, err := NewTrainer(dir, tinyConfig("", 10))
	if err != nil {
		return Config{}, err
	}
	return tr.Config(), nil
}

// checkConfigError fails the test unless err is a plain error: one line
// that names the operation, and no runtime failure.
func checkConfigError(t *testing.T, data string, err error) {
	t.Helper()
	msg := err.Error()
	switch {
	case strings.Contains(msg, "\n"):
		t.Errorf("config %q: error of several lines: %q", data, msg)
	case !strings.HasPrefix(msg, "run: ") && !strings.HasPrefix(msg, "engine: "):
		t.Errorf("config %q: error %q does not name the operation", data, msg)
	case strings.Contains(msg, "runtime error") || strings.Contains(msg, "panic"):
		t.Errorf("config %q: error %q comes from a crash", data, msg)
	}
}

// TestDamagedConfigIsRefused resumes runs whose config.json is damaged in
// the ways of configSeeds: each is refused with a plain error, except the
// whole one.
func TestDamagedConfigIsRefused(t *testing.T) {
	for i, data := range configSeeds(t) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := openConfig(dir)
		if i == 0 {
			if err != nil || cfg.Resolution != 32 {
				t.Errorf("the whole config: %+v, %v", cfg, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("config %q was accepted as %+v", data, cfg)
			continue
		}
		checkConfigError(t, data, err)
	}
}

// FuzzRunConfig feeds arbitrary bytes as a run's config.json to the code
// that resumes a run. It must never panic, must refuse what it cannot train
// with in one plain line, and whatever it accepts must validate.
func FuzzRunConfig(f *testing.F) {
	for _, s := range configSeeds(f) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "config.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := run.Open(dir)
		if err != nil {
			checkConfigError(t, string(data), err)
			return
		}
		var cfg Config
		if err := d.LoadConfig(&cfg); err != nil {
			checkConfigError(t, string(data), err)
			return
		}
		cfg.Steps = 10 // as NewTrainer sets the new budget
		if err := cfg.Validate(); err != nil {
			checkConfigError(t, string(data), err)
			return
		}
		if cfg.Batch < 2 || cfg.Resolution < 32 || !(cfg.LearningRate > 0) {
			t.Errorf("config %q was accepted as %+v", data, cfg)
		}
	})
}
