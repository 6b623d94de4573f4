package app

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"ganvas/ui"
)

// backendTimeout bounds every wait on the backend: a deadlock fails the
// test instead of hanging it.
const backendTimeout = 30 * time.Second

// listener reads a backend's updates as the window does, until closed, as
// the window is.
type listener struct {
	t       *testing.T
	mu      sync.Mutex
	updates []ui.Update
	wake    chan struct{} // closed and replaced on every update
	quit    chan struct{}
	ended   chan struct{}
}

func listen(t *testing.T, b *studioBackend) *listener {
	l := &listener{t: t, wake: make(chan struct{}), quit: make(chan struct{}),
		ended: make(chan struct{})}
	go func() {
		defer close(l.ended)
		for {
			select {
			case <-l.quit:
				return
			case u := <-b.Updates():
				l.mu.Lock()
				l.updates = append(l.updates, u)
				close(l.wake)
				l.wake = make(chan struct{})
				l.mu.Unlock()
			}
		}
	}()
	t.Cleanup(l.close)
	return l
}

// close stops reading, as a closed window does.
func (l *listener) close() {
	select {
	case <-l.quit:
	default:
		close(l.quit)
	}
	<-l.ended
}

// from returns the updates received since the first n.
func (l *listener) from(n int) []ui.Update {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]ui.Update(nil), l.updates[n:]...)
}

func (l *listener) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.updates)
}

// until waits for an update after the first n that satisfies ok.
func (l *listener) until(n int, what string, ok func(ui.Update) bool) {
	l.t.Helper()
	deadline := time.After(backendTimeout)
	for {
		l.mu.Lock()
		wake := l.wake
		l.mu.Unlock()
		for _, u := range l.from(n) {
			if ok(u) {
				return
			}
		}
		select {
		case <-wake:
		case <-deadline:
			l.t.Fatalf("no %s after %v", what, backendTimeout)
		}
	}
}

func (l *listener) untilTraining(n int) {
	l.t.Helper()
	l.until(n, "training step", func(u ui.Update) bool {
		p, ok := u.(ui.Progress)
		return ok && p.Step > 0
	})
}

// dones returns the Done updates after the first n.
func (l *listener) dones(n int) []ui.Done {
	var dones []ui.Done
	for _, u := range l.from(n) {
		if d, ok := u.(ui.Done); ok {
			dones = append(dones, d)
		}
	}
	return dones
}

// within runs fn and fails the test if it has not returned in time.
func within[T any](t *testing.T, what string, fn func() T) T {
	t.Helper()
	result := make(chan T, 1)
	go func() { result <- fn() }()
	select {
	case r := <-result:
		return r
	case <-time.After(backendTimeout):
		t.Fatalf("%s did not return within %v", what, backendTimeout)
		panic("unreachable")
	}
}

func testSettings(folder string) ui.Settings {
	return ui.Settings{Folder: folder, Resolution: 32, Width: 8, BatchSize: 8,
		LearningRate: 2e-4, Augment: true}
}

// TestBackendQuickControl drives the window's backend as a person clicking
// fast would: start, stop, continue, stop, five times with no pause between;
// a second start while training runs; a stop while a save is in flight; a
// stop while the images are still loading. Every call must return, each
// session must end with exactly one Done and no error, every run must stay
// whole, and no goroutine may be left behind.
func TestBackendQuickControl(t *testing.T) {
	data := writeFolder(t, 10)
	b := newStudioBackend(t.TempDir(), newRecentRuns(""))
	l := listen(t, b)
	settings := testSettings(data)

	// A first session brings up what the numeric libraries keep for the
	// life of the process before the leak check starts counting.
	if _, err := b.StartTraining(settings); err != nil {
		t.Fatal(err)
	}
	l.untilTraining(0)
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
	ignore := goleak.IgnoreCurrent()

	// Stop returns once its session's Done is handed to the listener, which
	// records it a moment later: wait for every ended session's Done before
	// counting, or a late one lands in the next round.
	ended := 1
	settled := func() {
		l.until(0, "every Done", func(ui.Update) bool { return len(l.dones(0)) >= ended })
	}
	var dirs []string
	for i := range 5 {
		settled()
		n := l.count()
		info, err := within(t, "StartTraining", func() result { return call(b.StartTraining(settings)) }).get()
		if err != nil {
			t.Fatalf("round %d: start: %v", i, err)
		}
		dirs = append(dirs, info.Dir)
		if err := within(t, "Stop", b.Stop); err != nil {
			t.Fatalf("round %d: stop after start: %v", i, err)
		}
		if _, err := within(t, "ContinueTraining", func() result {
			return call(b.ContinueTraining(info.Dir, 0))
		}).get(); err != nil {
			t.Fatalf("round %d: continue: %v", i, err)
		}
		if err := within(t, "Stop", b.Stop); err != nil {
			t.Fatalf("round %d: stop after continue: %v", i, err)
		}
		ended += 2
		l.until(n, "two Done updates", func(ui.Update) bool { return len(l.dones(n)) >= 2 })
		dones := l.dones(n)
		if len(dones) != 2 || dones[0].Err != nil || dones[1].Err != nil {
			t.Errorf("round %d: Done updates %+v, want two without error", i, dones)
		}
	}

	// A second start while one trains is refused in plain words.
	if _, err := b.StartTraining(settings); err != nil {
		t.Fatal(err)
	}
	n := l.count()
	named := filepath.Join(t.TempDir(), "named") // as given with -run
	b.nextRunDir = named
	_, err := b.StartTraining(settings)
	if err == nil || !strings.Contains(err.Error(), "already running") {
		t.Errorf("a second start while training: %v, want a plain refusal", err)
	}
	if b.nextRunDir != named {
		t.Errorf("the refused start used up the folder given with -run")
	}
	b.nextRunDir = ""

	// Switching to another run while one trains: it can be looked at, not
	// trained.
	other := dirs[0]
	if _, err := b.ContinueTraining(other, 0); err == nil ||
		!strings.Contains(err.Error(), "already running") {
		t.Errorf("continuing another run while training: %v, want a plain refusal", err)
	}
	ctx := context.Background()
	for range 3 {
		if _, err := b.OpenRun(ctx, other); err != nil {
			t.Errorf("opening another run while training: %v", err)
		}
		if _, err := b.ListSamples(ctx, other); err != nil {
			t.Errorf("listing another run's samples while training: %v", err)
		}
		if _, err := b.ReadMetrics(ctx, other); err != nil {
			t.Errorf("reading another run's metrics while training: %v", err)
		}
	}

	// A stop while a save is in flight: both return, the save either lands
	// or is overtaken by the stop's own.
	l.untilTraining(n)
	saved := make(chan error, 1)
	go func() { saved <- b.SaveCheckpoint() }()
	if err := within(t, "Stop", b.Stop); err != nil {
		t.Fatalf("stop during a save: %v", err)
	}
	if err := within(t, "SaveCheckpoint", func() error { return <-saved }); err != nil &&
		!strings.Contains(err.Error(), "stopped") {
		t.Errorf("a save overtaken by a stop: %v", err)
	}

	// A stop straight after a start lands while the images load.
	if _, err := b.StartTraining(settings); err != nil {
		t.Fatal(err)
	}
	if err := within(t, "Stop", b.Stop); err != nil {
		t.Fatalf("stop while loading: %v", err)
	}

	for _, dir := range dirs {
		inspectRun(t, dir)
	}
	goleak.VerifyNone(t, ignore)
}

// TestBackendWindowClosesMidSave closes the window, which stops reading
// updates, while a checkpoint is being saved and training runs. Shutting the
// backend down must then stop training with a checkpoint of its last step,
// without anyone reading updates, and leave no goroutine behind.
func TestBackendWindowClosesMidSave(t *testing.T) {
	data := writeFolder(t, 10)
	b := newStudioBackend(t.TempDir(), newRecentRuns(""))
	l := listen(t, b)
	info, err := b.StartTraining(testSettings(data))
	if err != nil {
		t.Fatal(err)
	}
	l.untilTraining(0)
	ignore := goleak.IgnoreCurrent()

	saved := make(chan error, 1)
	go func() { saved <- b.SaveCheckpoint() }()
	l.close()
	within(t, "shutdown", func() bool { b.shutdown(); return true })
	if err := within(t, "SaveCheckpoint", func() error { return <-saved }); err != nil &&
		!strings.Contains(err.Error(), "stopped") {
		t.Errorf("the save in flight: %v", err)
	}
	if _, err := b.StartTraining(testSettings(data)); err == nil {
		t.Error("the backend started training after it was shut down")
	}
	goleak.VerifyNone(t, ignore)

	// Training stopped with a checkpoint of its last step: no metrics row
	// lies beyond it.
	if st := inspectRun(t, info.Dir); st.step <= 0 || st.lastStep > st.step {
		t.Errorf("after closing, the newest checkpoint is of step %d, the last logged step %d",
			st.step, st.lastStep)
	}
}

// result carries a RunInfo and an error through within.
type result struct {
	info ui.RunInfo
	err  error
}

func call(info ui.RunInfo, err error) result { return result{info, err} }

func (r result) get() (ui.RunInfo, error) { return r.info, r.err }

// TestOpenedRunShowsItsEpochAndTime: the window's figures for a run it
// opens come from the run's metrics, epoch and training time included, and
// its settings form shows what the run trains with.
func TestOpenedRunShowsItsEpochAndTime(t *testing.T) {
	trainedRun(t, false) // writes the fixture's images
	runDir := filepath.Join(t.TempDir(), "run")
	trainOn(t, runDir, 12) // a row of metrics every 10 steps
	b := newStudioBackend(t.TempDir(), newRecentRuns(""))
	rows, err := b.ReadMetrics(context.Background(), runDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("no metrics read from a trained run")
	}
	last := rows[len(rows)-1]
	// 10 steps of 8 images from a folder of 10 go round it several times.
	if last.Step != 10 || last.Epoch < 1 || last.Elapsed <= 0 {
		t.Errorf("the last row reads step %d, epoch %d, %v trained; want step 10, a later "+
			"epoch and the time it took", last.Step, last.Epoch, last.Elapsed)
	}

	info, err := b.OpenRun(context.Background(), runDir)
	if err != nil {
		t.Fatal(err)
	}
	// train trains at 32 px, width 8, batch 8, with the default recipe.
	got := info.Settings
	if got.Resolution != 32 || got.Width != 8 || got.BatchSize != 8 || !got.Augment {
		t.Errorf("the opened run's settings read %d px, width %d, batch %d, augment %v; "+
			"want 32 px, width 8, batch 8, augment on", got.Resolution, got.Width,
			got.BatchSize, got.Augment)
	}
}

// TestScanOffersTheStyleClasses: the window offers one class per subfolder
// for the built-in style, whose images lie in four subfolders, and not for
// a folder of loose images.
func TestScanOffersTheStyleClasses(t *testing.T) {
	b := newStudioBackend(t.TempDir(), newRecentRuns(""))
	scan, err := b.ScanFolder(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"animals", "food", "plants", "sky"}; !slices.Equal(scan.Classes, want) {
		t.Errorf("the built-in style offers classes %q, want %q", scan.Classes, want)
	}

	flat := t.TempDir()
	for _, name := range []string{"a.png", "b.png"} {
		img := image.NewRGBA(image.Rect(0, 0, 8, 8))
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(flat, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if scan, err = b.ScanFolder(context.Background(), flat); err != nil {
		t.Fatal(err)
	}
	if scan.Images != 2 || scan.Classes != nil {
		t.Errorf("a folder of 2 loose images scans as %d images in classes %q, want 2 in none",
			scan.Images, scan.Classes)
	}
}
