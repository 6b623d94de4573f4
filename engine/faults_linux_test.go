package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ganvas/engine/run"
	"ganvas/engine/run/runtest"
)

// faultConfig is the smallest config that trains: the fault tests need
// steps, not learning. Only the saves a test asks for are made.
func faultConfig(data string) Config {
	cfg := tinyConfig(data, 0)
	cfg.Width, cfg.Batch = 4, 4
	cfg.LogEvery, cfg.SampleEvery, cfg.QualityEvery = 1, 2, 0
	cfg.CheckpointSeconds = 3600
	return cfg
}

// saveNow asks w's trainer for a checkpoint and returns the result.
func saveNow(t *testing.T, w *watched) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	return w.tr.SaveNow(ctx)
}

// listCheckpoints returns the checkpoint steps and any temporary files left
// in the run's checkpoints folder.
func listCheckpoints(t *testing.T, dir string) (steps []int, temps []string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "checkpoints"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := run.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := d.ListCheckpoints()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		steps = append(steps, f.Step)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			temps = append(temps, e.Name())
		}
	}
	return steps, temps
}

// countWarnings counts the warnings that contain text.
func countWarnings(w *watched, text string) int {
	n := 0
	for _, s := range w.warnings() {
		if strings.Contains(s, text) {
			n++
		}
	}
	return n
}

// TestReadOnlyRunKeepsTraining makes a run's folders read-only in the middle
// of training, as a disk remounted read-only would. The checkpoint asked for
// must fail with a clear error and a warning, training must go on, and the
// checkpoint already there must still load. Once the folders are writable
// again, the next save must succeed.
func TestReadOnlyRunKeepsTraining(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	cfg := faultConfig(writeShapes(t, 12))
	w := watch(t, dir, cfg)
	w.untilStep(3)

	folders := []string{dir, filepath.Join(dir, "checkpoints"), filepath.Join(dir, "samples")}
	for _, f := range folders {
		runtest.Lock(t, f)
	}
	err := saveNow(t, w)
	if !errors.Is(err, run.ErrReadOnly) || !strings.Contains(err.Error(), "not writable") {
		t.Fatalf("saving into a read-only run: %v, want an error saying it is not writable", err)
	}
	w.until("a warning about the checkpoint", func(m Message) bool {
		warning, ok := m.(Warning)
		return ok && strings.Contains(warning.Text, "Could not save a checkpoint")
	})
	failedAt := w.currentStep()
	w.untilStep(failedAt + 3)

	steps, temps := listCheckpoints(t, dir)
	if len(steps) != 1 || steps[0] != 0 || len(temps) > 0 {
		t.Errorf("checkpoints %v and temporary files %v, want only step 0's", steps, temps)
	}

	for _, f := range folders {
		runtest.Unlock(t, f)
	}
	if err := saveNow(t, w); err != nil {
		t.Fatalf("saving once the run is writable again: %v", err)
	}
	stepAfter := w.currentStep()
	if err := w.stop(); err != nil {
		t.Fatal(err)
	}
	if step := checkRunIntact(t, dir); step < stepAfter {
		t.Errorf("newest checkpoint is of step %d, want %d or later", step, stepAfter)
	}
}

// TestFullDiskKeepsTraining fills the disk a run lives on while it trains.
// Checkpoints, sample grids and metrics rows cannot be written: each says so
// once, training goes on, and nothing written before is damaged. Stopping
// with the disk still full is an error that says the last steps are not
// saved. With room made again, the run resumes from its last good
// checkpoint and saves again.
func TestFullDiskKeepsTraining(t *testing.T) {
	disk := runtest.SmallDisk(t, 24)
	dir := filepath.Join(disk, "run")
	cfg := faultConfig(writeShapes(t, 12))
	w := watch(t, dir, cfg)
	w.untilStep(3)
	if err := saveNow(t, w); err != nil {
		t.Fatal(err)
	}
	good := checkRunIntact(t, dir)
	metricsBefore, _ := os.ReadFile(filepath.Join(dir, "metrics.csv"))

	filler := runtest.Fill(t, disk)
	err := saveNow(t, w)
	if !errors.Is(err, run.ErrDiskFull) || !strings.Contains(err.Error(), "disk is full") {
		t.Fatalf("saving onto a full disk: %v, want an error saying the disk is full", err)
	}
	failedAt := w.currentStep()
	w.untilStep(failedAt + 3*cfg.SampleEvery) // past three sample grids and metrics rows
	w.until("a warning about the sample grid", func(m Message) bool {
		warning, ok := m.(Warning)
		return ok && strings.Contains(warning.Text, "Could not save the sample grid")
	})

	// Rows may still fit in the last page of metrics.csv, so that warning
	// may not have come yet; each of the others must have come just once.
	for _, what := range []string{"Could not save a checkpoint", "Could not write metrics",
		"Could not save the sample grid"} {
		if n := countWarnings(w, what); n > 1 || n == 0 && what != "Could not write metrics" {
			t.Errorf("%d warnings saying %q, want one: %q", n, what, w.warnings())
		}
	}
	if step := checkRunIntact(t, dir); step != good {
		t.Errorf("the newest loadable checkpoint is now of step %d, was %d", step, good)
	}
	if metricsNow, _ := os.ReadFile(filepath.Join(dir, "metrics.csv")); !strings.HasPrefix(
		string(metricsNow), string(metricsBefore)) {
		t.Error("metrics.csv lost rows written before the disk filled up")
	}
	if _, temps := listCheckpoints(t, dir); len(temps) > 0 {
		t.Errorf("failed saves left %v behind on the full disk", temps)
	}

	// Stopping cannot save the last steps, and says so.
	err = w.stop()
	if !errors.Is(err, run.ErrDiskFull) || !strings.Contains(err.Error(), "not saved") {
		t.Fatalf("stopping on a full disk: %v, want an error saying the steps are not saved", err)
	}
	if done, ok := w.last().(Done); !ok || !errors.Is(done.Err, run.ErrDiskFull) {
		t.Errorf("last message %#v, want Done carrying the error", w.last())
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	w = watch(t, dir, cfg)
	w.untilStep(good + 2)
	if err := saveNow(t, w); err != nil {
		t.Fatalf("saving after making room: %v", err)
	}
	if err := w.stop(); err != nil {
		t.Fatal(err)
	}
	if step := checkRunIntact(t, dir); step < good+2 {
		t.Errorf("after making room the newest checkpoint is of step %d", step)
	}
}
