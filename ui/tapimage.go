package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// tappableImage shows an image scaled to fit, as canvas.ImageFillContain
// does, and reports taps in the image's own pixels.
type tappableImage struct {
	widget.BaseWidget

	image *canvas.Image

	// onTapped gets the pixel tapped and the tap's position in the window,
	// for a menu to open there. Taps beside the image are not reported.
	onTapped func(x, y int, at fyne.Position)
}

func newTappableImage(img *canvas.Image, onTapped func(x, y int, at fyne.Position)) *tappableImage {
	t := &tappableImage{image: img, onTapped: onTapped}
	t.ExtendBaseWidget(t)
	return t
}

// Tapped reports the pixel under the pointer.
func (t *tappableImage) Tapped(ev *fyne.PointEvent) {
	if t.image.Image == nil || t.onTapped == nil {
		return
	}
	b := t.image.Image.Bounds()
	x, y, ok := imagePixel(b.Dx(), b.Dy(), t.Size(), ev.Position)
	if ok {
		t.onTapped(x, y, ev.AbsolutePosition)
	}
}

// imagePixel returns the pixel of a w×h image, shown centred and scaled to
// fit in area, that lies under pos, and false when pos is beside the image.
func imagePixel(w, h int, area fyne.Size, pos fyne.Position) (int, int, bool) {
	if w <= 0 || h <= 0 || area.Width <= 0 || area.Height <= 0 {
		return 0, 0, false
	}
	scale := min(area.Width/float32(w), area.Height/float32(h))
	left := (area.Width - scale*float32(w)) / 2
	top := (area.Height - scale*float32(h)) / 2
	fx, fy := (pos.X-left)/scale, (pos.Y-top)/scale
	if fx < 0 || fy < 0 || fx >= float32(w) || fy >= float32(h) {
		return 0, 0, false
	}
	return int(fx), int(fy), true
}

func (t *tappableImage) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(t.image)
}
