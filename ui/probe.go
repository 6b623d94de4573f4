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
	button := s.controls.pause
	app := fyne.CurrentApp()
	if app == nil || !button.Visible() || button.Size().IsZero() {
		return image.Rectangle{}
	}
	at := app.Driver().AbsolutePositionForObject(button)
	size := button.Size()
	scale := s.window.Canvas().Scale()
	pixels := func(v float32) int { return int(v*scale + 0.5) }
	return image.Rect(pixels(at.X), pixels(at.Y), pixels(at.X+size.Width), pixels(at.Y+size.Height))
}
