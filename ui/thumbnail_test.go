package ui

import (
	"image"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// checker returns a 4×4 image of two colours in a checkerboard, so that
// smoothing would show as blended edges in a golden image.
func checker(a, b color.Color) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for y := range 4 {
		for x := range 4 {
			c := a
			if (x+y)%2 == 1 {
				c = b
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// TestThumbnailsRender draws a plain thumbnail, one with a star and one
// selected: pixels stay sharp squares, the star sits under the picture,
// and the selection is framed.
func TestThumbnailsRender(t *testing.T) {
	plain := newThumbnail(64)
	plain.set(checker(color.Black, color.White), "plain")
	starred := newThumbnail(64)
	starred.OnKeep = func() {}
	starred.set(checker(color.RGBA{200, 40, 40, 255}, color.White), "0.5")
	selected := newDoubleTapThumbnail(64)
	selected.set(checker(color.RGBA{40, 40, 200, 255}, color.White), "selected")
	selected.setSelected(true)

	row := container.NewHBox(plain, starred, selected)
	row.Resize(fyne.NewSize(row.MinSize().Width, row.MinSize().Height))
	test.AssertObjectRendersToImage(t, "thumbnails.png", row)
}
