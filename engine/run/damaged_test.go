package run

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDamagedCheckpointIsNotKeptToFallBackOn resumes a run whose newest
// checkpoint is damaged, from the one before, and trains past the damaged
// step. The next save must keep the good checkpoint to fall back on, not the
// damaged one, so that one more damaged file still leaves a way back.
func TestDamagedCheckpointIsNotKeptToFallBackOn(t *testing.T) {
	d := newRun(t)
	save(t, d, 100, 200)
	damaged := filepath.Join(d.Path, checkpointsDir, stepFileName(200, checkpointExt))
	if err := os.WriteFile(damaged, []byte("not a checkpoint"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, warning, err := d.LatestCheckpoint()
	if err != nil || c.Step != 100 || warning == "" {
		t.Fatalf("latest: step %v, warning %q, error %v; want step 100 with a warning", c, warning, err)
	}

	save(t, d, 250)
	if got := checkpointSteps(t, d); !slices.Equal(got, []int{100, 250}) {
		t.Fatalf("checkpoints %v, want [100 250]: the damaged one must go", got)
	}
	newest := filepath.Join(d.Path, checkpointsDir, stepFileName(250, checkpointExt))
	if err := os.Truncate(newest, 100); err != nil {
		t.Fatal(err)
	}
	if c, _, err := d.LatestCheckpoint(); err != nil || c.Step != 100 {
		t.Fatalf("with the newest damaged too: %v, %v; want step 100", c, err)
	}

	// A damaged step written again whole is kept like any other.
	save(t, d, 250, 300)
	if got := checkpointSteps(t, d); !slices.Equal(got, []int{250, 300}) {
		t.Errorf("checkpoints %v, want [250 300]", got)
	}
}

// TestCreateRefusesDamagedRun asks for a new run where a run's config.json
// no longer reads: the error must name the damage, not call the folder
// merely not empty, and the folder must be left as it was.
func TestCreateRefusesDamagedRun(t *testing.T) {
	for _, config := range []string{`{"format": 1, "conf`, `{}`, ``} {
		path := filepath.Join(t.TempDir(), "run")
		writeFile(t, filepath.Join(path, configFile), config)
		writeFile(t, filepath.Join(path, "metrics.csv"), "step,loss\n1,0.5\n")
		before := snapshot(t, path)

		_, err := Create(path, testConfig{Latent: 1})
		if err == nil || errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), configFile) {
			t.Errorf("config %q: error %v, want one about %s", config, err, configFile)
		}
		if after := snapshot(t, path); after != before {
			t.Errorf("config %q: refused Create changed the folder", config)
		}
	}
}
