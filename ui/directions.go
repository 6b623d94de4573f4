package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// sliderRange is how far a direction slider reaches each way, in standard
// deviations: beyond about three the images leave what the network learned.
const sliderRange = 3

// progressInterval is the shortest time between two redraws of the
// progress bar of the directions.
const progressInterval = time.Second / 10

// directionsPanel finds the GANSpace directions of the open checkpoint in
// the background, with a progress bar and a way to cancel, and then shows
// one slider per direction, largest share of variance first.
type directionsPanel struct {
	explore *explorePanel

	found   []Direction // nil until found
	cancel  func()      // stops the search under way, nil when none is
	search  int         // counts searches, so only the newest one answers
	sliders []*widget.Slider
	values  []*widget.Label

	intro    *widget.Label
	message  *widget.Label
	bar      *widget.ProgressBar
	stop     *widget.Button
	again    *widget.Button
	progress *fyne.Container
	rows     *fyne.Container
	content  fyne.CanvasObject
}

func newDirectionsPanel(p *explorePanel) *directionsPanel {
	d := &directionsPanel{
		explore: p,
		intro:   widget.NewLabel(tr("directions.intro")),
		message: widget.NewLabel(""),
		bar:     widget.NewProgressBar(),
		rows:    container.New(layout.NewFormLayout()),
	}
	d.intro.Wrapping = fyne.TextWrapWord
	d.intro.Importance = widget.LowImportance
	d.message.Wrapping = fyne.TextWrapWord
	d.stop = widget.NewButtonWithIcon(tr("directions.cancel"), theme.CancelIcon(), d.stopSearch)
	d.again = widget.NewButtonWithIcon(tr("directions.find"), theme.SearchIcon(), d.find)
	d.progress = container.NewBorder(nil, nil, nil, d.stop, d.bar)
	body := container.NewVBox(d.intro, d.message, d.progress, d.again, d.rows)
	d.content = container.NewVScroll(body)
	d.clear()
	return d
}

// clear stops any search and forgets the directions.
func (d *directionsPanel) clear() {
	d.stopSearch()
	d.search++
	d.found = nil
	d.sliders, d.values = nil, nil
	d.rows.RemoveAll()
	d.message.SetText(tr("directions.waiting"))
	d.progress.Hide()
	d.again.Hide()
}

// stopSearch cancels the search under way, if any.
func (d *directionsPanel) stopSearch() {
	if d.cancel != nil {
		d.cancel()
		d.cancel = nil
	}
}

// find searches for the directions of the open checkpoint in the
// background; the sliders appear when they are found.
func (d *directionsPanel) find() {
	p := d.explore
	s := p.studio
	if p.info == nil {
		return
	}
	d.stopSearch()
	ctx, cancel := context.WithCancel(s.ctx)
	d.cancel = cancel
	d.search++
	search, opened := d.search, p.opened
	d.message.SetText(tr("directions.searching"))
	d.bar.SetValue(0)
	d.progress.Show()
	d.again.Hide()

	s.spawn(func(context.Context) func() {
		defer cancel()
		found, err := s.explorer.Directions(ctx, d.progressFunc(ctx, opened))
		return func() {
			if search != d.search || opened != p.opened {
				return
			}
			d.cancel = nil
			d.progress.Hide()
			switch {
			case errors.Is(err, context.Canceled):
				d.message.SetText(tr("directions.cancelled"))
				d.again.Show()
			case err != nil:
				d.message.SetText(tr("directions.failed", map[string]any{"Error": err.Error()}))
				d.again.Show()
			default:
				d.show(found)
			}
		}
	})
}

// progressFunc returns the progress callback of a search: it moves the bar
// at most once per progressInterval, on the main goroutine.
func (d *directionsPanel) progressFunc(ctx context.Context, opened int) func(float64) {
	s := d.explore.studio
	var last time.Time
	return func(fraction float64) {
		if ctx.Err() != nil || time.Since(last) < progressInterval {
			return
		}
		last = time.Now()
		s.do(func() {
			if ctx.Err() == nil && opened == d.explore.opened {
				d.bar.SetValue(fraction)
			}
		})
	}
}

// show puts up one slider per direction and draws any image that waited
// for them.
func (d *directionsPanel) show(found []Direction) {
	p := d.explore
	d.found = found
	d.rows.RemoveAll()
	d.sliders, d.values = nil, nil
	if len(found) == 0 {
		d.message.SetText(tr("directions.none"))
		return
	}
	for i, dir := range found {
		name := widget.NewLabel(tr("directions.name", map[string]any{
			"Index": i + 1, "Share": fmt.Sprintf("%.1f", 100*dir.Explained)}))
		value := widget.NewLabel(sigmas(0))
		slider := widget.NewSlider(-sliderRange, sliderRange)
		slider.Step = 0.05
		slider.OnChanged = func(v float64) {
			value.SetText(sigmas(v))
			p.sliderMoved(i, v)
		}
		d.sliders = append(d.sliders, slider)
		d.values = append(d.values, value)
		d.rows.Add(name)
		d.rows.Add(container.NewBorder(nil, nil, nil, value, slider))
	}
	d.rows.Refresh()
	p.moving = true
	d.showSliders(p.recipe.Sliders)
	p.moving = false
	if p.waiting {
		p.render()
	}
}

// showSliders sets the sliders to positions; missing ones are 0. The
// caller sets explore.moving, so the image is not drawn once per slider.
func (d *directionsPanel) showSliders(positions []float64) {
	d.message.Hidden = len(d.sliders) > 0
	d.message.Refresh()
	for i, slider := range d.sliders {
		v := 0.0
		if i < len(positions) {
			v = positions[i]
		}
		slider.SetValue(v)
		d.values[i].SetText(sigmas(v))
	}
}

// sigmas writes a slider position, such as "+1.5σ".
func sigmas(v float64) string {
	return fmt.Sprintf("%+.2fσ", v)
}
