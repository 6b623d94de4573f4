package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ganvas/engine"
	"ganvas/engine/run"
)

// buildGanvas builds the ganvas command into a temporary folder. It is an
// ordinary build even when the tests run with -race, so children train at
// full speed.
func buildGanvas(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ganvas")
	build := exec.Command("go", "build", "-o", bin, "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// runState is what a person resuming a run finds in it.
type runState struct {
	step        int     // step of the newest checkpoint that loads, -1 for none
	elapsed     float64 // training seconds at that checkpoint
	lastStep    int     // step of the last metrics row, 0 for none
	lastSeconds float64 // training seconds of the last metrics row
	samples     int     // sample grids, each of which decodes
}

// inspectRun checks everything a crash could have damaged in the run at dir
// and fails the test on the first fault: config.json must parse and hold a
// valid config, the newest checkpoint must load without falling back,
// metrics.csv must parse with strictly increasing steps, and every sample
// grid must decode as a PNG.
func inspectRun(t *testing.T, dir string) runState {
	t.Helper()
	d, err := run.Open(dir)
	if err != nil {
		t.Fatalf("the run no longer opens: %v", err)
	}
	var cfg engine.Config
	if err := d.LoadConfig(&cfg); err != nil {
		t.Fatalf("config.json: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config.json holds an invalid config: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil || !json.Valid(raw) {
		t.Fatalf("config.json is not valid JSON (%v): %q", err, raw)
	}

	st := runState{step: -1}
	c, warning, err := d.LatestCheckpoint()
	switch {
	case errors.Is(err, run.ErrNoCheckpoint):
	case err != nil:
		t.Fatalf("no checkpoint loads: %v", err)
	case warning != "":
		t.Fatalf("the newest checkpoint is damaged: %s", warning)
	default:
		st.step = c.Step
		ns, _ := strconv.ParseInt(c.Meta["elapsed_ns"], 10, 64)
		st.elapsed = time.Duration(ns).Seconds()
	}

	m, err := d.ReadMetrics()
	if err != nil {
		t.Fatalf("metrics.csv: %v", err)
	}
	steps, seconds := m.Column("step"), m.Column("seconds")
	for i := 1; i < len(steps); i++ {
		if steps[i] <= steps[i-1] {
			t.Fatalf("metrics.csv: step %v follows step %v", steps[i], steps[i-1])
		}
	}
	if len(steps) > 0 {
		st.lastStep, st.lastSeconds = int(steps[len(steps)-1]), seconds[len(seconds)-1]
	}

	samples, err := d.ListSamples()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		data, err := os.ReadFile(s.Path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(data)); err != nil {
			t.Fatalf("sample grid %s does not decode: %v", filepath.Base(s.Path), err)
		}
	}
	st.samples = len(samples)
	return st
}

// tempFiles lists the temporary files of unfinished saves in the run.
func tempFiles(dir string) map[string]bool {
	temps := map[string]bool{}
	for _, sub := range []string{"", "checkpoints", "samples"} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".tmp-") {
				temps[filepath.Join(sub, e.Name())] = true
			}
		}
	}
	return temps
}

// waitForSave polls the run's checkpoints folder until a checkpoint is being
// written, and reports whether one was seen before the deadline.
func waitForSave(dir string, deadline time.Time, known map[string]bool) bool {
	folder := filepath.Join(dir, "checkpoints")
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(folder)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp-") && !known[filepath.Join("checkpoints", e.Name())] {
				return true
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	return false
}

// TestKillDuringTrainingLosesNothing kills `ganvas train` with SIGKILL
// twenty-five times: half at random moments, half the instant a checkpoint
// file starts being written. After each kill the run must be whole (see
// inspectRun), its newest checkpoint must not be older than the one before
// the kill, at most one checkpoint interval of training may be lost, and a
// short continuation must resume and exit 0. Some kills must be seen to land
// in the middle of a save, by the temporary file they leave.
func TestKillDuringTrainingLosesNothing(t *testing.T) {
	const (
		kills    = 25
		interval = 250 * time.Millisecond
		// slack is the longest a single step, with its sample grid and
		// checkpoint, may take on a loaded machine: the schedule is checked
		// after each step, so a save can be that late.
		slack = time.Second
	)
	bin := buildGanvas(t)
	data := writeFolder(t, 10)
	dir := filepath.Join(t.TempDir(), "run")
	train := func(ctx context.Context, extra ...string) *exec.Cmd {
		args := append([]string{"train", "-run", dir, "-data", data, "-res", "32", "-width", "8",
			"-batch", "8", "-quality-every", "0", "-checkpoint-every", interval.String()}, extra...)
		return exec.CommandContext(ctx, bin, args...)
	}
	continueTo := func(steps int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := train(ctx, "-steps", strconv.Itoa(steps)).CombinedOutput()
		if err != nil {
			t.Fatalf("continuing to step %d: %v\n%s", steps, err, out)
		}
		if strings.Contains(string(out), "could not be used") {
			t.Fatalf("continuing fell back to an older checkpoint:\n%s", out)
		}
	}
	continueTo(2)
	before := inspectRun(t, dir)
	loopStart := time.Now()

	rng := rand.New(rand.NewPCG(7, 25))
	var midSave, timed, threeCheckpoints int
	for i := range kills {
		known := tempFiles(dir)
		cmd := train(context.Background(), "-steps", "0")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		started := time.Now()
		if i%2 == 1 {
			if waitForSave(dir, started.Add(10*time.Second), known) {
				timed++
			}
		} else {
			// From the middle of starting up to a few checkpoints in.
			time.Sleep(300*time.Millisecond + time.Duration(rng.Int64N(int64(1500*time.Millisecond))))
		}
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if status, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !status.Signaled() {
			t.Fatalf("kill %d: training ended by itself (%v) before the kill:\n%s", i, err, &stderr)
		}

		for name := range tempFiles(dir) {
			if !known[name] {
				midSave++
				break
			}
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "step-*")); len(files) > 2 {
			threeCheckpoints++ // killed between a save and the removal of the oldest
		}

		after := inspectRun(t, dir)
		if after.step < before.step {
			t.Fatalf("kill %d: the newest checkpoint went back from step %d to %d",
				i, before.step, after.step)
		}
		lost := time.Duration((after.lastSeconds - after.elapsed) * float64(time.Second))
		if lost > interval+slack {
			t.Errorf("kill %d: %v of training since the newest checkpoint (step %d) is lost; "+
				"checkpoints are due every %v", i, lost.Round(time.Millisecond), after.step, interval)
		}
		continueTo(after.step + 2)
		before = inspectRun(t, dir)
		if before.step != after.step+2 {
			t.Fatalf("kill %d: the continuation to step %d saved step %d", i, after.step+2, before.step)
		}
	}

	t.Logf("%d kills in %v: %d timed to a save, %d left a save unfinished, %d between a "+
		"save and the removal of the oldest checkpoint; the run reached step %d", kills,
		time.Since(loopStart).Round(time.Second), timed, midSave, threeCheckpoints, before.step)
	if midSave < 3 {
		t.Errorf("only %d of %d kills landed in the middle of a save; the test did not "+
			"exercise what it is for", midSave, kills)
	}
}

// TestCheckpointEveryFlag checks that -checkpoint-every is documented, sets
// how often a checkpoint is written, and is a setting of the session: a
// resumed run takes the interval it is given then.
func TestCheckpointEveryFlag(t *testing.T) {
	code, stdout, _ := ganvas("train", "-h")
	if code != 0 || !strings.Contains(stdout, "-checkpoint-every") {
		t.Fatalf("train -h does not document -checkpoint-every:\n%s", stdout)
	}
	if code, _, stderr := ganvas("train", "-run", t.TempDir(), "-checkpoint-every", "0s"); code == 0 ||
		!strings.Contains(stderr, "checkpoint") {
		t.Errorf("-checkpoint-every 0s: exit %d, %q", code, stderr)
	}

	dir := filepath.Join(t.TempDir(), "run")
	code, _, stderr := ganvas("train", "-run", dir, "-data", writeFolder(t, 10), "-steps", "1",
		"-res", "32", "-width", "8", "-batch", "8", "-quality-every", "0",
		"-checkpoint-every", "1.5s")
	if code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	if got := checkpointInterval(t, dir); got != 1500*time.Millisecond {
		t.Errorf("-checkpoint-every 1.5s: the run saves every %v", got)
	}
	cfg := engine.DefaultConfig()
	cfg.CheckpointSeconds = 7
	if _, err := engine.NewTrainer(dir, cfg); err != nil {
		t.Fatal(err)
	}
	if got := checkpointInterval(t, dir); got != 7*time.Second {
		t.Errorf("resumed with an interval of 7s, the run saves every %v", got)
	}
}

func checkpointInterval(t *testing.T, dir string) time.Duration {
	t.Helper()
	d, err := run.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var cfg engine.Config
	if err := d.LoadConfig(&cfg); err != nil {
		t.Fatal(err)
	}
	return seconds(cfg.CheckpointSeconds)
}
