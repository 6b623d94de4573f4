package ui

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestMain(m *testing.M) {
	// The tests read English texts, whatever the machine's language.
	os.Setenv("LC_ALL", "en_US.UTF-8")
	os.Setenv("LANGUAGE", "en")

	// One test app for all tests keeps Fyne's font caches warm between them;
	// measuring text is most of the cost of building a window.
	test.NewApp()
	os.Exit(m.Run())
}

// fakeBackend is a Backend whose answers a test sets up and whose calls it
// can check. Its training methods answer at once; updates are whatever the
// test or onStart sends.
type fakeBackend struct {
	updates chan Update

	mu    sync.Mutex
	calls []string

	// Answers; set before the studio starts, or under mu.
	scans     map[string]FolderScan
	scanErr   error
	runs      []RunInfo
	metrics   map[string][]Progress
	frames    map[string][]SampleFrame
	startErr  error
	stopErr   error
	pauseErr  error
	saveErr   error
	openErr   error
	lastStep  int
	started   []Settings
	continued []string
	onStart   func(b *fakeBackend) // runs on its own goroutine after StartTraining
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{
		updates: make(chan Update, 1024),
		scans: map[string]FolderScan{
			"": {Images: 120, Thumbnails: []image.Image{solidImage(8, 8, color.White)}},
		},
		metrics: map[string][]Progress{},
		frames:  map[string][]SampleFrame{},
	}
}

func (b *fakeBackend) record(call string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls = append(b.calls, call)
}

// last returns the newest call recorded, or "".
func (b *fakeBackend) last() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.calls) == 0 {
		return ""
	}
	return b.calls[len(b.calls)-1]
}

// count returns how many times a method was called.
func (b *fakeBackend) count(call string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, c := range b.calls {
		if c == call {
			n++
		}
	}
	return n
}

func (b *fakeBackend) Updates() <-chan Update { return b.updates }

func (b *fakeBackend) ScanFolder(_ context.Context, folder string) (FolderScan, error) {
	b.record("ScanFolder")
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.scanErr != nil {
		return FolderScan{}, b.scanErr
	}
	scan, ok := b.scans[folder]
	if !ok {
		return FolderScan{}, fmt.Errorf("scan folder: open %s: %w", folder, os.ErrNotExist)
	}
	scan.Folder = folder
	return scan, nil
}

func (b *fakeBackend) StartTraining(settings Settings) (RunInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Recorded under the lock, after what the call changes, so a test that
	// sees the call also sees its effect.
	defer func() { b.calls = append(b.calls, "StartTraining") }()
	if b.startErr != nil {
		return RunInfo{}, b.startErr
	}
	b.started = append(b.started, settings)
	if b.onStart != nil {
		go b.onStart(b)
	}
	return RunInfo{Dir: "/runs/new", Name: "new", Settings: settings}, nil
}

func (b *fakeBackend) ContinueTraining(runDir string, steps int) (RunInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Recorded under the lock, after what the call changes, so a test that
	// sees the call also sees its effect.
	defer func() { b.calls = append(b.calls, "ContinueTraining") }()
	b.continued = append(b.continued, fmt.Sprintf("%s@%d", runDir, steps))
	for _, r := range b.runs {
		if r.Dir == runDir {
			r.Settings.Steps = steps
			return r, nil
		}
	}
	return RunInfo{}, fmt.Errorf("continue %s: %w", runDir, os.ErrNotExist)
}

func (b *fakeBackend) Pause() error {
	b.record("Pause")
	b.mu.Lock()
	err := b.pauseErr
	b.mu.Unlock()
	if err != nil {
		return err
	}
	b.updates <- Progress{Step: b.step(), Paused: true}
	return nil
}

func (b *fakeBackend) Resume() error {
	b.record("Resume")
	b.updates <- Progress{Step: b.step()}
	return nil
}

func (b *fakeBackend) SaveCheckpoint() error {
	b.record("SaveCheckpoint")
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.saveErr != nil {
		return b.saveErr
	}
	b.updates <- CheckpointSaved{Step: b.lastStep, Path: "/runs/new/checkpoint"}
	return nil
}

func (b *fakeBackend) Stop() error {
	b.record("Stop")
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopErr != nil {
		return b.stopErr
	}
	b.updates <- Done{Step: b.lastStep}
	return nil
}

func (b *fakeBackend) RecentRuns(context.Context) ([]RunInfo, error) {
	b.record("RecentRuns")
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.runs), nil
}

func (b *fakeBackend) OpenRun(_ context.Context, runDir string) (RunInfo, error) {
	b.record("OpenRun")
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.openErr != nil {
		return RunInfo{}, b.openErr
	}
	for _, r := range b.runs {
		if r.Dir == runDir {
			return r, nil
		}
	}
	return RunInfo{}, fmt.Errorf("open run %s: no run there", runDir)
}

func (b *fakeBackend) ListSamples(_ context.Context, runDir string) ([]SampleFrame, error) {
	b.record("ListSamples")
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.frames[runDir]), nil
}

func (b *fakeBackend) ReadMetrics(_ context.Context, runDir string) ([]Progress, error) {
	b.record("ReadMetrics")
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.metrics[runDir]), nil
}

func (b *fakeBackend) step() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lastStep
}

// mainLoop stands in for the Fyne main goroutine: the studio hands it
// functions, and the test goroutine runs them while it waits for something.
// The test driver's own fyne.Do would run them on the calling goroutine,
// which is not what a real window does.
type mainLoop struct {
	funcs chan func()
	ran   int
}

func newMainLoop() *mainLoop {
	return &mainLoop{funcs: make(chan func(), 4096)}
}

func (l *mainLoop) do(f func()) {
	l.funcs <- f
}

// runUntil runs handed functions until cond holds, failing the test if it
// does not within a few seconds.
func (l *mainLoop) runUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for !cond() {
		select {
		case f := <-l.funcs:
			f()
			l.ran++
		case <-deadline:
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// settle runs handed functions until none arrives for a short while.
func (l *mainLoop) settle() {
	for {
		select {
		case f := <-l.funcs:
			f()
			l.ran++
		case <-time.After(50 * time.Millisecond):
			return
		}
	}
}

// newTestStudio opens a studio on backend in a test window and waits for
// its first folder scan.
func newTestStudio(t *testing.T, backend *fakeBackend, options Options) (*Studio, *mainLoop) {
	t.Helper()
	w := test.NewWindow(widget.NewLabel(""))
	loop := newMainLoop()
	s := newStudio(w, backend, options, loop.do)
	t.Cleanup(func() {
		// A test that closed the window has cancelled the studio itself.
		if s.ctx.Err() == nil {
			w.Close()
		}
		s.workers.Wait()
	})
	loop.settle()
	return s, loop
}

// solidImage returns a w×h image of one colour.
func solidImage(w, h int, c color.Color) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	return img
}

// writePNG saves an image as a PNG file in dir and returns its path.
func writePNG(t *testing.T, dir, name string, img image.Image) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// overlayMarkup returns the markup of the topmost dialog, or "" when none
// is open.
func overlayMarkup(w fyne.Window) string {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	return test.RenderObjectToMarkup(top)
}
