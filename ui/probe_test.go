package ui

import (
	"image/color"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// TestGridRedrawsAreCappedAtFrameRate streams grids far faster than a
// screen shows them and checks, through Options.Applied, that the window
// puts at most one batch on screen per frame while every step still
// reaches it.
func TestGridRedrawsAreCappedAtFrameRate(t *testing.T) {
	var batches, grids, updates int
	var first, last time.Time
	applied := func(n int, grid bool) {
		now := time.Now()
		if batches == 0 {
			first = now
		}
		batches, updates, last = batches+1, updates+n, now
		if grid {
			grids++
		}
	}
	backend := newFakeBackend()
	s, loop := newTestStudio(t, backend, Options{Applied: applied})
	test.Tap(s.controls.train)
	loop.runUntil(t, "training", func() bool { return s.state == stateTraining })
	loop.settle()
	batches, grids, updates = 0, 0, 0

	// A backend sends a step and a grid every millisecond for 300 ms:
	// fifteen times as often as a screen shows frames.
	var sent atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		start := time.Now()
		for i := 1; time.Since(start) < 300*time.Millisecond; i++ {
			backend.updates <- Progress{Step: i, LossD: 1, LossG: 1}
			backend.updates <- Samples{Step: i, Grid: solidImage(2, 2, color.Gray{Y: uint8(i)})}
			sent.Store(int64(i))
			time.Sleep(time.Millisecond)
		}
	}()
	loop.runUntil(t, "the sender has stopped", func() bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	})
	loop.runUntil(t, "the last step is shown", func() bool { return s.lastStep == int(sent.Load()) })
	loop.settle()

	// A screen shows 60 frames a second; one more frame allows for the
	// first batch having waited for the main goroutine.
	frames := int(last.Sub(first)/(time.Second/60)) + 2
	if grids == 0 || grids > frames {
		t.Errorf("%d grids drawn in %v, want between 1 and %d (one a frame)",
			grids, last.Sub(first), frames)
	}
	if batches > frames {
		t.Errorf("%d batches applied in %v, want at most %d", batches, last.Sub(first), frames)
	}
	if updates != int(sent.Load()) {
		t.Errorf("Applied counted %d progress updates, want the %d sent", updates, sent.Load())
	}
}

// TestPauseButtonBounds checks that the rectangle a measurement watches is
// the Pause button: its size, in the control bar at the top of the
// training view, right of the sidebar.
func TestPauseButtonBounds(t *testing.T) {
	s, _ := newTestStudio(t, newFakeBackend(), Options{})
	canvas := s.window.Canvas().Size()
	got := s.PauseButtonBounds()
	size := s.controls.pause.Size()

	if got.Dx() != int(size.Width+0.5) || got.Dy() != int(size.Height+0.5) {
		t.Errorf("bounds %v, want the button's size %v", got, size)
	}
	if got.Min.X < int(canvas.Width/5) || got.Max.X > int(canvas.Width) ||
		got.Min.Y < 0 || got.Max.Y > int(canvas.Height/5) {
		t.Errorf("bounds %v, want inside the top of the training view of a %v window", got, canvas)
	}
	if got := s.TimelineBounds(); !got.Empty() {
		t.Errorf("timeline at %v with no saved grid to move to, want nowhere", got)
	}
}
