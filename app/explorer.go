package app

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"

	"gonum.org/v1/netlib/blas/netlib"

	"ganvas/app/favourites"
	"ganvas/engine"
	"ganvas/engine/latent"
	"ganvas/engine/run"
	"ganvas/ui"
)

// directionsSeed seeds the latents the slider directions are found from.
// It is fixed, so the window and the command line find, and cache, the same
// directions for a checkpoint.
const directionsSeed = 1

// errReplaced is what a call answers when the checkpoint it began on was
// replaced by another Open while it waited.
var errReplaced = errors.New("the explorer opened another checkpoint")

var _ ui.Explorer = (*explorer)(nil)

// explorer is the window's ui.Explorer: it draws images from the newest
// checkpoint of a run, finds the checkpoint's slider directions, and keeps
// the run's favourites and exports.
//
// A Generator serves one goroutine at a time, so each open checkpoint has
// three, each behind a lock of its own: view for Render, which the window's
// render goroutine calls; batch for strips, children, thumbnails and
// exports, which workers call; and search for Directions, which runs for
// seconds and must not hold up the other two. Open swaps in a new
// checkpoint and closes the old one's generators on a goroutine of their
// own once their calls end; Close closes the open checkpoint and waits for
// those goroutines, when the window has gone.
type explorer struct {
	closing sync.WaitGroup // replaced checkpoints closing once their calls end

	mu     sync.Mutex
	open   *checkpoint       // nil until Open succeeds
	store  *favourites.Store // favourites of the run open; nil if they cannot be read
	thumbs map[string]image.Image
}

// checkpoint is one opened checkpoint of a run.
type checkpoint struct {
	runDir  string // absolute, as recipes name it
	step    int
	arch    engine.Arch
	classes []string
	seed    uint64 // the run's training seed, which fixes the sample grid's latents

	view, batch, search *lockedGenerator

	// directions are the checkpoint's slider directions, nil until found.
	// The explorer's mu guards them.
	directions *latent.Directions
}

// lockedGenerator is a generator that one goroutine at a time may use.
type lockedGenerator struct {
	mu  sync.Mutex
	gen *engine.Generator // nil once closed
}

// generate draws one image per latent, each of its class (nil: class 0).
func (g *lockedGenerator) generate(z [][]float32, classes []int) ([]image.Image, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gen == nil {
		return nil, errReplaced
	}
	return g.gen.GenerateClasses(z, classes)
}

// drawError words a failed draw for a person, keeping errReplaced as it
// is so that a caller can tell a replaced checkpoint from a fault.
func drawError(err error) error {
	if errors.Is(err, errReplaced) {
		return err
	}
	return fmt.Errorf("draw: %s", plain(err))
}

func (g *lockedGenerator) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gen != nil {
		g.gen.Close()
		g.gen = nil
	}
}

func (c *checkpoint) close() {
	for _, g := range []*lockedGenerator{c.view, c.batch, c.search} {
		g.close()
	}
}

func newExplorer() *explorer {
	return &explorer{thumbs: map[string]image.Image{}}
}

// Open loads the newest checkpoint of the run three times over, one
// generator per kind of caller, and the run's favourites.
func (e *explorer) Open(ctx context.Context, runDir string) (ui.ExplorerInfo, error) {
	abs, err := filepath.Abs(runDir)
	if err != nil {
		return ui.ExplorerInfo{}, fmt.Errorf("open %s: %w", runDir, err)
	}
	d, err := run.Open(abs)
	if err != nil {
		return ui.ExplorerInfo{}, errors.New(plain(err))
	}
	var cfg engine.Config
	if err := d.LoadConfig(&cfg); err != nil {
		return ui.ExplorerInfo{}, errors.New(plain(err))
	}

	view, warning, err := engine.LoadGenerator(abs)
	if err != nil {
		return ui.ExplorerInfo{}, errors.New(plain(err))
	}
	c := &checkpoint{runDir: abs, step: view.Step(), arch: view.Arch(), classes: view.Classes(),
		seed: cfg.Seed, view: &lockedGenerator{gen: view}}
	// The other two load the same step, even if training saves a newer
	// checkpoint meanwhile.
	for _, g := range []**lockedGenerator{&c.batch, &c.search} {
		gen, err := engine.LoadGeneratorAt(abs, c.step)
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			c.close()
			return ui.ExplorerInfo{}, errors.New(plain(err))
		}
		*g = &lockedGenerator{gen: gen}
	}

	var warnings []string
	if warning != "" {
		warnings = append(warnings, plain(errors.New(warning)))
	}
	e.mu.Lock()
	old := e.open
	e.open = c
	if e.store == nil || e.store.RunDir() != abs {
		store, err := favourites.Open(abs)
		if err != nil {
			warnings = append(warnings, err.Error())
		}
		e.store, e.thumbs = store, map[string]image.Image{}
	}
	e.mu.Unlock()
	if old != nil {
		// A call on the old checkpoint, such as a search for its
		// directions, may hold a generator for a while; Open need not wait.
		e.closing.Go(old.close)
	}

	return ui.ExplorerInfo{RunDir: runDir, Step: c.step, Resolution: c.arch.Resolution,
		Latent: c.arch.Latent, Classes: c.classes, Warning: strings.Join(warnings, " ")}, nil
}

// Close closes the generators, once the calls under way have ended.
func (e *explorer) Close() {
	e.mu.Lock()
	c := e.open
	e.open = nil
	e.mu.Unlock()
	if c != nil {
		c.close()
	}
	e.closing.Wait()
}

// current returns the checkpoint open and its directions.
func (e *explorer) current() (*checkpoint, *latent.Directions, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.open == nil {
		return nil, nil, errors.New("no run is open in the explorer")
	}
	return e.open, e.open.directions, nil
}

// Render draws one image with the view generator.
func (e *explorer) Render(r ui.Recipe) (image.Image, error) {
	c, dirs, err := e.current()
	if err != nil {
		return nil, err
	}
	z, err := c.finalLatent(r, dirs)
	if err != nil {
		return nil, err
	}
	imgs, err := c.view.generate([][]float32{z}, c.classesOf(r.Class, 1))
	if err != nil {
		return nil, drawError(err)
	}
	return imgs[0], nil
}

// RenderMany draws images with the batch generator.
func (e *explorer) RenderMany(ctx context.Context, rs []ui.Recipe) ([]image.Image, error) {
	c, dirs, err := e.current()
	if err != nil {
		return nil, err
	}
	return c.drawRecipes(ctx, c.batch, dirs, rs)
}

// renderBatch is how many images draw goes through the generator at once:
// few enough to stop soon when cancelled.
const renderBatch = 16

// draw generates images in batches with g, stopping between batches when
// ctx is done; classes holds one class per latent.
func (c *checkpoint) draw(ctx context.Context, g *lockedGenerator, zs [][]float32, classes []int) ([]image.Image, error) {
	var out []image.Image
	for lo := 0; lo < len(zs); lo += renderBatch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(lo+renderBatch, len(zs))
		var batchClasses []int
		if len(c.classes) > 0 {
			batchClasses = classes[lo:hi]
		}
		imgs, err := g.generate(zs[lo:hi], batchClasses)
		if err != nil {
			return nil, drawError(err)
		}
		out = append(out, imgs...)
	}
	return out, nil
}

// finalLatent is the latent the generator takes for r: its latent moved
// along the directions by its sliders, then truncated, in the order
// recipeLatent follows for 'ganvas sample -from'.
func (c *checkpoint) finalLatent(r ui.Recipe, dirs *latent.Directions) ([]float32, error) {
	if len(r.Latent) != c.arch.Latent {
		return nil, fmt.Errorf("the image's latent has %d values, this generator takes %d",
			len(r.Latent), c.arch.Latent)
	}
	if r.Class < 0 || r.Class >= max(len(c.classes), 1) {
		return nil, fmt.Errorf("class %d is not one this generator draws", r.Class)
	}
	z := r.Latent
	if hasSliders(r) {
		if dirs == nil {
			return nil, fmt.Errorf("draw with sliders: %w", ui.ErrNoDirections)
		}
		z = dirs.Apply(z, r.Sliders)
	}
	return latent.Truncate(z, r.Truncation), nil
}

// classesOf returns n copies of class for a conditional generator, and nil,
// which draws class 0, for any other.
func (c *checkpoint) classesOf(class, n int) []int {
	if len(c.classes) == 0 {
		return nil
	}
	out := make([]int, n)
	for i := range out {
		out[i] = class
	}
	return out
}

// Directions finds the checkpoint's slider directions with the search
// generator, or reads them from the run, where it also caches them. Calls
// take turns; once one has found them, the others answer at once.
func (e *explorer) Directions(ctx context.Context, progress func(float64)) ([]ui.Direction, error) {
	c, _, err := e.current()
	if err != nil {
		return nil, err
	}
	c.search.mu.Lock()
	defer c.search.mu.Unlock()
	e.mu.Lock()
	dirs := c.directions
	e.mu.Unlock()
	if dirs == nil {
		if c.search.gen == nil {
			return nil, errReplaced
		}
		if dirs, err = c.findDirections(ctx, progress); err != nil {
			return nil, err
		}
		e.mu.Lock()
		c.directions = dirs
		e.mu.Unlock()
		// The directions are all the search generator was kept for.
		c.search.gen.Close()
		c.search.gen = nil
	}
	out := make([]ui.Direction, dirs.Len())
	for i := range out {
		out[i] = ui.Direction{Explained: dirs.Explained(i)}
	}
	return out, nil
}

// findDirections runs the search; the caller holds the search generator.
func (c *checkpoint) findDirections(ctx context.Context, progress func(float64)) (*latent.Directions, error) {
	cfg := directionsConfig(c.step, c.arch.Latent)
	cfg.Progress = func(p latent.Progress) {
		if progress != nil && p.Total > 0 {
			progress(searchFraction(p))
		}
	}
	// A cache that cannot be written does not stop the sliders; keepFor
	// writes it again when a favourite or an export needs it, and says so
	// if it still cannot.
	dirs, _, err := latent.CachedDirections(ctx, c.runDir, c.search.gen.Activations, cfg)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, fmt.Errorf("find the slider directions: %s", plain(err))
	}
	return dirs, nil
}

// samplingShare is the part of the search for directions spent generating
// the samples' activations, the rest going to the principal component
// analysis: 9.2 s of 15.1 s for a 32-pixel run of width 16.
const samplingShare = 0.6

// searchFraction turns the search's progress within a stage into a
// fraction of the whole search.
func searchFraction(p latent.Progress) float64 {
	f := float64(p.Done) / float64(p.Total)
	if p.Stage == latent.StageSampling {
		return samplingShare * f
	}
	return samplingShare + (1-samplingShare)*f
}

// directionsConfig is how the explorer finds a checkpoint's directions.
// CachedDirections reuses a cached file only when it was found this way.
func directionsConfig(step, dim int) latent.DirectionsConfig {
	return latent.DirectionsConfig{Step: step, Dim: dim, Samples: latent.MinSamples,
		Components: latent.DefaultComponents, Seed: directionsSeed, BLAS: netlib.Implementation{}}
}

// SeedRecipe draws the latent of seed as 'ganvas sample -seed' draws its
// first image.
func (e *explorer) SeedRecipe(seed int64) ui.Recipe {
	r := ui.Recipe{Seed: seed, Truncation: 1}
	if c, _, err := e.current(); err == nil {
		r.Latent = latent.Normal(rand.New(rand.NewPCG(uint64(seed), 0)), c.arch.Latent)
	}
	return r
}

// GridRecipe finds the cell of the sample grid under (x, y) and returns the
// fixed latent and class the trainer draws it from (engine.GridLatents).
func (e *explorer) GridRecipe(runDir string, x, y int) (ui.Recipe, bool, error) {
	c, _, err := e.current()
	if err != nil {
		return ui.Recipe{}, false, err
	}
	if abs, _ := filepath.Abs(runDir); abs != c.runDir {
		return ui.Recipe{}, false, fmt.Errorf("the run %s is not the one open in the explorer", runDir)
	}
	col, okX := gridCell(x, c.arch.Resolution)
	row, okY := gridCell(y, c.arch.Resolution)
	if !okX || !okY || col >= engine.GridColumns || row*engine.GridColumns+col >= engine.GridImages {
		return ui.Recipe{}, false, nil
	}
	i := row*engine.GridColumns + col
	zs, classes := engine.GridLatents(c.seed, c.arch.Latent, c.arch.Classes)
	return ui.Recipe{Latent: zs[i], Seed: ui.NoSeed, Truncation: 1, Class: classes[i]}, true, nil
}

// gridCell returns which cell of a sample grid of size-pixel images the
// pixel coordinate v falls in, and false for a gap between cells.
func gridCell(v, size int) (int, bool) {
	v -= run.GridGap
	if v < 0 {
		return 0, false
	}
	cell, within := v/(size+run.GridGap), v%(size+run.GridGap)
	return cell, within < size
}

// Between slerps between the final latents of a and b; the class is a's
// for the first half of the path and b's for the rest.
func (e *explorer) Between(a, b ui.Recipe, t float64) (ui.Recipe, error) {
	c, dirs, err := e.current()
	if err != nil {
		return ui.Recipe{}, err
	}
	za, err := c.finalLatent(a, dirs)
	if err != nil {
		return ui.Recipe{}, err
	}
	zb, err := c.finalLatent(b, dirs)
	if err != nil {
		return ui.Recipe{}, err
	}
	r := ui.Recipe{Latent: latent.Slerp(za, zb, t), Seed: ui.NoSeed, Truncation: 1, Class: a.Class}
	if t >= 0.5 {
		r.Class = b.Class
	}
	return r, nil
}

// Breed breeds the final latents of a and b; children take their parents'
// classes in turn. The litter number seeds the children's noise.
func (e *explorer) Breed(a, b ui.Recipe, n int, variation float64, litter int64) ([]ui.Recipe, error) {
	c, dirs, err := e.current()
	if err != nil {
		return nil, err
	}
	za, err := c.finalLatent(a, dirs)
	if err != nil {
		return nil, err
	}
	zb, err := c.finalLatent(b, dirs)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(uint64(litter), 0x6272656564))
	children := latent.Breed(za, zb, n, variation, rng)
	out := make([]ui.Recipe, len(children))
	for i, z := range children {
		out[i] = ui.Recipe{Latent: z, Seed: ui.NoSeed, Truncation: 1, Class: a.Class}
		if i%2 == 1 {
			out[i].Class = b.Class
		}
	}
	return out, nil
}
