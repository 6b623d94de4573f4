package app

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"slices"

	"ganvas/app/export"
	"ganvas/app/favourites"
	"ganvas/engine"
	"ganvas/engine/latent"
	"ganvas/engine/run"
	"ganvas/ui"
)

// Favourites lists the run's favourites with their thumbnails, read once
// and then remembered.
func (e *explorer) Favourites(ctx context.Context) ([]ui.Favourite, error) {
	store, err := e.favouriteStore()
	if err != nil {
		return nil, err
	}
	list := store.List()
	out := make([]ui.Favourite, len(list))
	for i, f := range list {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out[i] = toUIFavourite(f)
		out[i].Thumbnail = e.thumbnail(store, f)
	}
	return out, nil
}

// thumbnail returns f's thumbnail, decoding it the first time; nil when it
// has none or it cannot be read.
func (e *explorer) thumbnail(store *favourites.Store, f favourites.Favourite) image.Image {
	e.mu.Lock()
	img, ok := e.thumbs[f.ID]
	e.mu.Unlock()
	if ok {
		return img
	}
	if path := store.ThumbnailPath(f); path != "" {
		img, _ = decodeFile(path)
	}
	e.mu.Lock()
	e.thumbs[f.ID] = img
	e.mu.Unlock()
	return img
}

// favouriteStore returns the store of the run open.
func (e *explorer) favouriteStore() (*favourites.Store, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.open == nil {
		return nil, errors.New("no run is open in the explorer")
	}
	if e.store == nil {
		return nil, fmt.Errorf("the favourites of this run cannot be read: %w", favourites.ErrNewer)
	}
	return e.store, nil
}

// AddFavourite keeps r with the open checkpoint, which it pins in the run
// so the favourite can always be drawn again as it was.
func (e *explorer) AddFavourite(r ui.Recipe, img image.Image) (ui.Favourite, error) {
	c, dirs, err := e.current()
	if err != nil {
		return ui.Favourite{}, err
	}
	store, err := e.favouriteStore()
	if err != nil {
		return ui.Favourite{}, err
	}
	if img == nil {
		imgs, err := c.drawRecipes(context.Background(), c.batch, dirs, []ui.Recipe{r})
		if err != nil {
			return ui.Favourite{}, err
		}
		img = imgs[0]
	}
	if err := c.keepFor(r, dirs); err != nil {
		return ui.Favourite{}, fmt.Errorf("keep the favourite: %w", err)
	}
	f := favourites.Favourite{Step: c.step, Latent: r.Latent, Truncation: r.Truncation,
		Class: r.Class, Sliders: r.Sliders}
	if r.Seed != ui.NoSeed {
		f.Seed = &r.Seed
	}
	f, err = store.Add(f, img)
	if err != nil {
		return ui.Favourite{}, err
	}
	kept := toUIFavourite(f)
	kept.Thumbnail = e.thumbnail(store, f)
	return kept, nil
}

// RemoveFavourites deletes favourites and forgets their thumbnails.
func (e *explorer) RemoveFavourites(ids []string) error {
	store, err := e.favouriteStore()
	if err != nil {
		return err
	}
	if err := store.Remove(ids...); err != nil {
		return err
	}
	e.mu.Lock()
	for _, id := range ids {
		delete(e.thumbs, id)
	}
	e.mu.Unlock()
	return nil
}

// RenameFavourite names a favourite, keeping its note.
func (e *explorer) RenameFavourite(id, name string) error {
	store, err := e.favouriteStore()
	if err != nil {
		return err
	}
	f, err := store.Get(id)
	if err != nil {
		return err
	}
	return store.Annotate(id, name, f.Note)
}

func toUIFavourite(f favourites.Favourite) ui.Favourite {
	seed := ui.NoSeed
	if f.Seed != nil {
		seed = *f.Seed
	}
	return ui.Favourite{ID: f.ID, Name: f.Name, Step: f.Step, Created: f.Created,
		Recipe: ui.Recipe{Latent: f.Latent, Seed: seed, Truncation: f.Truncation,
			Class: f.Class, Sliders: f.Sliders}}
}

// keepFor pins what makes r again from its recipe: the checkpoint, and the
// cached directions when a slider is moved.
func (c *checkpoint) keepFor(r ui.Recipe, dirs *latent.Directions) error {
	d, err := run.Open(c.runDir)
	if err != nil {
		return err
	}
	if _, err := d.KeepCheckpoint(c.step); err != nil {
		return err
	}
	if !hasSliders(r) {
		return nil
	}
	path := latent.DirectionsPath(c.runDir, c.step)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if dirs == nil {
		return fmt.Errorf("keep the slider directions: %w", ui.ErrNoDirections)
	}
	return dirs.Save(path)
}

// drawRecipes draws recipes with g and the directions given.
func (c *checkpoint) drawRecipes(ctx context.Context, g *lockedGenerator, dirs *latent.Directions,
	rs []ui.Recipe) ([]image.Image, error) {
	zs := make([][]float32, len(rs))
	classes := make([]int, len(rs))
	for i, r := range rs {
		var err error
		if zs[i], err = c.finalLatent(r, dirs); err != nil {
			return nil, err
		}
		classes[i] = r.Class
	}
	return c.draw(ctx, g, zs, classes)
}

// ExportPNG draws r with the open checkpoint, scales it and writes it with
// its recipe, after pinning what the recipe needs.
func (e *explorer) ExportPNG(ctx context.Context, path string, r ui.Recipe, scale int, smooth bool) error {
	c, dirs, err := e.current()
	if err != nil {
		return err
	}
	imgs, err := c.drawRecipes(ctx, c.batch, dirs, []ui.Recipe{r})
	if err != nil {
		return err
	}
	if err := c.keepFor(r, dirs); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	return savePNG(path, imgs[0], scale, smooth, c.recipe(r, c.step))
}

// ExportFavourite draws a favourite with the checkpoint it was kept at.
func (e *explorer) ExportFavourite(ctx context.Context, path, id string, scale int, smooth bool) error {
	imgs, favs, err := e.drawFavourites(ctx, []string{id})
	if err != nil {
		return err
	}
	c, _, err := e.current()
	if err != nil {
		return err
	}
	return savePNG(path, imgs[0], scale, smooth, c.recipe(favs[0].Recipe, favs[0].Step))
}

// ExportGrid draws favourites with their checkpoints into one grid.
func (e *explorer) ExportGrid(ctx context.Context, path string, ids []string) error {
	imgs, _, err := e.drawFavourites(ctx, ids)
	if err != nil {
		return err
	}
	if err := export.SaveGridPNG(path, imgs, 0); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	return nil
}

// drawFavourites draws favourites in order, each with the checkpoint it
// was kept at: the open one's batch generator, or a generator loaded for
// an older step with the directions cached for it.
func (e *explorer) drawFavourites(ctx context.Context, ids []string) ([]image.Image, []ui.Favourite, error) {
	c, dirs, err := e.current()
	if err != nil {
		return nil, nil, err
	}
	store, err := e.favouriteStore()
	if err != nil {
		return nil, nil, err
	}
	favs := make([]ui.Favourite, len(ids))
	for i, id := range ids {
		f, err := store.Get(id)
		if err != nil {
			return nil, nil, err
		}
		favs[i] = toUIFavourite(f)
	}

	imgs := make([]image.Image, len(ids))
	for _, step := range distinctSteps(favs) {
		var at []int
		var rs []ui.Recipe
		for i, f := range favs {
			if f.Step == step {
				at, rs = append(at, i), append(rs, f.Recipe)
			}
		}
		drawn, err := c.drawAtStep(ctx, step, dirs, rs)
		if err != nil {
			return nil, nil, err
		}
		for k, i := range at {
			imgs[i] = drawn[k]
		}
	}
	return imgs, favs, nil
}

// drawAtStep draws recipes with the checkpoint of step: the open one, or
// one the run kept. Sliders move along the directions found for that step,
// read from the run's cache when they are not the open checkpoint's.
func (c *checkpoint) drawAtStep(ctx context.Context, step int, dirs *latent.Directions,
	rs []ui.Recipe) ([]image.Image, error) {
	if step != c.step || dirs == nil {
		dirs = nil
		if slices.ContainsFunc(rs, hasSliders) {
			var err error
			if dirs, err = latent.LoadDirections(latent.DirectionsPath(c.runDir, step)); err != nil {
				return nil, fmt.Errorf("the slider directions of step %d cannot be read: %s", step, plain(err))
			}
		}
	}
	if step == c.step {
		return c.drawRecipes(ctx, c.batch, dirs, rs)
	}

	gen, err := engine.LoadGeneratorAt(c.runDir, step)
	if errors.Is(err, run.ErrStepGone) {
		return nil, fmt.Errorf("the checkpoint of step %d is no longer in the run, so its "+
			"favourites cannot be drawn as they were", step)
	}
	if err != nil {
		return nil, errors.New(plain(err))
	}
	older := &checkpoint{runDir: c.runDir, step: step, arch: gen.Arch(), classes: gen.Classes(),
		batch: &lockedGenerator{gen: gen}}
	defer older.batch.close()
	return older.drawRecipes(ctx, older.batch, dirs, rs)
}

// ExportPath draws the path between a and b, there and back when asked,
// and writes it as an animated GIF.
func (e *explorer) ExportPath(ctx context.Context, path string, a, b ui.Recipe, anim ui.Animation) error {
	c, dirs, err := e.current()
	if err != nil {
		return err
	}
	za, err := c.finalLatent(a, dirs)
	if err != nil {
		return err
	}
	zb, err := c.finalLatent(b, dirs)
	if err != nil {
		return err
	}
	frames := max(anim.Frames, 2)
	var zs [][]float32
	if anim.RoundTrip {
		zs = latent.Tour([][]float32{za, zb}, max(frames/2, 1), true)
	} else {
		zs = latent.Path(za, zb, frames)
	}
	classes := make([]int, len(zs))
	for i := range classes {
		classes[i] = a.Class
	}
	imgs, err := c.draw(ctx, c.batch, zs, classes)
	if err != nil {
		return err
	}
	return saveGIF(path, imgs, anim)
}

// ExportTimelapse writes the run's saved sample grids, evenly picked, as
// an animated GIF.
func (e *explorer) ExportTimelapse(ctx context.Context, path, runDir string, anim ui.Animation) error {
	d, err := run.Open(runDir)
	if err != nil {
		return errors.New(plain(err))
	}
	samples, err := d.ListSamples()
	if err != nil {
		return errors.New(plain(err))
	}
	if len(samples) == 0 {
		return fmt.Errorf("%s has no saved sample grids yet", runDir)
	}
	samples = spread(samples, anim.Frames)
	imgs := make([]image.Image, len(samples))
	for i, s := range samples {
		if err := ctx.Err(); err != nil {
			return err
		}
		if imgs[i], err = decodeFile(s.Path); err != nil {
			return fmt.Errorf("timelapse: %w", err)
		}
	}
	return saveGIF(path, imgs, anim)
}

// spread picks n of the files evenly, first and last included; all of
// them when there are no more than n.
func spread(files []run.StepFile, n int) []run.StepFile {
	if n <= 0 || n >= len(files) {
		return files
	}
	picked := make([]run.StepFile, n)
	for i := range picked {
		picked[i] = files[i*(len(files)-1)/max(n-1, 1)]
	}
	return picked
}

// recipe is the export recipe of r drawn at step.
func (c *checkpoint) recipe(r ui.Recipe, step int) export.Recipe {
	return export.Recipe{Run: c.runDir, Step: step, Latent: r.Latent, Truncation: r.Truncation,
		Class: r.Class, Sliders: r.Sliders, Seed: r.Seed}
}

// savePNG scales img and writes it with its recipe.
func savePNG(path string, img image.Image, scale int, smooth bool, r export.Recipe) error {
	big, err := export.Upscale(img, max(scale, 1), smooth)
	if err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	r.Scale, r.Smooth = max(scale, 1), smooth
	if err := export.SavePNG(path, big, r); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	return nil
}

// saveGIF scales frames pixel for pixel and writes them as a looping GIF.
func saveGIF(path string, frames []image.Image, anim ui.Animation) error {
	if anim.Scale > 1 {
		for i, f := range frames {
			big, err := export.Upscale(f, anim.Scale, false)
			if err != nil {
				return fmt.Errorf("export %s: %w", path, err)
			}
			frames[i] = big
		}
	}
	if err := export.SaveGIF(path, frames, anim.Delay, true); err != nil {
		return fmt.Errorf("export %s: %w", path, err)
	}
	return nil
}

// distinctSteps returns the steps of favs, each once, in order of first use.
func distinctSteps(favs []ui.Favourite) []int {
	var steps []int
	for _, f := range favs {
		if !slices.Contains(steps, f.Step) {
			steps = append(steps, f.Step)
		}
	}
	return steps
}

// hasSliders says whether any of r's sliders is off zero.
func hasSliders(r ui.Recipe) bool {
	return slices.ContainsFunc(r.Sliders, func(v float64) bool { return v != 0 })
}
