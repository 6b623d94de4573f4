package app

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ganvas/engine/run"
	"ganvas/engine/run/runtest"
)

// tinyTrain trains the run at dir to steps at the smallest settings.
func tinyTrain(t *testing.T, dir, data string, steps string) (code int, stderr string) {
	t.Helper()
	code, _, stderr = ganvas("train", "-run", dir, "-data", data, "-steps", steps,
		"-res", "32", "-width", "8", "-batch", "8", "-quality-every", "0")
	return code, stderr
}

// loggedStep returns the step of the last metrics row of the run at dir,
// or 0 while it has none.
func loggedStep(dir string) int {
	d, err := run.Open(dir)
	if err != nil {
		return 0
	}
	m, err := d.ReadMetrics()
	if err != nil || len(m.Rows) == 0 {
		return 0
	}
	return int(m.Rows[len(m.Rows)-1][0])
}

// checkUntouched fails the test unless each file still holds what it held
// and no temporary file of a failed save is left in dir.
func checkUntouched(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for path, want := range files {
		if got, err := os.ReadFile(path); err != nil || string(got) != want {
			t.Errorf("%s now holds %q (%v), want %q", filepath.Base(path), got, err, want)
		}
	}
	for name := range tempFiles(dir) {
		t.Errorf("a failed save left %s behind", name)
	}
}

// TestCommandsOnAFullDisk fills the disk under a run while `ganvas train`
// trains it, and under the files that the export commands replace. Training
// must go on, say what it could not save, and end with an error saying its
// last steps are not saved; starting or exporting on the full disk must fail
// in one line that says the disk is full. Every earlier file must be left as
// it was, and with room made again every command must work.
func TestCommandsOnAFullDisk(t *testing.T) {
	bin := buildGanvas(t)
	disk := runtest.SmallDisk(t, 12)
	data := writeFolder(t, 10)
	dir := filepath.Join(disk, "run")
	grid := filepath.Join(disk, "grid.png")
	gif := filepath.Join(disk, "timelapse.gif")
	old := map[string]string{grid: "yesterday's grid", gif: "yesterday's timelapse"}
	for path, content := range old {
		os.WriteFile(path, []byte(content), 0o644)
	}

	// The disk fills up once training has logged a few steps.
	cmd := exec.Command(bin, "train", "-run", dir, "-data", data, "-steps", "400", "-res", "32",
		"-width", "8", "-batch", "8", "-quality-every", "0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for loggedStep(dir) < 20 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("training logged no step 20 within a minute:\n%s", &stderr)
		}
		time.Sleep(5 * time.Millisecond)
	}
	filler := runtest.Fill(t, disk)
	metrics, _ := os.ReadFile(filepath.Join(dir, "metrics.csv"))
	err := cmd.Wait()
	out := stderr.String()
	if err == nil || !strings.Contains(out, "not saved") || !strings.Contains(out, "the disk is full") {
		t.Errorf("train on a disk that filled up: %v, %q", err, out)
	}
	if !strings.Contains(out, "warning: Could not save the sample grid") {
		t.Errorf("train did not warn that it could not save a sample grid: %q", out)
	}
	if st := inspectRun(t, dir); st.step != 0 {
		t.Errorf("the newest checkpoint is of step %d, want step 0's from before the disk filled",
			st.step)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "metrics.csv")); !strings.HasPrefix(
		string(now), string(metrics)) {
		t.Error("metrics.csv lost rows written before the disk filled up")
	}

	for _, args := range [][]string{
		{"train", "-run", dir, "-steps", "500"},
		{"sample", "-run", dir, "-n", "16", "-out", grid},
		{"timelapse", "-run", dir, "-out", gif},
		{"sample", "-run", dir, "-n", "2", "-out", filepath.Join(disk, "each") + "/"},
	} {
		code, _, stderr := ganvas(args...)
		if code == 0 {
			t.Errorf("%s: exit 0 on a full disk", args[0])
			continue
		}
		checkOneLine(t, args[0], stderr, "the disk is full")
	}
	checkUntouched(t, disk, old)
	if files, _ := filepath.Glob(filepath.Join(disk, "each", "*")); len(files) > 0 {
		t.Errorf("sampling into a folder on a full disk left %v", files)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if code, stderr := tinyTrain(t, dir, data, "2"); code != 0 {
		t.Fatalf("train with room again: %s", stderr)
	}
	if code, _, stderr := ganvas("sample", "-run", dir, "-n", "4", "-out", grid); code != 0 {
		t.Fatalf("sample with room again: %s", stderr)
	}
	decode(t, grid)
}

// TestExportsToAReadOnlyFolder writes exports into a folder that refuses
// changes, root included: each command must say the folder is not writable
// and leave the files in it as they were.
func TestExportsToAReadOnlyFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if code, stderr := tinyTrain(t, dir, writeFolder(t, 10), "2"); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	folder := t.TempDir()
	grid := filepath.Join(folder, "grid.png")
	gif := filepath.Join(folder, "timelapse.gif")
	old := map[string]string{grid: "yesterday's grid", gif: "yesterday's timelapse"}
	for path, content := range old {
		os.WriteFile(path, []byte(content), 0o644)
	}
	runtest.Lock(t, folder)

	for _, args := range [][]string{
		{"sample", "-run", dir, "-n", "4", "-out", grid},
		{"timelapse", "-run", dir, "-out", gif},
	} {
		code, _, stderr := ganvas(args...)
		if code == 0 {
			t.Errorf("%s: exit 0 into a read-only folder", args[0])
			continue
		}
		checkOneLine(t, args[0], stderr, "not writable")
	}
	runtest.Unlock(t, folder)
	checkUntouched(t, folder, old)
}
