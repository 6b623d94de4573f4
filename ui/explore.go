package ui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// firstSeed is the seed the explorer shows first, so a run opens on the same
// image every time.
const firstSeed = 1

// maxSeed bounds the seeds Randomize picks, so they stay short to read.
const maxSeed = 1 << 31

// explorePanel is the Explore tab: one generated image, large, with the
// controls that change it (seed, truncation, the GANSpace sliders), and the
// interpolation and breeding panels beside them.
type explorePanel struct {
	studio *Studio
	loop   *renderLoop

	// What is open, touched only on the main goroutine.
	dir     string        // the run the tab explores, "" for none
	info    *ExplorerInfo // the checkpoint open, nil until Open answers
	opened  int           // counts Opens, so answers for older ones are dropped
	opening bool          // an Open is under way
	newer   int           // the step of a checkpoint saved since, or 0

	recipe    Recipe      // the image asked for
	requested int         // counts render requests
	shown     int         // the request whose image is on screen
	image     image.Image // the image on screen
	waiting   bool        // the image waits for the directions
	afterOpen []func()    // what to do once the run is open

	directions *directionsPanel
	interp     *interpolatePanel
	breed      *breedPanel

	view       *canvas.Image
	hint       *widget.Label
	checkpoint *widget.Label
	warning    *widget.Label
	reload     *widget.Button
	seed       *widget.Entry
	prevSeed   *widget.Button
	nextSeed   *widget.Button
	randomize  *widget.Button
	reset      *widget.Button
	keep       *widget.Button
	export     *widget.Button
	truncation *widget.Slider
	truncValue *widget.Label
	class      *widget.Select
	classRow   *fyne.Container
	status     *widget.Label
	content    fyne.CanvasObject

	moving bool // the view is setting its widgets, not a person
}

func newExplorePanel(s *Studio) *explorePanel {
	p := &explorePanel{
		studio:     s,
		loop:       newRenderLoop(),
		view:       &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScalePixels},
		hint:       widget.NewLabel(""),
		checkpoint: widget.NewLabel(""),
		warning:    widget.NewLabel(""),
		seed:       widget.NewEntry(),
		truncation: widget.NewSlider(0, 1),
		truncValue: widget.NewLabel(""),
		status:     widget.NewLabel(""),
		recipe:     Recipe{Seed: firstSeed, Truncation: 1},
	}
	p.view.SetMinSize(fyne.NewSquareSize(320))
	p.hint.Alignment = fyne.TextAlignCenter
	p.hint.Wrapping = fyne.TextWrapWord
	p.hint.Importance = widget.LowImportance
	p.checkpoint.TextStyle.Bold = true
	p.warning.Importance = widget.WarningImportance
	p.warning.Truncation = fyne.TextTruncateEllipsis
	p.status.Truncation = fyne.TextTruncateEllipsis

	p.reload = widget.NewButtonWithIcon(tr("explore.reload"), theme.ViewRefreshIcon(), p.reloadCheckpoint)
	p.prevSeed = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { p.stepSeed(-1) })
	p.nextSeed = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { p.stepSeed(1) })
	p.randomize = widget.NewButtonWithIcon(tr("explore.randomize"), theme.MediaReplayIcon(), p.randomizeSeed)
	p.reset = widget.NewButtonWithIcon(tr("explore.reset"), theme.ContentUndoIcon(), p.resetControls)
	p.keep = widget.NewButtonWithIcon(tr("explore.keep"), starIcon, p.keepShown)
	p.keep.Importance = widget.HighImportance
	p.export = widget.NewButtonWithIcon(tr("explore.export"), theme.DocumentSaveIcon(), func() {
		r := p.recipe.clone()
		s.exportPNG(p.exportName(), func(ctx context.Context, path string, scale int, smooth bool) error {
			return s.explorer.ExportPNG(ctx, path, r, scale, smooth)
		})
	})

	p.seed.SetPlaceHolder(tr("explore.seed_none"))
	p.seed.Validator = func(text string) error {
		if _, err := parseSeed(text); err != nil && text != "" {
			return errors.New(tr("explore.seed_invalid"))
		}
		return nil
	}
	p.seed.OnChanged = p.seedTyped
	p.truncation.Step = 0.01
	p.truncation.OnChanged = p.truncationMoved
	p.class = widget.NewSelect(nil, p.classChosen)

	p.directions = newDirectionsPanel(p)
	p.interp = newInterpolatePanel(p)
	p.breed = newBreedPanel(p)
	p.content = p.layout()
	p.showControls()
	return p
}

// layout puts the image and its controls on the left, and the sliders, the
// interpolation and breeding on the right, each in a tab of its own.
func (p *explorePanel) layout() fyne.CanvasObject {
	seedLabel := widget.NewLabel(tr("explore.seed"))
	seedRow := container.NewBorder(nil, nil, container.NewHBox(seedLabel, p.prevSeed), p.nextSeed, p.seed)
	truncLabel := widget.NewLabel(tr("explore.truncation"))
	truncRow := container.NewBorder(nil, nil, truncLabel, p.truncValue, p.truncation)
	p.classRow = container.NewBorder(nil, nil, widget.NewLabel(tr("explore.class")), nil, p.class)
	buttons := container.NewGridWithColumns(4, p.randomize, p.reset, p.keep, p.export)
	truncHint := widget.NewLabel(tr("explore.truncation_hint"))
	truncHint.Importance = widget.LowImportance
	truncHint.Wrapping = fyne.TextWrapWord
	controls := container.NewVBox(seedRow, truncRow, truncHint, p.classRow, buttons)

	hint := container.NewVBox(layout.NewSpacer(), p.hint, layout.NewSpacer())
	picture := container.NewStack(p.view, hint)
	left := container.NewBorder(nil, controls, nil, nil, picture)

	right := container.NewAppTabs(
		container.NewTabItem(tr("explore.tab_directions"), p.directions.content),
		container.NewTabItem(tr("explore.tab_interpolate"), p.interp.content),
		container.NewTabItem(tr("explore.tab_breed"), p.breed.content),
	)
	split := container.NewHSplit(left, right)
	split.Offset = 0.5

	top := container.NewBorder(nil, nil, p.checkpoint, p.reload, p.warning)
	return container.NewBorder(
		container.NewVBox(top, widget.NewSeparator()),
		p.status, nil, nil, split)
}

// setRun makes the tab explore the run in dir, or nothing for "". A run
// other than the one open is opened at once when the tab is in sight, and
// otherwise when it comes into sight.
func (p *explorePanel) setRun(dir string) {
	if dir == p.dir {
		return
	}
	p.close()
	p.dir = dir
	p.update()
	if p.studio.exploring() {
		p.open()
	}
}

// close forgets the open checkpoint, drops answers still to come for it and
// stops the search for its directions.
func (p *explorePanel) close() {
	p.info = nil
	p.opened++
	p.opening = false
	p.newer = 0
	p.directions.clear()
	p.setImage(nil)
	p.recipe = Recipe{Seed: firstSeed, Truncation: 1}
	p.afterOpen = nil
	p.interp.clear()
	p.breed.clear()
	p.studio.gallery.clear()
}

// whenOpen runs f once the run is open: at once when it is, and otherwise
// after opening it. If it cannot be opened, the person is told why.
func (p *explorePanel) whenOpen(f func()) {
	if p.info != nil {
		f()
		return
	}
	p.afterOpen = append(p.afterOpen, f)
	p.ensureOpen()
}

// ensureOpen opens the run if it is not open or being opened.
func (p *explorePanel) ensureOpen() {
	if p.info == nil && !p.opening {
		p.open()
	}
}

// open loads the newest checkpoint of the run, keeping the image asked for,
// and then draws it and finds the directions.
func (p *explorePanel) open() {
	s := p.studio
	if p.dir == "" {
		p.update()
		return
	}
	p.opened++
	p.opening = true
	opened, dir := p.opened, p.dir
	p.directions.clear()
	p.update()
	s.spawn(func(ctx context.Context) func() {
		info, err := s.explorer.Open(ctx, dir)
		return func() {
			if opened != p.opened {
				return
			}
			p.opening = false
			pending := p.afterOpen
			p.afterOpen = nil
			if err != nil {
				p.info = nil
				p.hint.SetText(tr("explore.open_failed", map[string]any{"Error": err.Error()}))
				p.update()
				if len(pending) > 0 {
					s.showError(tr("error.explore_title"), err)
				}
				return
			}
			p.opened++ // answers for the checkpoint before are stale now
			p.info = &info
			p.newer = 0
			p.warning.SetText(info.Warning)
			p.showClasses()
			if p.recipe.Latent == nil || len(p.recipe.Latent) != info.Latent {
				p.recipe = s.explorer.SeedRecipe(firstSeed)
			}
			// The directions of a new checkpoint differ from the old ones,
			// so the sliders start again at the middle.
			p.recipe.Sliders = nil
			p.showControls()
			p.update()
			p.render()
			p.directions.find()
			p.interp.start()
			s.gallery.reload()
			for _, f := range pending {
				f()
			}
		}
	})
}

// reloadCheckpoint loads the newest checkpoint, to follow training.
func (p *explorePanel) reloadCheckpoint() {
	if p.dir != "" && !p.opening {
		p.open()
	}
}

// checkpointSaved hears that training saved a checkpoint of the run in dir:
// a run with none open opens now if the tab is in sight; otherwise Reload
// offers the newer one.
func (p *explorePanel) checkpointSaved(dir string, step int) {
	if dir != p.dir {
		return
	}
	if p.info == nil {
		if !p.opening && p.studio.exploring() {
			p.open()
		}
		return
	}
	if step > p.info.Step {
		p.newer = step
		p.update()
	}
}

// showRecipe shows r, from a favourite, a path or a child, and sets the
// controls to match it.
func (p *explorePanel) showRecipe(r Recipe) {
	p.recipe = r.clone()
	p.showControls()
	p.render()
}

// render asks the render loop for the image of the current recipe.
func (p *explorePanel) render() {
	if p.info == nil {
		return
	}
	p.requested++
	p.waiting = false
	p.loop.request(renderRequest{recipe: p.recipe, opened: p.opened, seq: p.requested})
	p.update()
}

// rendered shows an image the render loop made.
func (p *explorePanel) rendered(r renderRequest, img image.Image, err error) {
	if r.opened != p.opened {
		return
	}
	switch {
	case errors.Is(err, ErrNoDirections):
		// Shown once the directions are found; see directionsFound.
		if r.seq == p.requested {
			p.waiting = true
			p.status.SetText(tr("explore.waiting_directions"))
		}
		return
	case err != nil:
		p.status.SetText(tr("explore.render_failed", map[string]any{"Error": err.Error()}))
		return
	}
	p.shown = r.seq
	p.setImage(img)
	if r.seq == p.requested && p.status.Text == tr("explore.waiting_directions") {
		p.status.SetText("")
	}
	p.update()
}

func (p *explorePanel) setImage(img image.Image) {
	p.image = img
	p.view.Image = img
	p.view.Refresh()
}

// seedTyped follows the seed field while a person types a seed.
func (p *explorePanel) seedTyped(text string) {
	if p.moving || p.info == nil {
		return
	}
	seed, err := parseSeed(text)
	if err != nil {
		return
	}
	p.setSeed(seed)
}

// setSeed draws the latent of seed, keeping truncation and sliders.
func (p *explorePanel) setSeed(seed int64) {
	if p.info == nil {
		return
	}
	r := p.studio.explorer.SeedRecipe(seed)
	r.Truncation, r.Class, r.Sliders = p.recipe.Truncation, p.recipe.Class, p.recipe.Sliders
	p.recipe = r
	p.showControls()
	p.render()
}

// stepSeed moves to the seed before or after the one shown.
func (p *explorePanel) stepSeed(by int64) {
	seed := p.recipe.Seed
	if seed == NoSeed {
		seed = firstSeed - by
	}
	p.setSeed(max(0, seed+by))
}

// randomizeSeed draws a seed at random.
func (p *explorePanel) randomizeSeed() {
	p.setSeed(rand.Int64N(maxSeed))
}

// resetControls puts truncation and every slider back where they start,
// keeping the latent.
func (p *explorePanel) resetControls() {
	p.recipe.Truncation = 1
	p.recipe.Sliders = nil
	p.showControls()
	p.render()
}

func (p *explorePanel) truncationMoved(v float64) {
	p.truncValue.SetText(fmt.Sprintf("%.2f", v))
	if p.moving {
		return
	}
	p.recipe.Truncation = tidy(v)
	p.render()
}

func (p *explorePanel) classChosen(string) {
	if p.moving {
		return
	}
	p.recipe.Class = max(p.class.SelectedIndex(), 0)
	p.render()
}

// sliderMoved takes a direction slider's new position.
func (p *explorePanel) sliderMoved(i int, v float64) {
	if p.moving {
		return
	}
	for len(p.recipe.Sliders) <= i {
		p.recipe.Sliders = append(p.recipe.Sliders, 0)
	}
	p.recipe.Sliders[i] = tidy(v)
	p.render()
}

// showClasses offers the classes of a conditional generator, and hides the
// picker for any other.
func (p *explorePanel) showClasses() {
	p.moving = true
	defer func() { p.moving = false }()
	classes := p.info.Classes
	p.class.Options = classes
	p.classRow.Hidden = len(classes) == 0
	p.classRow.Refresh()
	if len(classes) > 0 {
		p.recipe.Class = min(max(p.recipe.Class, 0), len(classes)-1)
		p.class.SetSelectedIndex(p.recipe.Class)
	}
	p.class.Refresh()
}

// showControls sets the seed, truncation and sliders to the recipe.
func (p *explorePanel) showControls() {
	p.moving = true
	defer func() { p.moving = false }()
	if p.recipe.Seed == NoSeed {
		p.seed.SetText("")
	} else {
		p.seed.SetText(strconv.FormatInt(p.recipe.Seed, 10))
	}
	p.truncation.SetValue(p.recipe.Truncation)
	p.truncValue.SetText(fmt.Sprintf("%.2f", p.recipe.Truncation))
	p.directions.showSliders(p.recipe.Sliders)
	if p.info != nil && len(p.info.Classes) > 0 {
		p.class.SetSelectedIndex(p.recipe.Class)
	}
}

// update shows what is open and enables what can be done.
func (p *explorePanel) update() {
	open := p.info != nil
	switch {
	case p.dir == "":
		setLabel(p.checkpoint, tr("explore.no_run_title"))
		p.hint.SetText(tr("explore.no_run"))
	case p.opening:
		setLabel(p.checkpoint, tr("explore.opening"))
		p.hint.SetText(tr("explore.opening"))
	case open:
		setLabel(p.checkpoint, tr("explore.checkpoint", map[string]any{
			"Step": p.info.Step, "Resolution": p.info.Resolution}))
	default:
		setLabel(p.checkpoint, tr("explore.not_open"))
	}
	p.hint.Hidden = open && p.image != nil
	p.hint.Refresh()
	if !open {
		p.warning.SetText("")
	}

	if p.newer > 0 {
		setButton(p.reload, tr("explore.reload_newer", map[string]any{"Step": p.newer}), theme.ViewRefreshIcon())
		p.reload.Importance = widget.HighImportance
	} else {
		setButton(p.reload, tr("explore.reload"), theme.ViewRefreshIcon())
		p.reload.Importance = widget.MediumImportance
	}
	p.reload.Refresh()
	setEnabled(p.reload, p.dir != "" && !p.opening)
	for _, w := range []fyne.Disableable{
		p.seed, p.prevSeed, p.nextSeed, p.randomize, p.reset, p.truncation, p.class,
	} {
		setEnabled(w, open)
	}
	setEnabled(p.keep, open && p.recipe.Latent != nil)
	setEnabled(p.export, open && p.recipe.Latent != nil)
	p.interp.update()
	p.breed.update()
}

// keepShown keeps the image shown as a favourite.
func (p *explorePanel) keepShown() {
	var img image.Image
	if p.shown == p.requested {
		img = p.image
	}
	p.studio.keepFavourite(p.recipe, img)
}

// exportName is the file name the export of the image shown suggests.
func (p *explorePanel) exportName() string {
	step := 0
	if p.info != nil {
		step = p.info.Step
	}
	if p.recipe.Seed != NoSeed {
		return fmt.Sprintf("ganvas-step%d-seed%d.png", step, p.recipe.Seed)
	}
	return fmt.Sprintf("ganvas-step%d.png", step)
}

// tidy rounds a slider's value to a thousandth, so a recipe reads 0.7
// where the slider's arithmetic left 0.7000000000000001.
func tidy(v float64) float64 {
	return math.Round(v*1000) / 1000
}

// parseSeed reads a seed: a whole number from 0 up.
func parseSeed(text string) (int64, error) {
	seed, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	if err != nil || seed < 0 {
		return 0, fmt.Errorf("ui: seed %q is not a whole number from 0 up", text)
	}
	return seed, nil
}
