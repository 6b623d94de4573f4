package ui

import (
	"image"

	"fyne.io/fyne/v2"
)

// PauseButtonBounds returns where the Pause/Resume button is drawn, in
// pixels from the top left of the window's content, or an empty rectangle
// while it is not laid out. It lets a measurement outside the program watch
// the button on screen. Call it on the main goroutine.
func (s *Studio) PauseButtonBounds() image.Rectangle {
	return s.pixelBounds(s.controls.pause)
}

// TimelineBounds returns where the timeline slider under the sample grid is
// drawn, as PauseButtonBounds does, or an empty rectangle while there is no
// earlier grid to move to. Call it on the main goroutine.
func (s *Studio) TimelineBounds() image.Rectangle {
	if s.samples.slider.Disabled() {
		return image.Rectangle{}
	}
	return s.pixelBounds(s.samples.slider)
}

// SampleGridBounds returns where the sample grid is drawn, as
// PauseButtonBounds does. Call it on the main goroutine.
func (s *Studio) SampleGridBounds() image.Rectangle {
	return s.pixelBounds(s.samples.image)
}

// pixelBounds returns where o is drawn in window pixels, or an empty
// rectangle while it is hidden or not laid out.
func (s *Studio) pixelBounds(o fyne.CanvasObject) image.Rectangle {
	app := fyne.CurrentApp()
	if app == nil || !o.Visible() || o.Size().IsZero() {
		return image.Rectangle{}
	}
	at := app.Driver().AbsolutePositionForObject(o)
	size := o.Size()
	scale := s.window.Canvas().Scale()
	pixels := func(v float32) int { return int(v*scale + 0.5) }
	return image.Rect(pixels(at.X), pixels(at.Y), pixels(at.X+size.Width), pixels(at.Y+size.Height))
}
