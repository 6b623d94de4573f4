package ui

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// fakeExplorer is an Explorer whose images say what made them: the red of
// a 4×4 image is ten times the first latent value, green is 128 plus 40
// per σ of the first slider, blue is 200 times the truncation, and the
// class is added to red.
type fakeExplorer struct {
	mu sync.Mutex

	info        ExplorerInfo
	openErr     error
	opens       int
	renderDelay time.Duration
	renderGate  chan struct{} // when set, Render waits until it is closed
	renders     int
	lastRender  Recipe

	directions []Direction
	dirsErr    error
	dirsBlock  bool // Directions waits until its context ends
	dirsFound  bool

	favs      []Favourite
	nextID    int
	removed   []string
	renamed   map[string]string
	exportErr error
	exports   []string // what each export was asked, for checks
}

func newFakeExplorer() *fakeExplorer {
	return &fakeExplorer{
		info: ExplorerInfo{Step: 10, Resolution: 32, Latent: 4},
		directions: []Direction{
			{0.25}, {0.15}, {0.1}, {0.08}, {0.06}, {0.05}, {0.04}, {0.03}, {0.02}, {0.01},
		},
		renamed: map[string]string{},
	}
}

func (e *fakeExplorer) Open(_ context.Context, runDir string) (ExplorerInfo, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.opens++
	if e.openErr != nil {
		return ExplorerInfo{}, e.openErr
	}
	e.dirsFound = false
	info := e.info
	info.RunDir = runDir
	return info, nil
}

func (e *fakeExplorer) Render(r Recipe) (image.Image, error) {
	e.mu.Lock()
	delay, found, gate := e.renderDelay, e.dirsFound, e.renderGate
	e.mu.Unlock()
	if r.hasSliders() && !found {
		return nil, fmt.Errorf("render: %w", ErrNoDirections)
	}
	time.Sleep(delay)
	if gate != nil {
		<-gate
	}
	e.mu.Lock()
	e.renders++
	e.lastRender = r.clone()
	e.mu.Unlock()
	return fakeImage(r), nil
}

// fakeImage is the image the fake makes of r.
func fakeImage(r Recipe) image.Image {
	slider := 0.0
	if len(r.Sliders) > 0 {
		slider = r.Sliders[0]
	}
	c := color.RGBA{
		R: uint8(int(math.Round(10*float64(r.Latent[0]))) + r.Class),
		G: uint8(128 + 40*slider),
		B: uint8(200 * r.Truncation),
		A: 255,
	}
	return solidImage(4, 4, c)
}

func (e *fakeExplorer) RenderMany(_ context.Context, rs []Recipe) ([]image.Image, error) {
	out := make([]image.Image, len(rs))
	for i, r := range rs {
		out[i] = fakeImage(r)
	}
	return out, nil
}

func (e *fakeExplorer) Directions(ctx context.Context, progress func(float64)) ([]Direction, error) {
	e.mu.Lock()
	block, dirs, err := e.dirsBlock, slices.Clone(e.directions), e.dirsErr
	e.mu.Unlock()
	progress(0.5)
	if block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.dirsFound = true
	e.mu.Unlock()
	return dirs, nil
}

func (e *fakeExplorer) SeedRecipe(seed int64) Recipe {
	return Recipe{Latent: []float32{float32(seed), 0, 0, 0}, Seed: seed, Truncation: 1}
}

// GridRecipe treats the grid as 10-pixel cells, 8 to a row, with the
// first pixel of each cell a gap; cell i has the latent of seed 100+i.
func (e *fakeExplorer) GridRecipe(_ string, x, y int) (Recipe, bool, error) {
	if x%10 == 0 || y%10 == 0 {
		return Recipe{}, false, nil
	}
	return e.SeedRecipe(int64(100 + x/10 + 8*(y/10))), true, nil
}

func (e *fakeExplorer) Between(a, b Recipe, t float64) (Recipe, error) {
	if a.hasSliders() || b.hasSliders() {
		return Recipe{}, ErrNoDirections
	}
	z := make([]float32, len(a.Latent))
	for i := range z {
		z[i] = a.Latent[i]*float32(1-t) + b.Latent[i]*float32(t)
	}
	return Recipe{Latent: z, Seed: NoSeed, Truncation: 1}, nil
}

func (e *fakeExplorer) Breed(a, b Recipe, n int, variation float64, litter int64) ([]Recipe, error) {
	out := make([]Recipe, n)
	for i := range out {
		v := (a.Latent[0]+b.Latent[0])/2 + float32(i) + float32(litter)*0.1
		out[i] = Recipe{Latent: []float32{v, 0, 0, 0}, Seed: NoSeed, Truncation: 1}
	}
	return out, nil
}

func (e *fakeExplorer) Favourites(context.Context) ([]Favourite, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.favs), nil
}

func (e *fakeExplorer) AddFavourite(r Recipe, img image.Image) (Favourite, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if img == nil {
		img = fakeImage(r)
	}
	e.nextID++
	f := Favourite{ID: fmt.Sprintf("f%d", e.nextID), Step: e.info.Step, Created: time.Now(),
		Recipe: r.clone(), Thumbnail: img}
	e.favs = append(e.favs, f)
	return f, nil
}

func (e *fakeExplorer) RemoveFavourites(ids []string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.removed = append(e.removed, ids...)
	e.favs = slices.DeleteFunc(e.favs, func(f Favourite) bool { return slices.Contains(ids, f.ID) })
	return nil
}

func (e *fakeExplorer) RenameFavourite(id, name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range e.favs {
		if e.favs[i].ID == id {
			e.favs[i].Name = name
			e.renamed[id] = name
			return nil
		}
	}
	return fmt.Errorf("rename %s: no such favourite", id)
}

// export records an export and fails it as the test asked. Like a real
// export it writes the file only when it succeeds.
func (e *fakeExplorer) export(path, what string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.exports = append(e.exports, what)
	if e.exportErr != nil {
		return e.exportErr
	}
	return os.WriteFile(path, []byte("image"), 0o644)
}

func (e *fakeExplorer) ExportPNG(_ context.Context, path string, r Recipe, scale int, smooth bool) error {
	return e.export(path, fmt.Sprintf("png seed %d scale %d smooth %v", r.Seed, scale, smooth))
}

func (e *fakeExplorer) ExportFavourite(_ context.Context, path, id string, scale int, smooth bool) error {
	return e.export(path, fmt.Sprintf("favourite %s scale %d smooth %v", id, scale, smooth))
}

func (e *fakeExplorer) ExportGrid(_ context.Context, path string, ids []string) error {
	return e.export(path, fmt.Sprintf("grid of %v", ids))
}

func (e *fakeExplorer) ExportPath(_ context.Context, path string, a, b Recipe, anim Animation) error {
	return e.export(path, fmt.Sprintf("path %d→%d %d frames %v ×%d back %v",
		a.Seed, b.Seed, anim.Frames, anim.Delay, anim.Scale, anim.RoundTrip))
}

func (e *fakeExplorer) ExportTimelapse(_ context.Context, path, runDir string, anim Animation) error {
	return e.export(path, fmt.Sprintf("timelapse %s %d frames %v", runDir, anim.Frames, anim.Delay))
}

// count reads a counter under the lock.
func (e *fakeExplorer) count(field *int) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return *field
}

// kept returns the favourites kept so far.
func (e *fakeExplorer) kept() []Favourite {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.favs)
}

// exported returns what each export so far was asked.
func (e *fakeExplorer) exported() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.exports)
}

// set changes the fake under its lock.
func (e *fakeExplorer) set(change func(e *fakeExplorer)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	change(e)
}

// newExploringStudio opens a studio with the run /runs/a and a fake
// explorer, turns to the Explore tab and waits for the first image.
func newExploringStudio(t *testing.T, e *fakeExplorer) (*Studio, *mainLoop, *fakeBackend) {
	t.Helper()
	backend := newFakeBackend()
	backend.runs = []RunInfo{{Dir: "/runs/a", Name: "a", Step: 10, HasCheckpoint: true,
		Settings: DefaultSettings()}}
	s, loop := newTestStudio(t, backend, Options{RunDir: "/runs/a", Explorer: e})
	loop.runUntil(t, "the run is open", func() bool { return s.run != nil })
	s.tabs.Select(s.exploreTab)
	loop.runUntil(t, "the first image", func() bool { return s.explore.image != nil })
	return s, loop, backend
}

// pixel returns the colour of the explorer's image.
func pixel(s *Studio) color.RGBA {
	return color.RGBAModel.Convert(s.explore.view.Image.At(0, 0)).(color.RGBA)
}

// findAll returns every object of type T in the tree under o, widgets'
// renderers included, in drawing order.
func findAll[T fyne.CanvasObject](o fyne.CanvasObject) []T {
	var out []T
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		if v, ok := o.(T); ok {
			out = append(out, v)
		}
		switch o := o.(type) {
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(o).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

// tapText taps the innermost tappable object under o that shows text, and
// fails the test when there is none.
func tapText(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	var found fyne.Tappable
	var walk func(o fyne.CanvasObject, tappable fyne.Tappable)
	walk = func(o fyne.CanvasObject, tappable fyne.Tappable) {
		if o == nil || !o.Visible() || found != nil {
			return
		}
		if tap, ok := o.(fyne.Tappable); ok {
			tappable = tap
		}
		switch o := o.(type) {
		case *canvas.Text:
			if o.Text == text && tappable != nil {
				found = tappable
			}
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c, tappable)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(o).Objects() {
				walk(c, tappable)
			}
		}
	}
	walk(o, nil)
	if found == nil {
		t.Fatalf("nothing to tap shows %q", text)
	}
	found.Tapped(&fyne.PointEvent{})
}

// topOverlay returns the topmost dialog or menu, failing when none is open.
func topOverlay(t *testing.T, s *Studio) fyne.CanvasObject {
	t.Helper()
	top := s.window.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is open")
	}
	return top
}

// sliderNames returns the labels of the direction sliders.
func sliderNames(s *Studio) []string {
	var names []string
	for i, o := range s.explore.directions.rows.Objects {
		if i%2 == 0 {
			names = append(names, o.(*widget.Label).Text)
		}
	}
	return names
}
