package app

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"ganvas/app/export"
	"ganvas/engine/latent"
	"ganvas/engine/run"
	"ganvas/ui"
)

// fixture is a run trained once for the explorer's tests, 5 steps at 32
// pixels and width 8, with its slider directions found by an explorer and
// cached in the run: finding them from 10,000 samples takes most of the
// explorer tests' time. Tests work on copies.
//
// Under the race detector those 10,000 generator passes take many minutes,
// so there the fixture caches directions of the right shape made up from
// random vectors, and the search itself is run only as far as
// TestDirectionsAreCachedAndCancellable takes it.
var fixture struct {
	once sync.Once
	dir  string // holds data/ and run/
	err  error
}

// trainedRun returns a copy of the fixture run, with or without its cached
// directions. The copy trains on from the same images with trainOn.
func trainedRun(t *testing.T, withDirections bool) string {
	t.Helper()
	fixture.once.Do(func() {
		fixture.dir, fixture.err = os.MkdirTemp("", "ganvas-explorer-")
		if fixture.err != nil {
			return
		}
		data := writeFolder(t, 10)
		if fixture.err = os.CopyFS(filepath.Join(fixture.dir, "data"), os.DirFS(data)); fixture.err != nil {
			return
		}
		runDir := filepath.Join(fixture.dir, "run")
		if fixture.err = train(runDir, 5); fixture.err != nil {
			return
		}
		if raceDetector {
			fixture.err = madeUpDirections(5).Save(latent.DirectionsPath(runDir, 5))
			return
		}
		e := newExplorer()
		defer e.Close()
		if _, fixture.err = e.Open(context.Background(), runDir); fixture.err == nil {
			_, fixture.err = e.Directions(context.Background(), nil)
		}
	})
	if fixture.err != nil {
		t.Fatalf("training the fixture run: %v", fixture.err)
	}
	runDir := filepath.Join(t.TempDir(), "run")
	if err := os.CopyFS(runDir, os.DirFS(filepath.Join(fixture.dir, "run"))); err != nil {
		t.Fatal(err)
	}
	if !withDirections {
		os.RemoveAll(filepath.Join(runDir, "directions"))
	}
	return runDir
}

// madeUpDirections returns directions for a checkpoint of the fixture run
// that CachedDirections takes for its own: the explorer's configuration,
// with random unit vectors, shares of variance that fall, and components
// of a made-up width.
func madeUpDirections(step int) *latent.Directions {
	cfg := directionsConfig(step, 100)
	d := &latent.Directions{Version: latent.DirectionsVersion, Step: step, Dim: cfg.Dim,
		Samples: cfg.Samples, Seed: cfg.Seed, Requested: cfg.Components, TotalVariance: 10}
	rng := rand.New(rand.NewPCG(4, 5))
	for i := range cfg.Components {
		v := latent.Normal(rng, cfg.Dim)
		var norm float64
		for _, x := range v {
			norm += float64(x) * float64(x)
		}
		for j := range v {
			v[j] /= float32(math.Sqrt(norm))
		}
		d.Vectors = append(d.Vectors, v)
		d.Sigma = append(d.Sigma, 1)
		d.Variance = append(d.Variance, 1/float64(i+1))
		d.Components = append(d.Components, []float32{1, 0, 0, 0})
	}
	return d
}

// train trains the run on the fixture's images up to steps.
func train(runDir string, steps int) error {
	code, _, stderr := ganvas("train", "-run", runDir, "-data", filepath.Join(fixture.dir, "data"),
		"-steps", strconv.Itoa(steps), "-res", "32", "-width", "8", "-batch", "8")
	if code != 0 {
		return errors.New(stderr)
	}
	return nil
}

// trainOn trains a copy of the fixture run on to steps.
func trainOn(t *testing.T, runDir string, steps int) {
	t.Helper()
	if err := train(runDir, steps); err != nil {
		t.Fatal(err)
	}
}

// openExplorer opens the run in a new explorer closed at the end of the test.
func openExplorer(t *testing.T, runDir string) (*explorer, ui.ExplorerInfo) {
	t.Helper()
	e := newExplorer()
	t.Cleanup(e.Close)
	info, err := e.Open(context.Background(), runDir)
	if err != nil {
		t.Fatal(err)
	}
	return e, info
}

func render(t *testing.T, e *explorer, r ui.Recipe) image.Image {
	t.Helper()
	img, err := e.Render(r)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// findDirections waits for the explorer's slider directions.
func findDirections(t *testing.T, e *explorer) []ui.Direction {
	t.Helper()
	dirs, err := e.Directions(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

func TestExplorerDrawsTheSamePixelsForTheSameRecipe(t *testing.T) {
	runDir := trainedRun(t, false)
	e, info := openExplorer(t, runDir)
	if info.Step != 5 || info.Resolution != 32 || info.Latent != 100 || info.Classes != nil {
		t.Errorf("opened %+v, want step 5, 32 px, latent 100, no classes", info)
	}

	r := e.SeedRecipe(7)
	first := render(t, e, r)
	if !sameImage(first, render(t, e, r)) {
		t.Error("drawing the same recipe twice gave different pixels")
	}
	many, err := e.RenderMany(context.Background(), []ui.Recipe{e.SeedRecipe(8), r})
	if err != nil {
		t.Fatal(err)
	}
	if !sameImage(first, many[1]) {
		t.Error("the batch generator draws the recipe differently from the view generator")
	}
	if sameImage(first, many[0]) {
		t.Error("seeds 7 and 8 gave the same image")
	}

	// The explorer's seed is the command line's: sample -seed 7 -n 1.
	grid := filepath.Join(t.TempDir(), "one.png")
	if code, _, stderr := ganvas("sample", "-run", runDir, "-seed", "7", "-n", "1", "-out", grid); code != 0 {
		t.Fatal(stderr)
	}
	if !sameImage(first, cell(decode(t, grid), 0, 32)) {
		t.Error("seed 7 in the explorer differs from ganvas sample -seed 7")
	}
}

// TestExportedPNGComesBackExactly moves sliders and truncation, exports,
// trains on until the checkpoint would be pruned, and makes the image again
// with ganvas sample -from.
func TestExportedPNGComesBackExactly(t *testing.T) {
	runDir := trainedRun(t, true)
	e, _ := openExplorer(t, runDir)
	dirs := findDirections(t, e)
	if len(dirs) < 8 || dirs[0].Explained < dirs[len(dirs)-1].Explained {
		t.Fatalf("found %d directions, want at least 8, largest share first: %v", len(dirs), dirs)
	}

	r := e.SeedRecipe(3)
	r.Truncation, r.Sliders = 0.8, []float64{1.5, 0, -2}
	shown := render(t, e, r)
	if sameImage(shown, render(t, e, e.SeedRecipe(3))) {
		t.Fatal("the sliders do not change the image")
	}
	out := t.TempDir()
	native, big := filepath.Join(out, "native.png"), filepath.Join(out, "big.png")
	smooth := filepath.Join(out, "smooth.png")
	if err := e.ExportPNG(context.Background(), native, r, 1, false); err != nil {
		t.Fatal(err)
	}
	if err := e.ExportPNG(context.Background(), big, r, 4, false); err != nil {
		t.Fatal(err)
	}
	if err := e.ExportPNG(context.Background(), smooth, r, 2, true); err != nil {
		t.Fatal(err)
	}
	if !sameImage(decode(t, native), shown) {
		t.Error("the exported PNG differs from the image shown")
	}
	if b := decode(t, big); b.Bounds().Dx() != 128 || !sameImage(shrink(b, 4), shown) {
		t.Error("the ×4 export is not the image shown, each pixel a 4×4 block")
	}

	// Two more sessions leave step 5 out of the newest two checkpoints.
	trainOn(t, runDir, 8)
	trainOn(t, runDir, 12)
	again := filepath.Join(out, "again.png")
	if code, _, stderr := ganvas("sample", "-from", native, "-out", again); code != 0 {
		t.Fatalf("sample -from: %s", stderr)
	}
	if !sameImage(decode(t, again), shown) {
		t.Error("ganvas sample -from made different pixels from the explorer's export")
	}
	// Enlarged exports come back at their size, enlarged the same way.
	for _, exported := range []string{big, smooth} {
		if code, _, stderr := ganvas("sample", "-from", exported, "-out", again); code != 0 {
			t.Fatalf("sample -from %s: %s", filepath.Base(exported), stderr)
		}
		if !sameImage(decode(t, again), decode(t, exported)) {
			t.Errorf("ganvas sample -from %s made different pixels", filepath.Base(exported))
		}
	}
	f, _ := os.Open(big)
	defer f.Close()
	recipe, err := export.ReadRecipe(f)
	if err != nil {
		t.Fatal(err)
	}
	if recipe.Step != 5 || recipe.Seed != 3 || recipe.Truncation != 0.8 || recipe.Scale != 4 ||
		!slices.Equal(recipe.Sliders, r.Sliders) || !slices.Equal(recipe.Latent, r.Latent) {
		t.Errorf("the recipe reads %+v", recipe)
	}
}

// shrink takes every factor-th pixel of img.
func shrink(img image.Image, factor int) image.Image {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()/factor, b.Dy()/factor))
	for y := range out.Rect.Dy() {
		for x := range out.Rect.Dx() {
			out.Set(x, y, img.At(b.Min.X+x*factor, b.Min.Y+y*factor))
		}
	}
	return out
}

func TestFavouritesSurviveReopening(t *testing.T) {
	runDir := trainedRun(t, false)
	e, _ := openExplorer(t, runDir)
	r := e.SeedRecipe(11)
	r.Truncation = 0.6
	img := render(t, e, r)
	kept, err := e.AddFavourite(r, img)
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.AddFavourite(e.SeedRecipe(12), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.RenameFavourite(kept.ID, "moth"); err != nil {
		t.Fatal(err)
	}
	if err := e.RemoveFavourites([]string{other.ID}); err != nil {
		t.Fatal(err)
	}
	e.Close()

	again, _ := openExplorer(t, runDir)
	favs, err := again.Favourites(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(favs) != 1 {
		t.Fatalf("after reopening there are %d favourites, want 1", len(favs))
	}
	f := favs[0]
	if f.Name != "moth" || f.Step != 5 || f.Recipe.Truncation != 0.6 || f.Recipe.Seed != 11 ||
		!slices.Equal(f.Recipe.Latent, r.Latent) {
		t.Errorf("the favourite came back as %+v", f)
	}
	if f.Thumbnail == nil || !sameImage(f.Thumbnail, img) {
		t.Error("the favourite's thumbnail is not the image kept")
	}
	if !sameImage(render(t, again, f.Recipe), img) {
		t.Error("the favourite opened in the explorer draws a different image")
	}
}

// TestFavouriteOfAnOlderCheckpointExportsAsKept keeps a favourite, trains
// on, and exports it: it must be drawn with the checkpoint it was kept at.
func TestFavouriteOfAnOlderCheckpointExportsAsKept(t *testing.T) {
	runDir := trainedRun(t, false)
	e, _ := openExplorer(t, runDir)
	img := render(t, e, e.SeedRecipe(2))
	f, err := e.AddFavourite(e.SeedRecipe(2), img)
	if err != nil {
		t.Fatal(err)
	}

	trainOn(t, runDir, 8)
	trainOn(t, runDir, 12)
	info, err := e.Open(context.Background(), runDir)
	if err != nil || info.Step != 12 {
		t.Fatalf("reopening: step %d, %v; want step 12", info.Step, err)
	}
	if sameImage(render(t, e, f.Recipe), img) {
		t.Fatal("step 12 draws the favourite as step 5 did; the test cannot tell them apart")
	}
	out := t.TempDir()
	one, grid := filepath.Join(out, "one.png"), filepath.Join(out, "grid.png")
	if err := e.ExportFavourite(context.Background(), one, f.ID, 1, false); err != nil {
		t.Fatal(err)
	}
	if !sameImage(decode(t, one), img) {
		t.Error("the exported favourite is not drawn with the checkpoint it was kept at")
	}
	newer, err := e.AddFavourite(e.SeedRecipe(5), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.ExportGrid(context.Background(), grid, []string{newer.ID, f.ID}); err != nil {
		t.Fatal(err)
	}
	g := decode(t, grid)
	if !sameImage(cell(g, 1, 32), img) || !sameImage(cell(g, 0, 32), render(t, e, e.SeedRecipe(5))) {
		t.Error("the grid does not hold each favourite as it was kept, in the order asked")
	}
}

func TestSampleGridCellsGiveTheirLatents(t *testing.T) {
	runDir := trainedRun(t, false)
	e, _ := openExplorer(t, runDir)
	samples, err := mustOpen(t, runDir).ListSamples()
	if err != nil {
		t.Fatal(err)
	}
	last := samples[len(samples)-1]
	if last.Step != 5 {
		t.Fatalf("the newest grid is of step %d, want the checkpoint's step 5", last.Step)
	}
	grid := decode(t, last.Path)

	for _, i := range []int{0, 9, 63} {
		x := run.GridGap + (i%8)*(32+run.GridGap) + 16
		y := run.GridGap + (i/8)*(32+run.GridGap) + 3
		r, ok, err := e.GridRecipe(runDir, x, y)
		if err != nil || !ok {
			t.Fatalf("cell %d at (%d,%d): %v, %v", i, x, y, ok, err)
		}
		want := grid.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(image.Rect(x-16, y-3, x+16, y+29))
		if d := maxDifference(render(t, e, r), want); d > 0 {
			t.Errorf("cell %d drawn alone differs from the grid by up to %d levels", i, d)
		}
	}
	if _, ok, _ := e.GridRecipe(runDir, 1, 10); ok {
		t.Error("the gap left of the first cell gave a latent")
	}
	if _, ok, _ := e.GridRecipe(runDir, 34, 10); ok {
		t.Error("the gap between cells gave a latent")
	}
}

func mustOpen(t *testing.T, dir string) *run.Dir {
	t.Helper()
	d, err := run.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// maxDifference is the largest difference of any channel of any pixel.
func maxDifference(a, b image.Image) int {
	pa, pb := pixels(a), pixels(b)
	if len(pa) != len(pb) {
		return 256
	}
	d := 0
	for i := range pa {
		d = max(d, abs(int(pa[i])-int(pb[i])))
	}
	return d
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestBetweenAndBreed(t *testing.T) {
	runDir := trainedRun(t, false)
	e, _ := openExplorer(t, runDir)
	a, b := e.SeedRecipe(1), e.SeedRecipe(2)
	a.Truncation = 0.7

	start, err := e.Between(a, b, 0)
	if err != nil {
		t.Fatal(err)
	}
	end, _ := e.Between(a, b, 1)
	middle, _ := e.Between(a, b, 0.5)
	if !sameImage(render(t, e, start), render(t, e, a)) || !sameImage(render(t, e, end), render(t, e, b)) {
		t.Error("the path does not start at A and end at B")
	}
	if sameImage(render(t, e, middle), render(t, e, a)) || middle.Seed != ui.NoSeed {
		t.Error("the middle of the path is A, or claims a seed")
	}

	kids, err := e.Breed(a, b, 6, 0.3, 1)
	if err != nil || len(kids) != 6 {
		t.Fatalf("bred %d children, %v; want 6", len(kids), err)
	}
	same, _ := e.Breed(a, b, 6, 0.3, 1)
	next, _ := e.Breed(a, b, 6, 0.3, 2)
	if !slices.Equal(kids[0].Latent, same[0].Latent) || slices.Equal(kids[0].Latent, next[0].Latent) {
		t.Error("a litter is not repeatable, or the next litter repeats it")
	}

	// Sliders need the directions.
	a.Sliders = []float64{1}
	if _, err := e.Between(a, b, 0.5); !errors.Is(err, ui.ErrNoDirections) {
		t.Errorf("a path from an end with sliders before the directions: %v", err)
	}
	if _, err := e.Render(a); !errors.Is(err, ui.ErrNoDirections) {
		t.Errorf("drawing sliders before the directions: %v", err)
	}
}

func TestDirectionsAreCachedAndCancellable(t *testing.T) {
	runDir := trainedRun(t, false)
	e, _ := openExplorer(t, runDir)
	ctx, cancel := context.WithCancel(context.Background())
	var fractions []float64
	_, err := e.Directions(ctx, func(f float64) {
		fractions = append(fractions, f)
		if len(fractions) == 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled search returned %v", err)
	}
	if len(fractions) != 3 || !slices.IsSorted(fractions) || fractions[2] <= 0 {
		t.Errorf("progress %v does not rise", fractions)
	}
	if _, err := os.Stat(latent.DirectionsPath(runDir, 5)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a cancelled search left a cache file: %v", err)
	}

	// The fixture's directions were found by an explorer and cached; another
	// explorer reads them instead of searching again.
	cachedRun := trainedRun(t, true)
	if _, err := os.Stat(latent.DirectionsPath(cachedRun, 5)); err != nil {
		t.Fatalf("the directions were not cached in the run: %v", err)
	}
	other, _ := openExplorer(t, cachedRun)
	var progressed bool
	found, err := other.Directions(context.Background(), func(float64) { progressed = true })
	if err != nil {
		t.Fatal(err)
	}
	if progressed || len(found) != latent.DefaultComponents {
		t.Errorf("reading cached directions searched again (%v), or found %d directions", progressed, len(found))
	}
	again, err := other.Directions(context.Background(), nil)
	if err != nil || !slices.Equal(again, found) {
		t.Errorf("asking again for the directions found: %v, %v", again, err)
	}
}

func TestAnimationsHaveTheFramesAsked(t *testing.T) {
	runDir := trainedRun(t, false)
	e, _ := openExplorer(t, runDir)
	out := t.TempDir()
	a, b := e.SeedRecipe(1), e.SeedRecipe(2)
	for _, tc := range []struct {
		anim       ui.Animation
		frames, px int
	}{
		{ui.Animation{Frames: 8, Delay: 100 * time.Millisecond, Scale: 1}, 8, 32},
		{ui.Animation{Frames: 8, Delay: 40 * time.Millisecond, Scale: 2, RoundTrip: true}, 8, 64},
	} {
		path := filepath.Join(out, "path.gif")
		if err := e.ExportPath(context.Background(), path, a, b, tc.anim); err != nil {
			t.Fatal(err)
		}
		g := readGIF(t, path)
		if len(g.Image) != tc.frames || g.Config.Width != tc.px || g.Delay[0] != int(tc.anim.Delay/(10*time.Millisecond)) {
			t.Errorf("%+v: %d frames of %d px at %d/100 s", tc.anim, len(g.Image), g.Config.Width, g.Delay[0])
		}
	}

	timelapse := filepath.Join(out, "timelapse.gif")
	if err := e.ExportTimelapse(context.Background(), timelapse, runDir, ui.Animation{Frames: 2, Delay: time.Second / 10}); err != nil {
		t.Fatal(err)
	}
	if g := readGIF(t, timelapse); len(g.Image) != 2 {
		t.Errorf("a timelapse of 2 frames has %d", len(g.Image))
	}
}

func readGIF(t *testing.T, path string) *gif.GIF {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := gif.DecodeAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestFailedExportSaysWhyAndLeavesTheFile(t *testing.T) {
	runDir := trainedRun(t, false)
	e, _ := openExplorer(t, runDir)
	err := e.ExportPNG(context.Background(), filepath.Join(t.TempDir(), "gone", "x.png"), e.SeedRecipe(1), 1, false)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("export into a missing folder: %v, want an error the window can explain", err)
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "x.png")
	old := image.NewRGBA(image.Rect(0, 0, 2, 2))
	old.Set(0, 0, color.White)
	if err := export.SavePNG(path, old, export.Recipe{Latent: []float32{1}, Truncation: 1}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	lockDir(t, dir)
	err = e.ExportPNG(context.Background(), path, e.SeedRecipe(1), 1, false)
	if !errors.Is(err, run.ErrReadOnly) || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("export into a locked folder: %v, want it to say the folder is not writable", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the failed export changed the file already there")
	}
}

// TestExplorerCallsMayOverlap draws, keeps and reads favourites on three
// goroutines, as the window's render goroutine and workers do, while the
// checkpoint is opened again and again. Under -race it checks that no two
// callers share a generator. A call that began on a replaced checkpoint may
// fail with errReplaced; nothing else may fail.
func TestExplorerCallsMayOverlap(t *testing.T) {
	runDir := trainedRun(t, true)
	e, _ := openExplorer(t, runDir)
	findDirections(t, e)

	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 3)
	var wg sync.WaitGroup
	for worker := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				r := e.SeedRecipe(int64(i))
				var err error
				switch worker {
				case 0:
					_, err = e.Render(r)
				case 1:
					_, err = e.RenderMany(ctx, []ui.Recipe{r, e.SeedRecipe(int64(i + 1))})
				case 2:
					_, err = e.Directions(ctx, nil)
					if err == nil && i%4 == 0 {
						_, err = e.AddFavourite(r, nil)
					}
				}
				if err != nil && !errors.Is(err, errReplaced) && !errors.Is(err, context.Canceled) {
					errs <- err
					return
				}
			}
		}()
	}
	for range 3 {
		if _, err := e.Open(context.Background(), runDir); err != nil {
			t.Error(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if favs, err := e.Favourites(context.Background()); err != nil || len(favs) == 0 {
		t.Errorf("after the overlapping calls: %d favourites, %v", len(favs), err)
	}
}
