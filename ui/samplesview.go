package ui

import (
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // saved sample grids may be JPEG
	_ "image/png"  // or PNG
	"os"
	"reflect"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// frameCacheSize is how many decoded sample grids the timeline keeps, so
// scrubbing back and forth does not read them again.
const frameCacheSize = 16

// samplesView shows a sample grid, pixel-sharp, and a timeline slider over
// the grids the run saved. The slider's last position is the live grid
// while there is one; it stays there as new grids arrive, and a grid picked
// further back stays until the slider moves.
type samplesView struct {
	studio *Studio

	image     *canvas.Image
	hint      *widget.Label
	slider    *widget.Slider
	label     *widget.Label
	timelapse *widget.Button // exports the saved grids as a GIF; nil without an Explorer
	content   fyne.CanvasObject

	frames   []SampleFrame
	live     image.Image // the newest grid from training, or nil
	liveStep int
	position int  // index into frames; len(frames) is the live grid
	atEnd    bool // the slider is at its last position and follows new grids

	cache    map[string]image.Image
	cacheAge []string // cached paths, oldest first
	loading  int      // counts frame loads, so only the newest is shown
	moving   bool     // the slider is being moved by the view, not a person

	listing, listAgain bool // a ListSamples call is under way; another is wanted
}

func newSamplesView(s *Studio) *samplesView {
	v := &samplesView{
		studio: s,
		image:  &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScalePixels},
		hint:   widget.NewLabel(tr("samples.hint")),
		slider: widget.NewSlider(0, 1),
		label:  widget.NewLabel(""),
		cache:  map[string]image.Image{},
		atEnd:  true,
	}
	v.image.SetMinSize(fyne.NewSize(256, 256))
	v.hint.Alignment = fyne.TextAlignCenter
	v.hint.Wrapping = fyne.TextWrapWord
	v.hint.Importance = widget.LowImportance
	v.slider.Step = 1
	v.slider.OnChanged = v.moved
	v.slider.Disable()

	title := widget.NewLabel(tr("samples.title"))
	title.TextStyle.Bold = true
	var header fyne.CanvasObject = title
	timelineLabel := widget.NewLabel(tr("samples.timeline"))
	right := fyne.CanvasObject(v.label)
	var picture fyne.CanvasObject = v.image
	if s.explorer != nil {
		tapHint := widget.NewLabel(tr("samples.tap_hint"))
		tapHint.Importance = widget.LowImportance
		tapHint.Truncation = fyne.TextTruncateEllipsis
		header = container.NewBorder(nil, nil, title, nil, tapHint)
		v.timelapse = widget.NewButtonWithIcon(tr("samples.timelapse"), theme.MediaVideoIcon(), s.exportTimelapse)
		right = container.NewHBox(v.label, v.timelapse)
		picture = newTappableImage(v.image, v.cellTapped)
	}
	timeline := container.NewBorder(nil, nil, timelineLabel, right, v.slider)
	// The hint spans the width, so it wraps instead of growing tall.
	hint := container.NewVBox(layout.NewSpacer(), v.hint, layout.NewSpacer())
	grid := container.NewStack(picture, hint)
	v.content = container.NewBorder(header, timeline, nil, nil, grid)
	v.update()
	return v
}

// cellTapped offers to keep or explore the sample under the pointer: a
// sample of the live grid or of a saved one, whose latent is the same.
func (v *samplesView) cellTapped(x, y int, at fyne.Position) {
	s := v.studio
	if s.run == nil || v.image.Image == nil {
		return
	}
	dir := s.run.Dir
	act := func(explore bool) {
		s.explore.whenOpen(func() {
			s.spawn(func(context.Context) func() {
				r, ok, err := s.explorer.GridRecipe(dir, x, y)
				return func() {
					switch {
					case err != nil:
						s.showError(tr("error.sample_title"), err)
					case !ok || s.run == nil || s.run.Dir != dir:
					case explore:
						s.explore.showRecipe(r)
						s.tabs.Select(s.exploreTab)
					default:
						s.keepFavourite(r, nil)
					}
				}
			})
		})
	}
	menu := fyne.NewMenu("",
		fyne.NewMenuItemWithIcon(tr("samples.keep"), starIcon, func() { act(false) }),
		fyne.NewMenuItemWithIcon(tr("samples.explore"), theme.SearchIcon(), func() { act(true) }),
	)
	widget.ShowPopUpMenuAtPosition(menu, s.window.Canvas(), at)
}

// showLive takes a new grid from training.
func (v *samplesView) showLive(step int, grid image.Image) {
	v.live, v.liveStep = grid, step
	v.update()
	v.reloadFrames()
}

// setFrames takes the list of saved grids of the run.
func (v *samplesView) setFrames(frames []SampleFrame) {
	v.frames = frames
	v.update()
}

// clear forgets every grid, for a new run.
func (v *samplesView) clear() {
	v.frames, v.live, v.position, v.atEnd = nil, nil, 0, true
	v.loading++
	v.update()
}

// last returns the slider's last position, or -1 when there is no grid.
func (v *samplesView) last() int {
	if v.live != nil {
		return len(v.frames)
	}
	return len(v.frames) - 1
}

// update sets the slider to the grids there are and shows the chosen one.
func (v *samplesView) update() {
	last := v.last()
	if v.atEnd || v.position > last {
		v.position = max(last, 0)
	}
	v.moving = true
	v.slider.Max = float64(max(last, 1))
	v.slider.SetValue(float64(v.position))
	v.slider.Refresh()
	v.moving = false
	setEnabled(v.slider, last > 0)
	if v.timelapse != nil {
		setEnabled(v.timelapse, len(v.frames) > 1)
	}
	v.show()
}

// moved follows the slider when a person moves it.
func (v *samplesView) moved(value float64) {
	if v.moving {
		return
	}
	v.position = int(value)
	v.atEnd = v.position >= v.last()
	v.show()
}

// show puts the grid at the slider's position on screen: the live one at
// once, a saved one once it is read from disk.
func (v *samplesView) show() {
	v.loading++
	v.label.Importance = widget.MediumImportance
	switch {
	case v.last() < 0:
		v.setImage(nil)
		v.label.SetText("")
	case v.position == len(v.frames):
		v.setImage(v.live)
		v.label.SetText(tr("samples.live", map[string]any{"Step": v.liveStep}))
	default:
		frame := v.frames[v.position]
		v.label.SetText(tr("samples.saved", map[string]any{"Step": frame.Step}))
		if img, ok := v.cache[frame.Path]; ok {
			v.setImage(img)
			return
		}
		v.load(frame)
	}
}

// load reads a saved grid in the background and shows it, unless another
// was asked for meanwhile.
func (v *samplesView) load(frame SampleFrame) {
	generation := v.loading
	v.studio.spawn(func(context.Context) func() {
		img, err := decodeImage(frame.Path)
		return func() {
			if err == nil {
				v.remember(frame.Path, img)
			}
			if generation != v.loading {
				return
			}
			if err != nil {
				v.label.Importance = widget.DangerImportance
				v.label.SetText(tr("samples.unreadable", map[string]any{"Step": frame.Step}))
				return
			}
			v.setImage(img)
		}
	})
}

// remember caches a decoded grid, forgetting the oldest beyond the limit.
func (v *samplesView) remember(path string, img image.Image) {
	if _, ok := v.cache[path]; ok {
		return
	}
	v.cache[path] = img
	v.cacheAge = append(v.cacheAge, path)
	if len(v.cacheAge) > frameCacheSize {
		delete(v.cache, v.cacheAge[0])
		v.cacheAge = v.cacheAge[1:]
	}
}

// setImage shows img. Showing the image already shown does nothing: each
// live grid comes by twice, when it arrives and again when the list of
// saved grids is read back, and repainting a large texture costs a frame.
func (v *samplesView) setImage(img image.Image) {
	if sameImage(v.image.Image, img) && v.hint.Hidden == (img != nil) {
		return
	}
	v.image.Image = img
	v.image.Refresh()
	v.hint.Hidden = img != nil
	v.hint.Refresh()
}

// reloadFrames asks the backend again which grids the run has saved. Calls
// made while one is under way are folded into one more after it.
func (v *samplesView) reloadFrames() {
	s := v.studio
	if s.run == nil {
		return
	}
	if v.listing {
		v.listAgain = true
		return
	}
	v.listing = true
	dir := s.run.Dir
	s.spawn(func(ctx context.Context) func() {
		frames, err := s.backend.ListSamples(ctx, dir)
		return func() {
			v.listing = false
			if err == nil && s.run != nil && s.run.Dir == dir {
				v.setFrames(frames)
			}
			if v.listAgain {
				v.listAgain = false
				v.reloadFrames()
			}
		}
	})
}

// decodeImage reads a PNG or JPEG file.
func decodeImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("ui: read sample grid: %w", err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("ui: read sample grid %s: %w", path, err)
	}
	return img, nil
}

// sameImage reports whether a and b are the same image value: the same
// pointer, for the pointer types every decoder and the engine hand out.
func sameImage(a, b image.Image) bool {
	if a == nil || b == nil {
		return a == b
	}
	return reflect.TypeOf(a) == reflect.TypeOf(b) && reflect.TypeOf(a).Comparable() && a == b
}
