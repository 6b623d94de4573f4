package ui

import (
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"go.uber.org/goleak"
)

func TestExplorerShowsTheFirstSeed(t *testing.T) {
	e := newFakeExplorer()
	s, _, _ := newExploringStudio(t, e)

	if got := pixel(s); got.R != 10 || got.B != 200 {
		t.Errorf("first image %v, want seed 1 (red 10) without truncation (blue 200)", got)
	}
	if s.explore.seed.Text != "1" {
		t.Errorf("the seed field says %q, want 1", s.explore.seed.Text)
	}
	if got := s.explore.checkpoint.Text; got != "Checkpoint at step 10 · 32 px" {
		t.Errorf("the checkpoint reads %q", got)
	}
	if s.explore.view.ScaleMode != 1 { // canvas.ImageScalePixels
		t.Error("the large image is smoothed; small generator output should stay pixel-sharp")
	}
}

func TestSlidersAppearAndChangeTheImage(t *testing.T) {
	e := newFakeExplorer()
	s, loop, _ := newExploringStudio(t, e)
	loop.runUntil(t, "the sliders", func() bool { return len(s.explore.directions.sliders) == 10 })

	names := sliderNames(s)
	if names[0] != "1 · 25.0 %" || names[9] != "10 · 1.0 %" {
		t.Errorf("slider labels %q, want each direction's share of the variance", names)
	}
	slider := s.explore.directions.sliders[0]
	if slider.Min != -3 || slider.Max != 3 {
		t.Errorf("the slider runs from %g to %g, want ±3σ", slider.Min, slider.Max)
	}
	slider.SetValue(1.5)
	loop.runUntil(t, "the moved image", func() bool { return pixel(s).G == 188 })
	if got := s.explore.directions.values[0].Text; got != "+1.50σ" {
		t.Errorf("the slider's value reads %q, want +1.50σ", got)
	}

	test.Tap(s.explore.reset)
	loop.runUntil(t, "the reset image", func() bool { return pixel(s).G == 128 })
	if slider.Value != 0 {
		t.Errorf("after Reset the slider is at %g, want 0", slider.Value)
	}
}

// TestSliderBurstDrawsOnlyTheLatest moves a slider a hundred times while
// the generator is busy with the first move: the window must end on the
// last position having drawn only that first image and the last.
func TestSliderBurstDrawsOnlyTheLatest(t *testing.T) {
	e := newFakeExplorer()
	s, loop, _ := newExploringStudio(t, e)
	loop.runUntil(t, "the sliders", func() bool { return len(s.explore.directions.sliders) > 0 })
	loop.settle()
	gate := make(chan struct{})
	e.set(func(e *fakeExplorer) { e.renderGate = gate; e.renders = 0 })

	slider := s.explore.directions.sliders[0]
	for i := 1; i <= 100; i++ {
		slider.SetValue(float64(i) * 0.02) // the last is 2σ
	}
	close(gate)
	loop.runUntil(t, "the last position drawn", func() bool { return pixel(s).G == 208 })
	loop.settle()

	if n := e.count(&e.renders); n > 2 {
		t.Errorf("100 slider moves drew %d images, want at most 2", n)
	}
	if got := e.lastRender.Sliders[0]; got != 2 {
		t.Errorf("the last image drawn has the slider at %g, want 2", got)
	}
}

func TestSeedAndTruncationWorkWhileDirectionsAreFound(t *testing.T) {
	e := newFakeExplorer()
	e.dirsBlock = true
	s, loop, _ := newExploringStudio(t, e)
	d := s.explore.directions
	loop.runUntil(t, "the progress bar", func() bool { return d.bar.Value == 0.5 })
	if d.progress.Hidden || d.cancel == nil {
		t.Fatal("no progress is shown while the directions are found")
	}

	s.explore.seed.SetText("17")
	loop.runUntil(t, "seed 17", func() bool { return pixel(s).R == 170 })
	s.explore.truncation.SetValue(0.5)
	loop.runUntil(t, "truncation 0.5", func() bool { return pixel(s).B == 100 })
	test.Tap(s.explore.nextSeed)
	loop.runUntil(t, "seed 18", func() bool { return pixel(s).R == 180 })
	if s.explore.seed.Text != "18" {
		t.Errorf("after the next-seed button the field says %q, want 18", s.explore.seed.Text)
	}
	test.Tap(s.explore.randomize)
	loop.runUntil(t, "a random seed", func() bool { return s.explore.recipe.Seed != 18 })

	test.Tap(d.stop)
	loop.runUntil(t, "the search stopped", func() bool { return d.progress.Hidden })
	if !strings.Contains(d.message.Text, "cancelled") || d.again.Hidden {
		t.Errorf("after Cancel the panel says %q and offers no way to start again", d.message.Text)
	}
	e.set(func(e *fakeExplorer) { e.dirsBlock = false })
	test.Tap(d.again)
	loop.runUntil(t, "the sliders", func() bool { return len(d.sliders) == 10 })
}

func TestDirectionsErrorIsShownWithRetry(t *testing.T) {
	e := newFakeExplorer()
	e.dirsErr = errors.New("directions: out of memory")
	s, loop, _ := newExploringStudio(t, e)
	d := s.explore.directions
	loop.runUntil(t, "the error", func() bool { return strings.Contains(d.message.Text, "out of memory") })
	if d.again.Hidden {
		t.Error("a failed search offers no retry")
	}
}

func TestFavouriteWithSlidersWaitsForDirections(t *testing.T) {
	e := newFakeExplorer()
	e.dirsBlock = true
	e.favs = []Favourite{{ID: "x", Step: 10, Recipe: Recipe{Latent: []float32{3, 0, 0, 0},
		Seed: 3, Truncation: 1, Sliders: []float64{1}}}}
	s, loop, _ := newExploringStudio(t, e)
	loop.runUntil(t, "the gallery", func() bool { return len(s.gallery.favs) == 1 })

	s.gallery.openFavourite(s.gallery.favs[0])
	loop.runUntil(t, "the wait is explained", func() bool {
		return s.explore.status.Text == tr("explore.waiting_directions")
	})
	e.set(func(e *fakeExplorer) { e.dirsBlock = false })
	test.Tap(s.explore.directions.stop)
	loop.runUntil(t, "stopped", func() bool { return !s.explore.directions.again.Hidden })
	test.Tap(s.explore.directions.again)
	loop.runUntil(t, "the favourite drawn", func() bool { return pixel(s) == color.RGBA{30, 168, 200, 255} })
	if s.explore.directions.sliders[0].Value != 1 {
		t.Error("the favourite's slider position is not shown on its slider")
	}
}

func TestReloadFollowsTraining(t *testing.T) {
	e := newFakeExplorer()
	s, loop, backend := newExploringStudio(t, e)
	if s.explore.reload.Importance == widget.HighImportance {
		t.Fatal("Reload is highlighted before any newer checkpoint")
	}

	backend.updates <- CheckpointSaved{Step: 20}
	loop.runUntil(t, "the newer checkpoint is offered", func() bool { return s.explore.newer == 20 })
	if got := s.explore.reload.Text; got != "Reload: step 20 is saved" {
		t.Errorf("Reload says %q", got)
	}
	e.set(func(e *fakeExplorer) { e.info.Step = 20 })
	s.explore.seed.SetText("12") // kept across the reload
	test.Tap(s.explore.reload)
	loop.runUntil(t, "step 20 open", func() bool {
		return s.explore.info != nil && s.explore.info.Step == 20 && s.explore.image != nil
	})
	loop.settle()
	if e.count(&e.opens) != 2 || s.explore.reload.Text != "Reload checkpoint" {
		t.Errorf("after reloading: %d opens, Reload says %q", e.count(&e.opens), s.explore.reload.Text)
	}
	if pixel(s).R != 120 {
		t.Errorf("the reload lost the seed: red %d, want 120 (seed 12)", pixel(s).R)
	}
}

func TestOpenFailureSaysWhy(t *testing.T) {
	e := newFakeExplorer()
	e.openErr = errors.New("the run has no checkpoint")
	backend := newFakeBackend()
	backend.runs = []RunInfo{{Dir: "/runs/a", Name: "a", Settings: DefaultSettings()}}
	s, loop := newTestStudio(t, backend, Options{RunDir: "/runs/a", Explorer: e})
	loop.runUntil(t, "the run is open", func() bool { return s.run != nil })
	s.tabs.Select(s.exploreTab)
	loop.runUntil(t, "the failure", func() bool { return strings.Contains(s.explore.hint.Text, "no checkpoint") })
	if !s.explore.keep.Disabled() || !s.explore.randomize.Disabled() {
		t.Error("with nothing open, Keep and Randomize can still be pressed")
	}

	// The first checkpoint of a training run opens the explorer by itself.
	e.set(func(e *fakeExplorer) { e.openErr = nil })
	backend.updates <- CheckpointSaved{Step: 5}
	loop.runUntil(t, "opened on the first checkpoint", func() bool { return s.explore.image != nil })
}

func TestClassPickerOnlyForConditionalRuns(t *testing.T) {
	e := newFakeExplorer()
	s, loop, _ := newExploringStudio(t, e)
	if !s.explore.classRow.Hidden {
		t.Error("a run without classes shows a class picker")
	}

	e.set(func(e *fakeExplorer) { e.info.Classes = []string{"cats", "dogs"} })
	test.Tap(s.explore.reload)
	loop.runUntil(t, "reopened", func() bool { return s.explore.info.Classes != nil })
	if s.explore.classRow.Hidden {
		t.Fatal("a conditional run shows no class picker")
	}
	s.explore.class.SetSelected("dogs")
	loop.runUntil(t, "class 1 drawn", func() bool { return pixel(s).R == 11 })
}

func TestKeepAddsAFavourite(t *testing.T) {
	e := newFakeExplorer()
	s, loop, _ := newExploringStudio(t, e)
	s.explore.seed.SetText("14")
	s.explore.truncation.SetValue(0.7)
	loop.runUntil(t, "seed 14 drawn", func() bool { return pixel(s).R == 140 && pixel(s).B == 140 })

	test.Tap(s.explore.keep)
	loop.runUntil(t, "the gallery shows it", func() bool { return len(s.gallery.favs) == 1 })
	f := s.gallery.favs[0]
	if f.Recipe.Seed != 14 || f.Recipe.Truncation != 0.7 || f.Step != 10 {
		t.Errorf("kept %+v, want seed 14 at truncation 0.7 and step 10", f.Recipe)
	}
	if f.Thumbnail != s.explore.image {
		t.Error("the favourite's thumbnail is not the image shown")
	}
	if !strings.Contains(s.explore.status.Text, "step 10") {
		t.Errorf("after keeping, the status says %q", s.explore.status.Text)
	}
}

func TestGallerySelectsAndDeletes(t *testing.T) {
	e := newFakeExplorer()
	for i := range 3 {
		e.favs = append(e.favs, Favourite{ID: fmt.Sprintf("id%d", i), Step: 10, Name: fmt.Sprintf("fav %d", i),
			Recipe: e.SeedRecipe(int64(i)), Thumbnail: solidImage(4, 4, color.White)})
	}
	s, loop, _ := newExploringStudio(t, e)
	s.tabs.Select(s.favouritesTab)
	loop.runUntil(t, "the gallery", func() bool { return len(s.gallery.favs) == 3 })
	g := s.gallery

	cells := findAll[*doubleTapThumbnail](g.grid)
	if len(cells) != 3 {
		t.Fatalf("the gallery shows %d cells, want 3", len(cells))
	}
	test.Tap(cells[0])
	test.Tap(cells[2])
	if g.count.Text != "2 of 3 selected" {
		t.Errorf("the count says %q", g.count.Text)
	}
	if !g.open.Disabled() || !g.rename.Disabled() || g.remove.Disabled() || g.exportGrid.Disabled() {
		t.Error("with two selected, Open and Rename should be off and Delete and Export grid on")
	}
	cells = findAll[*doubleTapThumbnail](g.grid)
	if !cells[0].selected || cells[1].selected || !cells[2].selected {
		t.Error("the selected favourites are not framed")
	}

	test.Tap(g.remove)
	dialog := topOverlay(t, s)
	if !strings.Contains(test.RenderObjectToMarkup(dialog), "Delete 2 favourites") {
		t.Errorf("the confirmation does not say how many: %s", test.RenderObjectToMarkup(dialog))
	}
	if len(e.kept()) != 3 {
		t.Fatal("favourites were deleted before the person confirmed")
	}
	tapText(t, dialog, "Delete")
	loop.runUntil(t, "one left", func() bool { return len(g.favs) == 1 })
	if !slices.Equal(e.removed, []string{"id0", "id2"}) {
		t.Errorf("deleted %v, want id0 and id2", e.removed)
	}
	if g.favs[0].ID != "id1" || g.count.Text != "0 of 1 selected" {
		t.Errorf("left %s, count %q", g.favs[0].ID, g.count.Text)
	}
}

func TestGalleryExportsFavourites(t *testing.T) {
	e := newFakeExplorer()
	for i := range 3 {
		e.favs = append(e.favs, Favourite{ID: fmt.Sprintf("id%d", i), Step: 10, Recipe: e.SeedRecipe(int64(i))})
	}
	s, loop, _ := newExploringStudio(t, e)
	s.tabs.Select(s.favouritesTab)
	loop.runUntil(t, "the gallery", func() bool { return len(s.gallery.favs) == 3 })
	g := s.gallery
	path := filepath.Join(t.TempDir(), "x.png")
	s.chooseSavePath = func(name, ext string, chosen func(string)) { chosen(path) }

	cells := findAll[*doubleTapThumbnail](g.grid)
	test.Tap(cells[0])
	test.Tap(cells[2])
	test.Tap(g.exportGrid)
	loop.runUntil(t, "the grid written and reported", func() bool {
		return len(e.exported()) == 1 && strings.HasPrefix(g.status.Text, "Saved")
	})

	test.Tap(g.selectNone)
	test.Tap(findAll[*doubleTapThumbnail](g.grid)[1])
	test.Tap(g.exportPNG)
	tapText(t, topOverlay(t, s), "Choose file…")
	loop.runUntil(t, "the PNG written and reported", func() bool {
		return len(e.exported()) == 2 && strings.HasPrefix(g.status.Text, "Saved")
	})
	want := []string{"grid of [id0 id2]", "favourite id1 scale 4 smooth false"}
	if got := e.exported(); !slices.Equal(got, want) {
		t.Errorf("exported %q, want %q", got, want)
	}
}

func TestGalleryRenamesAndOpens(t *testing.T) {
	e := newFakeExplorer()
	e.favs = []Favourite{{ID: "a", Step: 5, Recipe: e.SeedRecipe(9)}}
	s, loop, _ := newExploringStudio(t, e)
	s.tabs.Select(s.favouritesTab)
	loop.runUntil(t, "the gallery", func() bool { return len(s.gallery.favs) == 1 })
	g := s.gallery
	test.Tap(findAll[*doubleTapThumbnail](g.grid)[0])

	test.Tap(g.rename)
	dialog := topOverlay(t, s)
	entry := findAll[*widget.Entry](dialog)[0]
	entry.SetText("moth")
	tapText(t, dialog, "Rename")
	loop.runUntil(t, "renamed", func() bool { return len(g.favs) == 1 && g.favs[0].Name == "moth" })

	test.DoubleTap(findAll[*doubleTapThumbnail](g.grid)[0])
	if s.tabs.Selected() != s.exploreTab {
		t.Fatal("a double tap does not open the favourite in the explorer")
	}
	loop.runUntil(t, "seed 9 drawn", func() bool { return pixel(s).R == 90 })
	if !strings.Contains(s.explore.status.Text, "step 5") {
		t.Errorf("a favourite from step 5 shown at step 10 says %q", s.explore.status.Text)
	}
}

func TestExportErrorIsADialogAndLosesNothing(t *testing.T) {
	e := newFakeExplorer()
	e.exportErr = fmt.Errorf("export: write x.png: %w", syscall.ENOSPC)
	s, loop, _ := newExploringStudio(t, e)
	path := filepath.Join(t.TempDir(), "x.png")
	if err := os.WriteFile(path, []byte("last week's export"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.chooseSavePath = func(name, ext string, chosen func(string)) {
		// What Fyne's save dialog does once the person agrees to replace it.
		w, err := storage.Writer(storage.NewFileURI(path))
		if err != nil {
			t.Error(err)
			return
		}
		w.Close()
		chosen(path)
	}
	before := s.explore.image

	test.Tap(s.explore.export)
	tapText(t, topOverlay(t, s), "Choose file…")
	loop.runUntil(t, "the error dialog", func() bool {
		return strings.Contains(overlayMarkup(s.window), "Could not export")
	})
	if markup := overlayMarkup(s.window); !strings.Contains(markup, "The disk is full") {
		t.Errorf("the dialog does not say the disk is full:\n%s", markup)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != "last week's export" {
		t.Errorf("after the failed export the file it was to replace holds %q (%v)", got, err)
	}
	if s.explore.image != before || s.explore.recipe.Seed != 1 {
		t.Error("the failed export changed the explorer")
	}
}

func TestExportPNGTakesTheChoices(t *testing.T) {
	e := newFakeExplorer()
	s, loop, _ := newExploringStudio(t, e)
	path := filepath.Join(t.TempDir(), "x.png")
	var asked string
	s.chooseSavePath = func(name, ext string, chosen func(string)) {
		asked = name
		chosen(path)
	}
	test.Tap(s.explore.export)
	dialog := topOverlay(t, s)
	tapText(t, dialog, "Smooth")
	tapText(t, dialog, "128 × 128 px (×4)") // the size offered first
	tapText(t, topOverlay(t, s), "256 × 256 px (×8)")
	tapText(t, dialog, "Choose file…")
	loop.runUntil(t, "written", func() bool { return strings.HasPrefix(s.explore.status.Text, "Saved") })
	if asked != "ganvas-step10-seed1.png" {
		t.Errorf("the save dialog suggests %q", asked)
	}
	if want := []string{"png seed 1 scale 8 smooth true"}; !slices.Equal(e.exported(), want) {
		t.Errorf("exported %q, want %q", e.exported(), want)
	}
}

func TestInterpolationStripAndScrub(t *testing.T) {
	e := newFakeExplorer()
	s, loop, _ := newExploringStudio(t, e)
	ip := s.explore.interp
	loop.runUntil(t, "the strip", func() bool { return len(ip.images) == stripFrames })
	// From seed 1 (red 10) to seed 2 (red 20) in 8 frames.
	first := color.RGBAModel.Convert(ip.strip[0].picture.Image.At(0, 0)).(color.RGBA)
	last := color.RGBAModel.Convert(ip.strip[7].picture.Image.At(0, 0)).(color.RGBA)
	if first.R != 10 || last.R != 20 {
		t.Errorf("the strip runs from red %d to %d, want 10 to 20", first.R, last.R)
	}

	ip.scrub.SetValue(0.5)
	loop.runUntil(t, "the middle drawn large", func() bool { return pixel(s).R == 15 })
	if s.explore.recipe.Seed != NoSeed || s.explore.seed.Text != "" {
		t.Error("an image from the path still claims a seed")
	}

	// B from a seed typed in.
	ip.ends[1].seed.SetText("5")
	ip.ends[1].seed.OnSubmitted("5")
	loop.runUntil(t, "the new strip", func() bool {
		return len(ip.images) == stripFrames &&
			color.RGBAModel.Convert(ip.images[7].At(0, 0)).(color.RGBA).R == 50
	})
	test.Tap(ip.strip[7])
	loop.runUntil(t, "B drawn large", func() bool { return pixel(s).R == 50 })

	// Starring a strip image keeps it.
	ip.strip[3].OnKeep()
	loop.runUntil(t, "kept", func() bool { return len(s.gallery.favs) == 1 })
	loop.settle()
	if ip.ends[0].favourite.Disabled() || ip.ends[1].favourite.Disabled() {
		t.Error("with a favourite kept, an end still cannot be chosen from the favourites")
	}

	path := filepath.Join(t.TempDir(), "path.gif")
	s.chooseSavePath = func(name, ext string, chosen func(string)) { chosen(path) }
	test.Tap(ip.export)
	tapText(t, topOverlay(t, s), "Choose file…")
	loop.runUntil(t, "written", func() bool { return len(e.exported()) == 1 })
	if want := "path 1→5 24 frames 100ms ×4 back true"; e.exported()[0] != want {
		t.Errorf("exported %q, want %q", e.exported()[0], want)
	}
}

func TestBreedMakesChildren(t *testing.T) {
	e := newFakeExplorer()
	e.favs = []Favourite{
		{ID: "a", Step: 10, Recipe: e.SeedRecipe(2)},
		{ID: "b", Step: 10, Recipe: e.SeedRecipe(4)},
	}
	s, loop, _ := newExploringStudio(t, e)
	b := s.explore.breed
	loop.runUntil(t, "parents offered", func() bool { return len(b.parents[0].Options) == 2 })
	if b.parents[0].SelectedIndex() != 0 || b.parents[1].SelectedIndex() != 1 || b.breed.Disabled() {
		t.Error("the two favourites are not chosen as parents to start with")
	}
	b.parents[1].ClearSelected()
	if !b.breed.Disabled() || b.message.Text != "Choose two parents, then press Breed." {
		t.Errorf("with one parent Breed can be pressed, and the panel says %q", b.message.Text)
	}
	b.parents[1].SetSelectedIndex(1)
	test.Tap(b.breed)
	loop.runUntil(t, "the children", func() bool { return len(b.images) == litterSize })

	// Children of seeds 2 and 4 in the fake: 3 + i + 0.1 per litter.
	test.Tap(b.children[2])
	loop.runUntil(t, "child 3 opened", func() bool { return pixel(s).R == 51 })
	b.children[5].OnKeep()
	loop.runUntil(t, "the child kept", func() bool { return len(s.gallery.favs) == 3 })
	if b.parents[0].SelectedIndex() != 0 || b.parents[1].SelectedIndex() != 1 {
		t.Error("keeping a child lost the parents chosen")
	}

	test.Tap(b.breed)
	loop.runUntil(t, "a second litter", func() bool {
		return color.RGBAModel.Convert(b.images[0].At(0, 0)).(color.RGBA).R == 32
	})
}

func TestSampleCellCanBeKeptAndExplored(t *testing.T) {
	e := newFakeExplorer()
	backend := newFakeBackend()
	s, loop := newTestStudio(t, backend, Options{Explorer: e})
	test.Tap(s.controls.train)
	loop.runUntil(t, "training", func() bool { return s.state == stateTraining })
	backend.updates <- Samples{Step: 5, Grid: solidImage(81, 81, color.White)}
	loop.runUntil(t, "the grid", func() bool { return s.samples.image.Image != nil })

	// Pixel (25, 15) is cell 2 of row 1: cell 10, seed 110.
	s.samples.cellTapped(25, 15, fyne.NewPos(10, 10))
	tapText(t, topOverlay(t, s), "Keep this sample")
	loop.runUntil(t, "kept", func() bool { return len(e.kept()) == 1 })
	if got := e.kept()[0].Recipe.Seed; got != 110 {
		t.Errorf("kept seed %d, want 110", got)
	}

	s.samples.cellTapped(25, 15, fyne.NewPos(10, 10))
	tapText(t, topOverlay(t, s), "Explore this sample")
	loop.runUntil(t, "explored", func() bool { return s.explore.image != nil && pixel(s).R == 1100%256 }) // red wraps
	if s.tabs.Selected() != s.exploreTab {
		t.Error("Explore this sample did not turn to the Explore tab")
	}
}

func TestTimelapseExport(t *testing.T) {
	e := newFakeExplorer()
	backend := newFakeBackend()
	backend.runs = []RunInfo{{Dir: "/runs/a", Name: "a", Step: 10, HasCheckpoint: true,
		Settings: DefaultSettings()}}
	backend.frames["/runs/a"] = []SampleFrame{{Step: 0, Path: "/x/0.png"}, {Step: 5, Path: "/x/5.png"}}
	s, loop := newTestStudio(t, backend, Options{RunDir: "/runs/a", Explorer: e})
	loop.runUntil(t, "the run", func() bool { return s.run != nil && len(s.samples.frames) == 2 })
	if s.samples.timelapse.Disabled() {
		t.Fatal("a run with two grids cannot export a timelapse")
	}
	path := filepath.Join(t.TempDir(), "t.gif")
	s.chooseSavePath = func(name, ext string, chosen func(string)) { chosen(path) }
	test.Tap(s.samples.timelapse)
	tapText(t, topOverlay(t, s), "Choose file…")
	loop.runUntil(t, "written", func() bool { return len(e.exported()) == 1 })
	if want := "timelapse /runs/a 24 frames 100ms"; e.exported()[0] != want {
		t.Errorf("exported %q, want %q", e.exported()[0], want)
	}
}

func TestImagePixel(t *testing.T) {
	for _, tc := range []struct {
		w, h   int
		area   fyne.Size
		pos    fyne.Position
		x, y   int
		inside bool
	}{
		{10, 10, fyne.NewSize(100, 100), fyne.NewPos(55, 5), 5, 0, true},
		{10, 10, fyne.NewSize(200, 100), fyne.NewPos(49, 50), 0, 0, false}, // left of the image
		{10, 10, fyne.NewSize(200, 100), fyne.NewPos(50, 50), 0, 5, true},
		{10, 10, fyne.NewSize(200, 100), fyne.NewPos(149.9, 99.9), 9, 9, true},
		{10, 10, fyne.NewSize(200, 100), fyne.NewPos(150, 50), 0, 0, false}, // right of it
		{20, 10, fyne.NewSize(100, 100), fyne.NewPos(50, 20), 0, 0, false},  // above it
		{20, 10, fyne.NewSize(100, 100), fyne.NewPos(99, 74), 19, 9, true},
		{0, 10, fyne.NewSize(100, 100), fyne.NewPos(1, 1), 0, 0, false},
	} {
		x, y, inside := imagePixel(tc.w, tc.h, tc.area, tc.pos)
		if inside != tc.inside || (inside && (x != tc.x || y != tc.y)) {
			t.Errorf("%d×%d in %v at %v: got (%d,%d,%v), want (%d,%d,%v)",
				tc.w, tc.h, tc.area, tc.pos, x, y, inside, tc.x, tc.y, tc.inside)
		}
	}
}

func TestNoKeyShownUntranslatedWhileExploring(t *testing.T) {
	e := newFakeExplorer()
	e.favs = []Favourite{{ID: "a", Step: 10, Recipe: e.SeedRecipe(2)}}
	s, loop, _ := newExploringStudio(t, e)
	loop.runUntil(t, "the sliders", func() bool { return len(s.explore.directions.sliders) > 0 })
	s.tabs.Select(s.favouritesTab)
	loop.runUntil(t, "the gallery", func() bool { return len(s.gallery.favs) == 1 })
	for name, content := range map[string]fyne.CanvasObject{
		"explore": s.explore.content, "favourites": s.gallery.content,
		"interpolate": s.explore.interp.content, "breed": s.explore.breed.content,
	} {
		if keys := keysOnScreen(test.RenderObjectToMarkup(content)); len(keys) > 0 {
			t.Errorf("%s: untranslated keys on screen: %v", name, keys)
		}
	}
}

func TestClosingWhileExploringEndsEveryGoroutine(t *testing.T) {
	before := goleak.IgnoreCurrent()
	e := newFakeExplorer()
	e.dirsBlock = true
	e.renderDelay = 20 * time.Millisecond
	s, loop, _ := newExploringStudio(t, e)
	loop.runUntil(t, "searching", func() bool { return s.explore.directions.cancel != nil })
	s.explore.truncation.SetValue(0.3) // a render under way as the window closes

	s.requestClose()
	loop.runUntil(t, "closed", func() bool { return s.ctx.Err() != nil })
	s.workers.Wait()
	goleak.VerifyNone(t, before)
}
