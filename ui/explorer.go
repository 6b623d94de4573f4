package ui

import (
	"context"
	"errors"
	"image"
	"time"
)

// ErrNoDirections is what an Explorer answers when a recipe moves sliders
// before the directions of the open checkpoint are known.
var ErrNoDirections = errors.New("the slider directions are not ready yet")

// Explorer is what the Explore and Favourites tabs need from a run's
// generator: images made from latents, GANSpace directions to move along,
// favourites kept in the run, and exports. The app package implements it on
// the engine; tests implement it with a fake.
//
// The studio treats latents as opaque: it never does arithmetic on them, it
// only hands back what the Explorer made (SeedRecipe, GridRecipe, Between,
// Breed) or kept (Favourites).
//
// Threading: Render is called from one goroutine the studio keeps for it,
// one call at a time. SeedRecipe, Between and Breed are called on the Fyne
// main goroutine and must answer at once, without touching the disk. Every
// other method is called from short-lived worker goroutines, which may run
// at the same time as each other and as Render, so an implementation must
// not share one generator between them. Open may come while other calls are
// under way; those may answer from the checkpoint before it or fail, and the
// studio drops what they return.
//
// Errors are shown in a dialog, so they should say in plain words what
// failed; a failed write should wrap the file system's error, so the dialog
// can say what to do about a full disk or a missing permission.
type Explorer interface {
	// Open loads the newest checkpoint of the run in runDir and the run's
	// favourites, replacing whatever was open. A run without a checkpoint is
	// an error that says so.
	Open(ctx context.Context, runDir string) (ExplorerInfo, error)

	// Render makes the image of one recipe with the open checkpoint. The same
	// recipe always gives the same pixels. Sliders other than 0 need the
	// directions: until Directions has returned they fail with an error
	// wrapping ErrNoDirections.
	Render(r Recipe) (image.Image, error)

	// RenderMany is Render for a few images at once, for strips, children
	// and thumbnails. It stops early when ctx is done.
	RenderMany(ctx context.Context, rs []Recipe) ([]image.Image, error)

	// Directions finds the GANSpace directions of the open checkpoint, or
	// reads them from the run when they were found before, and reports how
	// far it has come as a fraction from 0 to 1 on the calling goroutine.
	// They are ordered by the share of variance each explains, largest first.
	// It returns ctx.Err() soon after ctx is done.
	Directions(ctx context.Context, progress func(fraction float64)) ([]Direction, error)

	// SeedRecipe returns the recipe of the latent drawn from seed, with no
	// truncation and no sliders. The same seed always gives the same latent.
	SeedRecipe(seed int64) Recipe

	// GridRecipe returns the recipe of the image at pixel (x, y) of a sample
	// grid the run in runDir saved or sent, and false when (x, y) falls
	// between images.
	GridRecipe(runDir string, x, y int) (Recipe, bool, error)

	// Between returns the recipe at t along the spherical path from a
	// (t = 0) to b (t = 1). Each end's truncation and sliders are folded
	// into the latents first, so the result has truncation 1, no sliders,
	// and at t = 0 and 1 looks exactly like a and b. An end with sliders
	// fails with ErrNoDirections until Directions has returned.
	Between(a, b Recipe, t float64) (Recipe, error)

	// Breed returns n children of the parents a and b, with the parents'
	// truncation and sliders folded in as Between does. variation, from 0 to
	// 1, says how far children may stray from a mix of their parents; litter
	// numbers different litters of the same parents. A parent with sliders
	// fails with ErrNoDirections until Directions has returned.
	Breed(a, b Recipe, n int, variation float64, litter int64) ([]Recipe, error)

	// Favourites lists the favourites of the open run, oldest first, with
	// their thumbnails.
	Favourites(ctx context.Context) ([]Favourite, error)

	// AddFavourite keeps r in the open run with the open checkpoint's step.
	// img is the image to make the thumbnail from; when it is nil the
	// Explorer renders one.
	AddFavourite(r Recipe, img image.Image) (Favourite, error)

	// RemoveFavourites deletes favourites; if any is unknown none is deleted.
	RemoveFavourites(ids []string) error

	// RenameFavourite gives a favourite a name; "" removes it.
	RenameFavourite(id, name string) error

	// ExportPNG writes the image of r, drawn with the open checkpoint, to
	// path, scaled up by scale (1, 2, 4 or 8) with pixel-exact or smooth
	// scaling. The file carries the recipe, and the checkpoint is kept in
	// the run, so the image can be made again from the file.
	ExportPNG(ctx context.Context, path string, r Recipe, scale int, smooth bool) error

	// ExportFavourite is ExportPNG for a favourite, drawn with the
	// checkpoint it was kept at, so it looks as its thumbnail does.
	ExportFavourite(ctx context.Context, path, id string, scale int, smooth bool) error

	// ExportGrid writes favourites to path as one PNG grid, each drawn with
	// the checkpoint it was kept at.
	ExportGrid(ctx context.Context, path string, ids []string) error

	// ExportPath writes the path from a to b to path as an animated GIF.
	ExportPath(ctx context.Context, path string, a, b Recipe, anim Animation) error

	// ExportTimelapse writes the sample grids the run in runDir saved while
	// it trained to path as an animated GIF.
	ExportTimelapse(ctx context.Context, path, runDir string, anim Animation) error
}

// NoSeed is the Seed of a recipe whose latent was not drawn from a seed, such
// as a point on a path or a child of two favourites.
const NoSeed int64 = -1

// Recipe says how to make one image: a latent and what is done to it.
type Recipe struct {
	// Latent is the generator's input, made by the Explorer. The studio
	// keeps it as it is.
	Latent []float32

	// Seed is the seed Latent was drawn from, or NoSeed.
	Seed int64

	// Truncation pulls the latent towards the average image: 1 leaves it,
	// smaller values give more typical, cleaner images, 0 the average one.
	Truncation float64

	// Class is the class of a generator trained on labelled folders; 0 for
	// any other.
	Class int

	// Sliders are the positions along the directions, in standard
	// deviations, in the order Directions returned them. Missing ones are 0.
	Sliders []float64
}

// clone returns a copy of r that shares no slices with it.
func (r Recipe) clone() Recipe {
	r.Latent = append([]float32(nil), r.Latent...)
	r.Sliders = append([]float64(nil), r.Sliders...)
	return r
}

// hasSliders says whether any slider is away from 0.
func (r Recipe) hasSliders() bool {
	for _, v := range r.Sliders {
		if v != 0 {
			return true
		}
	}
	return false
}

// ExplorerInfo describes the checkpoint Open loaded.
type ExplorerInfo struct {
	RunDir     string
	Step       int      // the checkpoint's training step
	Resolution int      // side of the generated images in pixels
	Latent     int      // length of the latent vector
	Classes    []string // class names of a conditional generator, else none

	// Warning is something the person should know that did not stop the
	// run from opening, in plain words, such as a damaged checkpoint that
	// was passed over or a damaged favourites file read from its backup.
	Warning string
}

// Direction is one GANSpace direction.
type Direction struct {
	// Explained is the share of the variance of the generator's first layer
	// that the direction explains, from 0 to 1.
	Explained float64
}

// Favourite is an image the person kept.
type Favourite struct {
	ID        string
	Name      string    // what the person called it, or ""
	Step      int       // the checkpoint step it was made with
	Created   time.Time // when it was kept
	Recipe    Recipe
	Thumbnail image.Image // nil when it has none
}

// Animation says how an animated export plays.
type Animation struct {
	Frames    int           // pictures in the animation
	Delay     time.Duration // how long each is shown
	Scale     int           // 1, 2, 4 or 8: pixel-exact enlargement of each frame
	RoundTrip bool          // go from A to B and back again, for a seamless loop
}
