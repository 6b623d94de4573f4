package ui

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"go.uber.org/goleak"
)

// enabled lists which training buttons can be pressed, for messages.
func enabled(s *Studio) string {
	var out []string
	for _, b := range []*widget.Button{
		s.controls.train, s.controls.pause, s.controls.stop, s.controls.save, s.controls.newRun,
	} {
		if !b.Disabled() {
			out = append(out, b.Text)
		}
	}
	return strings.Join(out, ", ")
}

func TestControlsFollowTrainingState(t *testing.T) {
	backend := newFakeBackend()
	s, loop := newTestStudio(t, backend, Options{})

	if got := enabled(s); got != "Train" {
		t.Fatalf("before training, enabled buttons are %q, want only Train", got)
	}
	if s.form.rate.Disabled() || s.style.chooseButton.Disabled() {
		t.Error("before training, the settings and the folder cannot be changed")
	}

	test.Tap(s.controls.train)
	loop.runUntil(t, "training has started", func() bool { return s.state == stateTraining })
	if got := enabled(s); got != "Pause, Stop, Save checkpoint" {
		t.Errorf("while training, enabled buttons are %q, want Pause, Stop, Save checkpoint", got)
	}
	if !s.form.rate.Disabled() || !s.style.chooseButton.Disabled() {
		t.Error("while training, the settings or the folder can still be changed")
	}

	test.Tap(s.controls.pause)
	loop.runUntil(t, "paused", func() bool { return s.state == statePaused && backend.count("Pause") == 1 })
	if s.controls.pause.Text != "Resume" {
		t.Errorf("paused, the pause button says %q, want Resume", s.controls.pause.Text)
	}
	test.Tap(s.controls.pause)
	loop.runUntil(t, "resumed", func() bool {
		return s.state == stateTraining && backend.count("Resume") == 1
	})
	loop.settle()

	// The last progress and Done arrive together, as they do when training
	// stops: the bar keeps the step but drops the speed.
	backend.updates <- Progress{Step: 9, Steps: 20, ImagesPerSec: 100}
	test.Tap(s.controls.stop)
	loop.runUntil(t, "stopped", func() bool { return s.state == stateIdle && !s.busy })
	loop.settle()
	if got := enabled(s); got != "Continue training, New run" {
		t.Errorf("after stopping, enabled buttons are %q, want Continue training, New run", got)
	}
	if s.stats.step.Text != "Step 9 of 20" || s.stats.speed.Text != "" || s.stats.left.Text != "" {
		t.Errorf("after stopping the bar reads %q, %q, %q; want the step without speed or time left",
			s.stats.step.Text, s.stats.speed.Text, s.stats.left.Text)
	}
	if backend.count("Stop") != 1 {
		t.Errorf("Stop was called %d times, want 1", backend.count("Stop"))
	}
}

func TestTrainShowsProgressAndSamples(t *testing.T) {
	backend := newFakeBackend()
	grids := []color.Color{
		color.RGBA{R: 255, A: 255}, color.RGBA{G: 255, A: 255}, color.RGBA{B: 255, A: 255},
	}
	backend.onStart = func(b *fakeBackend) {
		b.updates <- DatasetLoaded{
			Images: 77, Skipped: 1, First: []SkippedFile{{"a/x.txt", "not an image"}},
		}
		for i, c := range grids {
			step := (i + 1) * 10
			b.updates <- Progress{
				Step: step, Steps: 100, Epoch: i, LossD: 1.2 - 0.1*float64(i), LossG: 0.8,
				DReal: 0.7, DFake: 0.3, ImagesPerSec: 640, Elapsed: time.Duration(step) * time.Second,
			}
			b.updates <- Samples{Step: step, Grid: solidImage(4, 4, c)}
			time.Sleep(30 * time.Millisecond) // let each grid be drawn
		}
	}
	s, loop := newTestStudio(t, backend, Options{})

	test.Tap(s.controls.train)
	// The grid of step 30 follows its progress and is redrawn on a
	// throttle, so wait for both rather than for the figures alone.
	loop.runUntil(t, "step 30 and its grid are shown", func() bool {
		return s.stats.step.Text == "Step 30 of 100" && s.samples.label.Text == "step 30 · latest"
	})
	loop.settle()

	if got := s.charts.losses.Points(s.charts.lossD); got != 3 {
		t.Errorf("the loss chart has %d points, want 3", got)
	}
	img := s.samples.image.Image
	if img == nil {
		t.Fatal("no sample grid is shown")
	}
	if got := color.RGBAModel.Convert(img.At(1, 1)); got != grids[2] {
		t.Errorf("the grid shown is %v, want the last one sent (%v)", got, grids[2])
	}
	if s.samples.label.Text != "step 30 · latest" {
		t.Errorf("the timeline says %q, want %q", s.samples.label.Text, "step 30 · latest")
	}
	if !strings.Contains(s.style.count.Text, "77 images found") {
		t.Errorf("the style panel says %q, want the 77 images the trainer loaded", s.style.count.Text)
	}
	// 30 steps in 30 s at 640 images/s with batch 64 is 10 steps/s: 70 steps
	// left take 7 s.
	if s.stats.left.Text != "About 0:07 left" {
		t.Errorf("time left reads %q, want About 0:07 left", s.stats.left.Text)
	}
	if s.stats.progress.Value != 0.3 {
		t.Errorf("progress bar at %g, want 0.3", s.stats.progress.Value)
	}
}

func TestLoadingIsCountedUp(t *testing.T) {
	backend := newFakeBackend()
	release := make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	backend.onStart = func(b *fakeBackend) {
		b.updates <- Loading{Done: 1200, Total: 20000}
		<-release
		b.updates <- DatasetLoaded{Images: 20000}
		b.updates <- Progress{Step: 1, ImagesPerSec: 64}
	}
	s, loop := newTestStudio(t, backend, Options{})

	test.Tap(s.controls.train)
	loop.runUntil(t, "the loading count is shown", func() bool {
		return s.controls.status.Text == "Loading images: 1200 of 20000…"
	})
	once.Do(func() { close(release) })
	loop.runUntil(t, "the first step", func() bool { return s.state == stateTraining && s.lastStep == 1 })
	loop.settle()
	if strings.Contains(s.controls.status.Text, "Loading") {
		t.Errorf("once training runs the status still reads %q", s.controls.status.Text)
	}
}

func TestPauseReportAddsNoPoint(t *testing.T) {
	backend := newFakeBackend()
	s, loop := newTestStudio(t, backend, Options{})
	test.Tap(s.controls.train)
	loop.runUntil(t, "training", func() bool { return s.state == stateTraining })

	backend.updates <- Progress{Step: 7, Steps: 10, LossD: 0.9, LossG: 1.1, ImagesPerSec: 64}
	loop.runUntil(t, "step 7", func() bool { return s.lastStep == 7 })
	if s.stats.speed.Text == "" {
		t.Fatal("no speed shown while training")
	}
	// The trainer reports the pause with the same step and no losses.
	backend.updates <- Progress{Step: 7, Steps: 10, Paused: true}
	loop.runUntil(t, "paused", func() bool { return s.state == statePaused })

	if got := s.charts.losses.Points(s.charts.lossD); got != 1 {
		t.Errorf("the chart has %d points after a pause report, want 1", got)
	}
	if s.stats.speed.Text != "" || s.stats.left.Text != "" {
		t.Errorf("paused, the bar still shows speed %q and time left %q",
			s.stats.speed.Text, s.stats.left.Text)
	}
}

func TestSamplesAreCoalesced(t *testing.T) {
	backend := newFakeBackend()
	s, loop := newTestStudio(t, backend, Options{})
	test.Tap(s.controls.train)
	loop.runUntil(t, "training", func() bool { return s.state == stateTraining })
	loop.settle()

	// A fast backend sends 300 steps with a grid each before the window
	// gets a chance to draw anything.
	const steps = 300
	for i := 1; i <= steps; i++ {
		backend.updates <- Progress{Step: i, LossD: 1, LossG: 1}
		backend.updates <- Samples{Step: i, Grid: solidImage(2, 2, color.Gray{Y: uint8(i)})}
	}
	before := loop.ran
	loop.runUntil(t, "the last step is shown", func() bool { return s.lastStep == steps })
	loop.settle()

	if batches := loop.ran - before; batches > 30 {
		t.Errorf("600 updates reached the window in %d main-goroutine calls, want them batched", batches)
	}
	if got := s.charts.losses.Points(s.charts.lossD); got != steps {
		t.Errorf("the chart has %d points, want every one of the %d steps", got, steps)
	}
	newest := color.Gray{Y: steps % 256}
	if got := color.GrayModel.Convert(s.samples.image.Image.At(0, 0)); got != newest {
		t.Errorf("the grid shown is %v, want the newest", got)
	}
}

func TestTimelinePicksSavedFrame(t *testing.T) {
	dir := t.TempDir()
	colors := []color.RGBA{{R: 200, A: 255}, {G: 200, A: 255}, {B: 200, A: 255}}
	var frames []SampleFrame
	for i, c := range colors {
		path := writePNG(t, dir, fmt.Sprintf("step-%06d.png", (i+1)*100), solidImage(6, 6, c))
		frames = append(frames, SampleFrame{Step: (i + 1) * 100, Path: path})
	}
	backend := newFakeBackend()
	run := RunInfo{Dir: "/runs/ink", Name: "ink", Step: 300, HasCheckpoint: true,
		Settings: DefaultSettings()}
	backend.runs = []RunInfo{run}
	backend.frames[run.Dir] = frames
	s, loop := newTestStudio(t, backend, Options{RunDir: run.Dir})
	loop.runUntil(t, "the run is open", func() bool { return s.run != nil })

	shown := func() color.Color {
		if s.samples.image.Image == nil {
			return nil
		}
		return color.RGBAModel.Convert(s.samples.image.Image.At(2, 2))
	}
	loop.runUntil(t, "the newest frame is shown", func() bool { return shown() == colors[2] })
	if s.samples.slider.Max != 2 || s.samples.slider.Disabled() {
		t.Fatalf("slider max %g, disabled %v; want 2 and enabled",
			s.samples.slider.Max, s.samples.slider.Disabled())
	}
	// Where a measurement outside the program finds the two on screen.
	if timeline, grid := s.TimelineBounds(), s.SampleGridBounds(); timeline.Empty() ||
		grid.Empty() || timeline.Min.Y < grid.Max.Y {
		t.Errorf("timeline at %v, grid at %v; want both, the timeline under the grid", timeline, grid)
	}

	s.samples.slider.SetValue(1)
	loop.runUntil(t, "frame 1 is shown", func() bool { return shown() == colors[1] })
	if s.samples.label.Text != "step 200" {
		t.Errorf("timeline label %q, want step 200", s.samples.label.Text)
	}
	s.samples.slider.SetValue(0)
	loop.runUntil(t, "frame 0 is shown", func() bool { return shown() == colors[0] })
}

func TestOpenRunShowsCurvesAndContinues(t *testing.T) {
	backend := newFakeBackend()
	run := RunInfo{Dir: "/runs/ink", Name: "ink", Step: 400, HasCheckpoint: true,
		Settings: Settings{Resolution: 32, Width: 16, BatchSize: 32, LearningRate: 1e-4, Steps: 400}}
	backend.runs = []RunInfo{run}
	for i := 1; i <= 4; i++ {
		backend.metrics[run.Dir] = append(backend.metrics[run.Dir],
			Progress{Step: i * 100, LossD: 1, LossG: 2, DReal: 0.6, DFake: 0.4, SWD: 0.5, HasSWD: i%2 == 0})
	}
	s, loop := newTestStudio(t, backend, Options{})
	loop.runUntil(t, "runs listed", func() bool { return len(s.runs.runs) == 1 })

	s.runs.list.Select(0)
	loop.runUntil(t, "the run is open", func() bool { return s.run != nil })
	if got := s.charts.losses.Points(s.charts.lossG); got != 4 {
		t.Errorf("loss chart has %d points, want the 4 logged", got)
	}
	if !s.charts.quality.Visible() || s.charts.quality.Points(s.charts.swd) != 2 {
		t.Error("the SWD chart should show the 2 measured points")
	}
	if s.controls.train.Text != "Continue training" || s.controls.train.Disabled() {
		t.Errorf("train button %q (disabled %v), want Continue training",
			s.controls.train.Text, s.controls.train.Disabled())
	}
	if s.form.width.Selected != "16" || !s.form.width.Disabled() || s.form.steps.Disabled() {
		t.Error("an open run shows its settings fixed, only the step budget editable")
	}

	// Its budget is used up: Train asks for a larger one.
	test.Tap(s.controls.train)
	loop.settle()
	if !strings.Contains(overlayMarkup(s.window), "already at step 400") {
		t.Fatal("continuing with the budget used up should explain why not")
	}
	s.window.Canvas().Overlays().Top().Hide()

	s.form.steps.SetText("1000")
	test.Tap(s.controls.train)
	loop.runUntil(t, "continued", func() bool { return backend.count("ContinueTraining") == 1 })
	if backend.continued[0] != "/runs/ink@1000" {
		t.Errorf("continued %q, want /runs/ink@1000", backend.continued[0])
	}
	if backend.count("StartTraining") != 0 {
		t.Error("continuing a run started a new one")
	}
}

func TestNewRunReturnsToSettings(t *testing.T) {
	backend := newFakeBackend()
	run := RunInfo{Dir: "/runs/ink", Name: "ink", Step: 10, HasCheckpoint: true,
		Settings: Settings{Resolution: 128, Width: 64, BatchSize: 16, LearningRate: 1e-3, Steps: 50}}
	backend.runs = []RunInfo{run}
	s, loop := newTestStudio(t, backend, Options{RunDir: run.Dir})
	loop.runUntil(t, "the run is open", func() bool { return s.run != nil })

	test.Tap(s.controls.newRun)
	if s.run != nil || s.form.resolution.Selected != "64" || s.controls.train.Text != "Train" {
		t.Errorf("New run should return to the default settings; resolution %s, button %q",
			s.form.resolution.Selected, s.controls.train.Text)
	}
}

func TestSettingsReachTheBackend(t *testing.T) {
	backend := newFakeBackend()
	s, loop := newTestStudio(t, backend, Options{})

	s.form.resolution.SetSelected("128")
	s.form.width.SetSelected("64")
	s.form.batch.SetSelected("16")
	s.form.rate.SetText("1e-4")
	s.form.steps.SetText("0")
	s.form.augment.SetChecked(true)
	test.Tap(s.controls.train)
	loop.runUntil(t, "started", func() bool { return backend.count("StartTraining") == 1 })

	want := Settings{Resolution: 128, Width: 64, BatchSize: 16, LearningRate: 1e-4, Augment: true}
	if backend.started[0] != want {
		t.Errorf("started with %+v, want %+v", backend.started[0], want)
	}
}

func TestBadSettingsAreExplained(t *testing.T) {
	backend := newFakeBackend()
	s, loop := newTestStudio(t, backend, Options{})

	s.form.rate.SetText("fast")
	test.Tap(s.controls.train)
	loop.settle()
	if backend.count("StartTraining") != 0 {
		t.Error("training started with a learning rate of \"fast\"")
	}
	if !strings.Contains(overlayMarkup(s.window), "learning rate must be a number") {
		t.Error("no dialog explains the learning rate")
	}
}

func TestErrorsOpenDialogs(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string // in the dialog
	}{
		{"disk full", fmt.Errorf("save checkpoint: write: %w", syscall.ENOSPC), "The disk is full"},
		{
			"checkpoint",
			errors.New("load checkpoint: step-000100.safetensors: checksum mismatch"),
			"checksum mismatch",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			backend := newFakeBackend()
			s, loop := newTestStudio(t, backend, Options{})
			test.Tap(s.controls.train)
			loop.runUntil(t, "training", func() bool { return s.state == stateTraining })

			backend.updates <- Done{Step: 5, Err: tt.err}
			loop.runUntil(t, "a dialog", func() bool { return overlayMarkup(s.window) != "" })
			markup := overlayMarkup(s.window)
			if !strings.Contains(markup, "Training stopped with an error") ||
				!strings.Contains(markup, tt.want) {
				t.Errorf("dialog does not say %q:\n%s", tt.want, markup)
			}
			if s.state != stateIdle || s.controls.train.Disabled() {
				t.Error("after the error the studio should be ready to train again")
			}
		})
	}
}

func TestUnreadableFolderKeepsPrevious(t *testing.T) {
	backend := newFakeBackend()
	s, loop := newTestStudio(t, backend, Options{})

	s.style.scan("/nowhere")
	loop.runUntil(t, "a dialog", func() bool { return overlayMarkup(s.window) != "" })
	if markup := overlayMarkup(s.window); !strings.Contains(markup, "Could not read the folder") ||
		!strings.Contains(markup, "not there any more") {
		t.Errorf("dialog does not explain the missing folder:\n%s", markup)
	}
	if s.style.folder != "" || s.style.name.Text != "Built-in style" || s.controls.train.Disabled() {
		t.Error("a failed scan should keep the previous folder, ready to train")
	}
}

func TestEmptyFolderCannotTrain(t *testing.T) {
	backend := newFakeBackend()
	backend.scans["/empty"] = FolderScan{Skipped: 2, First: []SkippedFile{
		{"/empty/a.txt", "not an image"}, {"/empty/b.png", "truncated PNG"},
	}}
	s, loop := newTestStudio(t, backend, Options{})

	s.style.scan("/empty")
	loop.runUntil(t, "the folder is shown", func() bool { return s.style.folder == "/empty" })
	if !s.controls.train.Disabled() {
		t.Error("Train is enabled for a folder without images")
	}
	markup := test.RenderObjectToMarkup(s.style.card)
	for _, want := range []string{"No images here", "2 files cannot be used"} {
		if !strings.Contains(markup, want) {
			t.Errorf("style panel does not say %q", want)
		}
	}
	s.style.skippedItem.Open = true
	s.style.skippedBox.Refresh()
	markup = test.RenderObjectToMarkup(s.style.card)
	if !strings.Contains(markup, "b.png: truncated PNG") {
		t.Error("the skipped files do not show why")
	}
}

// TestPauseShowsAtOnce: the button and status change in the same turn of
// the main goroutine as the press, and a progress report the trainer sent
// before it saw the pause does not undo it on screen.
func TestPauseShowsAtOnce(t *testing.T) {
	backend := newFakeBackend()
	s, loop := newTestStudio(t, backend, Options{})
	test.Tap(s.controls.train)
	loop.runUntil(t, "training", func() bool { return s.state == stateTraining })

	s.trainingCalls.Lock() // the backend has not heard of the pause yet
	test.Tap(s.controls.pause)
	if s.controls.pause.Text != "Resume" || !strings.HasPrefix(s.controls.status.Text, "Paused") {
		t.Errorf("right after the press the button says %q and the status %q, want Resume and Paused",
			s.controls.pause.Text, s.controls.status.Text)
	}
	backend.updates <- Progress{Step: 41, ImagesPerSec: 64}
	loop.runUntil(t, "the late report is applied", func() bool { return s.lastStep == 41 })
	if s.state != statePaused || s.controls.pause.Text != "Resume" {
		t.Errorf("a report from before the pause turned the window back to %q", s.controls.pause.Text)
	}
	s.trainingCalls.Unlock()
	loop.runUntil(t, "the backend pauses", func() bool { return backend.count("Pause") == 1 })
	loop.settle()
	if s.state != statePaused {
		t.Error("after the backend paused, the window does not show it paused")
	}
}

// TestQuickTogglesEndAsAsked presses Space three times faster than the
// backend answers: whatever order the calls reach it in, training ends
// paused, as the window shows.
func TestQuickTogglesEndAsAsked(t *testing.T) {
	backend := newFakeBackend()
	s, loop := newTestStudio(t, backend, Options{})
	test.Tap(s.controls.train)
	loop.runUntil(t, "training", func() bool { return s.state == stateTraining })

	s.trainingCalls.Lock()
	for range 3 {
		s.window.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeySpace})
	}
	s.trainingCalls.Unlock()
	loop.runUntil(t, "three calls reach the backend", func() bool {
		return backend.count("Pause")+backend.count("Resume") == 3
	})
	loop.settle()
	if backend.last() != "Pause" || s.state != statePaused || s.controls.pause.Text != "Resume" {
		t.Errorf("after three presses the backend's last call is %s and the button says %q; "+
			"want Pause and Resume", backend.last(), s.controls.pause.Text)
	}
}

// TestRefusedPauseIsUndone: when the backend cannot pause, the window goes
// back to training and says why.
func TestRefusedPauseIsUndone(t *testing.T) {
	backend := newFakeBackend()
	backend.pauseErr = errors.New("the trainer has stopped answering")
	s, loop := newTestStudio(t, backend, Options{})
	test.Tap(s.controls.train)
	loop.runUntil(t, "training", func() bool { return s.state == stateTraining })

	test.Tap(s.controls.pause)
	loop.runUntil(t, "the refusal is shown", func() bool {
		return strings.Contains(overlayMarkup(s.window), "stopped answering")
	})
	if s.state != stateTraining || s.controls.pause.Text != "Pause" {
		t.Errorf("after a refused pause the button says %q, want Pause", s.controls.pause.Text)
	}
}

func TestKeyboardShortcuts(t *testing.T) {
	backend := newFakeBackend()
	s, loop := newTestStudio(t, backend, Options{})
	c := s.window.Canvas()

	c.(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{
		KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault})
	loop.runUntil(t, "Ctrl+Enter starts training", func() bool { return s.state == stateTraining })

	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeySpace})
	loop.runUntil(t, "Space pauses", func() bool { return s.state == statePaused })
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeySpace})
	loop.runUntil(t, "Space resumes", func() bool { return s.state == stateTraining })

	c.(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{
		KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault})
	loop.runUntil(t, "Ctrl+S saves", func() bool { return backend.count("SaveCheckpoint") == 1 })
	loop.runUntil(t, "the save is reported", func() bool {
		return strings.HasPrefix(s.controls.status.Text, "Checkpoint saved")
	})
}

func TestSaveFailureIsShown(t *testing.T) {
	backend := newFakeBackend()
	backend.saveErr = fmt.Errorf("save checkpoint: %w", syscall.ENOSPC)
	s, loop := newTestStudio(t, backend, Options{})
	test.Tap(s.controls.train)
	loop.runUntil(t, "training", func() bool { return s.state == stateTraining })

	test.Tap(s.controls.save)
	loop.runUntil(t, "a dialog", func() bool { return overlayMarkup(s.window) != "" })
	if markup := overlayMarkup(s.window); !strings.Contains(markup, "Could not save a checkpoint") {
		t.Errorf("dialog does not say the save failed:\n%s", markup)
	}
	if s.state != stateTraining || s.controls.save.Disabled() {
		t.Error("a failed save should leave training running and Save available")
	}
}

func TestCloseWhileTrainingSavesFirst(t *testing.T) {
	backend := newFakeBackend()
	s, loop := newTestStudio(t, backend, Options{})
	closed := false
	s.window.SetOnClosed(func() { closed = true; s.cancel() })
	test.Tap(s.controls.train)
	loop.runUntil(t, "training", func() bool { return s.state == stateTraining })

	s.requestClose()
	if !strings.Contains(overlayMarkup(s.window), "Saving before closing") {
		t.Error("no note says the window is saving before it closes")
	}
	loop.runUntil(t, "closed", func() bool { return closed })
	if backend.count("Stop") != 1 {
		t.Errorf("Stop was called %d times before closing, want 1", backend.count("Stop"))
	}
}

func TestCloseKeepsWindowWhenSaveFails(t *testing.T) {
	backend := newFakeBackend()
	backend.stopErr = fmt.Errorf("save checkpoint: %w", syscall.ENOSPC)
	s, loop := newTestStudio(t, backend, Options{})
	closed := false
	s.window.SetOnClosed(func() { closed = true; s.cancel() })
	test.Tap(s.controls.train)
	loop.runUntil(t, "training", func() bool { return s.state == stateTraining })

	s.requestClose()
	loop.runUntil(t, "a question", func() bool {
		return strings.Contains(overlayMarkup(s.window), "Close without saving")
	})
	if closed || s.state != statePaused {
		t.Errorf("closed %v, state %v; want the window open and training paused", closed, s.state)
	}
}

func TestCloseWhenIdleIsImmediate(t *testing.T) {
	backend := newFakeBackend()
	s, _ := newTestStudio(t, backend, Options{})
	closed := false
	s.window.SetOnClosed(func() { closed = true; s.cancel() })
	s.requestClose()
	if !closed || backend.count("Stop") != 0 {
		t.Errorf("closed %v, Stop called %d times; want closed at once without Stop",
			closed, backend.count("Stop"))
	}
}

func TestAutostart(t *testing.T) {
	backend := newFakeBackend()
	s, loop := newTestStudio(t, backend, Options{Autostart: true})
	loop.runUntil(t, "training", func() bool { return s.state == stateTraining })
	if backend.count("StartTraining") != 1 {
		t.Errorf("StartTraining called %d times, want 1", backend.count("StartTraining"))
	}
}

func TestBackendGone(t *testing.T) {
	backend := newFakeBackend()
	s, loop := newTestStudio(t, backend, Options{})
	test.Tap(s.controls.train)
	loop.runUntil(t, "training", func() bool { return s.state == stateTraining })

	close(backend.updates)
	loop.runUntil(t, "a dialog", func() bool { return overlayMarkup(s.window) != "" })
	if !strings.Contains(overlayMarkup(s.window), "The trainer stopped") || s.state != stateIdle {
		t.Error("a backend that goes away should end training with a dialog")
	}
}

// TestNoWidgetFromOtherGoroutines checks, under -race, that a busy session
// touches widgets only through the studio's do function.
func TestNoWidgetFromOtherGoroutines(t *testing.T) {
	backend := newFakeBackend()
	backend.onStart = func(b *fakeBackend) {
		for i := range 200 {
			b.updates <- Progress{Step: i, LossD: 1, LossG: 1, Steps: 200, ImagesPerSec: 100}
			b.updates <- Samples{Step: i, Grid: image.NewGray(image.Rect(0, 0, 3, 3))}
		}
	}
	s, loop := newTestStudio(t, backend, Options{})
	test.Tap(s.controls.train)
	loop.runUntil(t, "the last step", func() bool { return s.lastStep == 199 })
	_ = test.RenderObjectToMarkup(s.window.Content())
}

func TestClosingEndsEveryGoroutine(t *testing.T) {
	before := goleak.IgnoreCurrent()
	backend := newFakeBackend()
	s, loop := newTestStudio(t, backend, Options{})
	test.Tap(s.controls.train)
	loop.runUntil(t, "training", func() bool { return s.state == stateTraining })
	backend.updates <- Progress{Step: 1, LossD: 1, LossG: 1}
	backend.updates <- Samples{Step: 1, Grid: solidImage(2, 2, color.White)}

	s.requestClose()
	loop.runUntil(t, "closed", func() bool { return s.ctx.Err() != nil })
	s.workers.Wait()
	goleak.VerifyNone(t, before)
}

// TestClassesOfferedForSubfolders checks that a folder whose subfolders hold
// images offers one class per subfolder, that the choice reaches the
// backend, and that a folder without classes neither offers nor sends it.
func TestClassesOfferedForSubfolders(t *testing.T) {
	backend := newFakeBackend()
	backend.scans["/art"] = FolderScan{Images: 40, Classes: []string{"ink", "oil"}}
	backend.scans["/flat"] = FolderScan{Images: 40}
	s, loop := newTestStudio(t, backend, Options{})
	offered := func() bool {
		for _, item := range s.form.form.Items {
			if item.Widget == s.form.classes {
				return true
			}
		}
		return false
	}
	if offered() {
		t.Fatal("the built-in style without classes offers one class per subfolder")
	}

	s.style.scan("/art")
	loop.runUntil(t, "the folder with classes is shown", func() bool {
		return s.style.folder == "/art"
	})
	if !offered() || s.form.classes.Disabled() {
		t.Fatal("a folder with two subfolders of images does not offer a class per subfolder")
	}
	if !s.form.classes.Checked {
		t.Error("a folder with subfolders of images does not train a class each by default")
	}

	s.style.scan("/flat")
	loop.runUntil(t, "the folder without classes is shown", func() bool {
		return s.style.folder == "/flat"
	})
	if offered() || s.form.classes.Checked {
		t.Error("a folder without subfolders still offers classes, or keeps them chosen")
	}

	s.style.scan("/art")
	loop.runUntil(t, "the folder with classes is shown again", func() bool {
		return s.style.folder == "/art"
	})
	test.Tap(s.controls.train)
	loop.runUntil(t, "started", func() bool { return backend.count("StartTraining") == 1 })
	if got := backend.started[0]; !got.Conditional || got.Folder != "/art" {
		t.Errorf("started with %+v, want one class per subfolder of /art", got)
	}
	if !s.form.classes.Disabled() {
		t.Error("while training, the choice of classes can still be changed")
	}
}

// TestSidebarScrollsToTheLastSetting: the style card grows when a scan
// brings thumbnails, and the settings when a folder offers classes; the
// sidebar must still scroll far enough to show the last setting.
func TestSidebarScrollsToTheLastSetting(t *testing.T) {
	backend := newFakeBackend()
	thumbs := make([]image.Image, 8)
	for i := range thumbs {
		thumbs[i] = solidImage(8, 8, color.White)
	}
	backend.scans["/art"] = FolderScan{Images: 40, Thumbnails: thumbs, Classes: []string{"ink", "oil"},
		Skipped: 1, First: []SkippedFile{{"/art/notes.txt", "not an image"}}}
	s, loop := newTestStudio(t, backend, Options{})

	s.style.scan("/art")
	loop.runUntil(t, "the folder is shown", func() bool { return s.style.folder == "/art" })
	loop.settle()
	content := s.choices.Content
	if got, need := content.Size().Height, content.MinSize().Height; got < need {
		t.Errorf("the sidebar scrolls over %.0f px of content that needs %.0f: "+
			"the last settings cannot be reached", got, need)
	}
}
