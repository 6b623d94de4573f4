package ui

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// starIcon is a five-pointed star, drawn in the theme's foreground colour:
// Fyne's theme has no icon for keeping a favourite.
var starIcon = theme.NewThemedResource(fyne.NewStaticResource("star-icon.svg", []byte(
	`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">`+
		`<path fill="#000000" d="M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 `+
		`1.3-6.6-4.9-4.6 6.6-.8z"/></svg>`)))

// thumbnail is a small generated image with a caption. A person can tap it,
// double-tap it, and, when it has OnKeep, press its star to keep it as a
// favourite. Selected draws a frame around it. Like every widget it must
// only be used on the Fyne main goroutine.
type thumbnail struct {
	widget.BaseWidget

	OnTapped       func()
	OnDoubleTapped func()
	OnKeep         func()

	picture  *canvas.Image
	caption  *widget.Label
	frame    *canvas.Rectangle
	star     *widget.Button
	selected bool
}

func newThumbnail(size float32) *thumbnail {
	t := buildThumbnail(size)
	t.ExtendBaseWidget(t)
	return t
}

// buildThumbnail makes a thumbnail's parts; the caller extends the widget.
func buildThumbnail(size float32) *thumbnail {
	t := &thumbnail{
		picture: &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScalePixels},
		caption: widget.NewLabel(""),
		frame:   canvas.NewRectangle(color.Transparent),
	}
	t.picture.SetMinSize(fyne.NewSquareSize(size))
	t.caption.Alignment = fyne.TextAlignCenter
	t.caption.SizeName = theme.SizeNameCaptionText
	t.frame.StrokeWidth = 3
	t.frame.CornerRadius = theme.InputRadiusSize()
	t.star = widget.NewButtonWithIcon("", starIcon, func() {
		if t.OnKeep != nil {
			t.OnKeep()
		}
	})
	t.star.Importance = widget.LowImportance
	t.star.Hide()
	return t
}

// set shows img with a caption; nil shows an empty square.
func (t *thumbnail) set(img image.Image, caption string) {
	if t.picture.Image != img {
		t.picture.Image = img
		t.picture.Refresh()
	}
	setLabel(t.caption, caption)
	t.star.Hidden = t.OnKeep == nil || img == nil
	t.star.Refresh()
}

// setSelected draws or removes the selection frame.
func (t *thumbnail) setSelected(selected bool) {
	if t.selected == selected {
		return
	}
	t.selected = selected
	t.frame.StrokeColor = color.Transparent
	t.frame.FillColor = color.Transparent
	if selected {
		t.frame.StrokeColor = theme.Color(theme.ColorNamePrimary)
		t.frame.FillColor = theme.Color(theme.ColorNameSelection)
	}
	t.frame.Refresh()
}

// Tapped calls OnTapped.
func (t *thumbnail) Tapped(*fyne.PointEvent) {
	if t.OnTapped != nil {
		t.OnTapped()
	}
}

// CreateRenderer lays the picture over its frame, with the caption and
// the star under it.
func (t *thumbnail) CreateRenderer() fyne.WidgetRenderer {
	under := container.NewBorder(nil, nil, nil, t.star, t.caption)
	body := container.NewBorder(nil, under, nil, nil, t.picture)
	return widget.NewSimpleRenderer(container.NewStack(t.frame, container.NewPadded(body)))
}

// doubleTapThumbnail is a thumbnail that also answers double taps. It is a
// type of its own because a widget that takes double taps makes Fyne wait
// to tell a single tap from the first of two, which only the gallery wants.
type doubleTapThumbnail struct {
	*thumbnail
}

func newDoubleTapThumbnail(size float32) *doubleTapThumbnail {
	t := &doubleTapThumbnail{buildThumbnail(size)}
	// Favourites' names may be long; the gallery's cells keep one width.
	t.caption.Truncation = fyne.TextTruncateEllipsis
	t.ExtendBaseWidget(t)
	return t
}

// DoubleTapped calls OnDoubleTapped.
func (t *doubleTapThumbnail) DoubleTapped(*fyne.PointEvent) {
	if t.OnDoubleTapped != nil {
		t.OnDoubleTapped()
	}
}
