package quality

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"slices"
)

// SWDOptions sets how the sliced Wasserstein distance samples the images.
// A zero field takes the value of Full, so SWDOptions{Seed: 7} is the
// paper's measure with seed 7.
type SWDOptions struct {
	// PatchesPerImage is how many neighbourhoods are drawn from each image
	// at each pyramid level (paper: 128).
	PatchesPerImage int
	// PatchSize is the side of a neighbourhood in pixels (paper: 7). It
	// must be at least 3.
	PatchSize int
	// Projections is how many random unit directions each level is
	// projected on (paper: 4 repeats of 128, which averages the same as
	// 512 directions at once, so only the total matters).
	Projections int
	// MinResolution is the side of the coarsest, low-pass level (paper:
	// 16). Levels halve from the image size down to it. It must be at
	// least PatchSize.
	MinResolution int
	// Seed fixes the neighbourhoods and directions: the same inputs and
	// seed give the same result.
	Seed uint64
	// Workers is how many goroutines share the work; 0 means two, or one
	// if GOMAXPROCS is 1. The result does not depend on it.
	Workers int
}

// Full returns the settings of the progressive GAN paper: 128 patches of
// 7×7 per image and level, 512 directions, levels down to 16×16. For 256
// images of 64×64 against 256 it costs about 5 s of processor time, shared
// by the workers.
func Full() SWDOptions {
	return SWDOptions{PatchesPerImage: 128, PatchSize: 7, Projections: 512, MinResolution: 16}
}

// Quick returns cheaper settings for tracking a run while it trains: half
// the patches and an eighth of the directions of Full, same levels and
// patch size; about 0.4 s of processor time for 256 images of 64×64
// against 256, half that with a Reference. On the test style its values
// sit within about a tenth of Full's and scatter by about 1% between
// seeds; compare Quick with Quick.
func Quick() SWDOptions {
	return SWDOptions{PatchesPerImage: 64, PatchSize: 7, Projections: 64, MinResolution: 16}
}

// withDefaults fills zero fields from Full and checks the ranges.
func (o SWDOptions) withDefaults() (SWDOptions, error) {
	full := Full()
	if o.PatchesPerImage == 0 {
		o.PatchesPerImage = full.PatchesPerImage
	}
	if o.PatchSize == 0 {
		o.PatchSize = full.PatchSize
	}
	if o.Projections == 0 {
		o.Projections = full.Projections
	}
	if o.MinResolution == 0 {
		o.MinResolution = full.MinResolution
	}
	switch {
	case o.PatchesPerImage < 1:
		return o, fmt.Errorf("patches per image %d must be positive: %w",
			o.PatchesPerImage, ErrBadOptions)
	case o.PatchSize < 3:
		return o, fmt.Errorf("patch size %d must be at least 3: %w", o.PatchSize, ErrBadOptions)
	case o.Projections < 1:
		return o, fmt.Errorf("projections %d must be positive: %w", o.Projections, ErrBadOptions)
	case o.MinResolution < o.PatchSize:
		return o, fmt.Errorf("minimum resolution %d is below the patch size %d: %w",
			o.MinResolution, o.PatchSize, ErrBadOptions)
	case o.Workers < 0:
		return o, fmt.Errorf("workers %d must not be negative: %w", o.Workers, ErrBadOptions)
	}
	return o, nil
}

// Result is a sliced Wasserstein distance per pyramid level, scaled by
// 1000 as in the paper. Lower means the two sets are closer.
type Result struct {
	// Levels are the sides of the pyramid levels, finest first; the last
	// is the low-pass level, the others are band-pass.
	Levels []int
	// PerLevel is the distance at each level, ×1000.
	PerLevel []float64
	// Mean is the average over the levels, ×1000.
	Mean float64
}

// SWD returns the sliced Wasserstein distance between two sets of images,
// for example real training images and generated ones. Every image of both
// sets must be square and of one size, at least opt.PatchSize a side. The
// sets may differ in count. The same images and options always give the
// same result; the same set measured against itself gives exactly 0.
func SWD(a, b []image.Image, opt SWDOptions) (Result, error) {
	ba, err := batchFromImages(a)
	if err != nil {
		return Result{}, fmt.Errorf("quality: swd: first set: %w", err)
	}
	bb, err := batchFromImages(b)
	if err != nil {
		return Result{}, fmt.Errorf("quality: swd: second set: %w", err)
	}
	return swd(ba, bb, opt)
}

// SWDFloat is SWD for batches laid out NHWC (image, row, column, channel)
// with values in [-1, 1], as the trainer produces them. Each slice holds a
// whole number of size×size×channels images; the counts may differ. The
// slices are read, never changed.
func SWDFloat(a, b []float32, size, channels int, opt SWDOptions) (Result, error) {
	ba, err := newBatch(a, size, channels)
	if err != nil {
		return Result{}, fmt.Errorf("quality: swd: first set: %w", err)
	}
	bb, err := newBatch(b, size, channels)
	if err != nil {
		return Result{}, fmt.Errorf("quality: swd: second set: %w", err)
	}
	return swd(ba, bb, opt)
}

func swd(a, b batch, opt SWDOptions) (Result, error) {
	if a.n == 0 || b.n == 0 {
		return Result{}, fmt.Errorf("quality: swd: sets of %d and %d images: %w",
			a.n, b.n, ErrNoImages)
	}
	if a.size != b.size || a.channels != b.channels {
		return Result{}, fmt.Errorf("quality: swd: %d×%d×%d images against %d×%d×%d: %w",
			a.size, a.size, a.channels, b.size, b.size, b.channels, ErrImageSize)
	}
	pl, err := newPlan(a.size, a.channels, opt)
	if err != nil {
		return Result{}, fmt.Errorf("quality: swd: %w", err)
	}

	setA, setB := pl.newPyramidSet(a), pl.newPyramidSet(b)
	bufs := pl.gatherBuffers()
	proj := newProjector(setA.desc.count, setB.desc.count, pl.dim, pl.opt.Projections,
		pl.workers)
	res := pl.newResult()
	for l := range pl.sizes {
		corners := pl.corners(l, max(a.n, b.n))
		setA.describe(pl, l, corners, bufs)
		setB.describe(pl, l, corners, bufs)
		first := side{desc: setA.desc, count: setA.desc.count}
		res.PerLevel[l] = 1e3 * proj.distance(first, setB.desc, pl.dirs[l])
	}
	res.average()
	return res, nil
}

// plan is what the two sets of a comparison share: the pyramid levels, the
// random directions and the way neighbourhood corners are drawn.
type plan struct {
	opt      SWDOptions
	channels int
	sizes    []int       // pyramid levels, finest first
	dim      int         // values in one neighbourhood
	workers  int         // goroutines
	dirs     [][]float32 // per level, opt.Projections unit vectors of dim
}

// Streams of the random generator, so that corners and directions do not
// depend on each other or on how many images a set holds.
const (
	directionStream = 0x73776420646972 // "swd dir"
	cornerStream    = 0x73776420706174 // "swd pat", plus the level
)

func newPlan(size, channels int, opt SWDOptions) (*plan, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	if size < opt.PatchSize {
		return nil, fmt.Errorf("%d×%d images are smaller than a %d×%d patch: %w",
			size, size, opt.PatchSize, opt.PatchSize, ErrImageSize)
	}

	pl := &plan{opt: opt, channels: channels, sizes: pyramidSizes(size, opt.MinResolution),
		dim: channels * opt.PatchSize * opt.PatchSize, workers: defaultWorkers(opt.Workers)}
	rng := rand.New(rand.NewPCG(opt.Seed, directionStream))
	for range pl.sizes {
		pl.dirs = append(pl.dirs, drawDirections(rng, opt.Projections, pl.dim))
	}
	return pl, nil
}

// corners returns the corners of the neighbourhoods of the first n images
// at level l. Image i gets the same corners in either set and whatever n
// is: positions do not depend on content, and sharing them lets a set
// measured against itself give exactly 0 and lowers the scatter when one
// set is a changed copy of the other.
func (pl *plan) corners(l, n int) []int32 {
	rng := rand.New(rand.NewPCG(pl.opt.Seed, cornerStream+uint64(l)))
	return drawCorners(rng, n*pl.opt.PatchesPerImage, pl.sizes[l]-pl.opt.PatchSize+1)
}

// gatherBuffers returns one buffer per goroutine for descriptors.fill.
func (pl *plan) gatherBuffers() [][]float32 {
	bufs := make([][]float32, pl.workers)
	for w := range bufs {
		bufs[w] = make([]float32, chunkRows*pl.dim)
	}
	return bufs
}

func (pl *plan) newResult() Result {
	return Result{Levels: slices.Clone(pl.sizes), PerLevel: make([]float64, len(pl.sizes))}
}

// average sets Mean from PerLevel.
func (r *Result) average() {
	r.Mean = 0
	for _, v := range r.PerLevel {
		r.Mean += v
	}
	r.Mean /= float64(len(r.PerLevel))
}

// pyramidSet is one set of images as Laplacian pyramids, with the matrix
// its neighbourhoods are read into one level at a time.
type pyramidSet struct {
	n      int
	levels [][]float32 // per level, all images' planes
	desc   *descriptors
}

func (pl *plan) newPyramidSet(b batch) *pyramidSet {
	return &pyramidSet{
		n:      b.n,
		levels: buildPyramids(b, pl.sizes, pl.workers),
		desc:   newDescriptors(b.n*pl.opt.PatchesPerImage, pl.dim),
	}
}

// describe reads the set's neighbourhoods at level l into its descriptors.
func (ps *pyramidSet) describe(pl *plan, l int, corners []int32, bufs [][]float32) {
	ps.desc.fill(patchSampler{
		level:    ps.levels[l],
		side:     pl.sizes[l],
		channels: pl.channels,
		patch:    pl.opt.PatchSize,
		perImage: pl.opt.PatchesPerImage,
		corners:  corners,
	}, bufs)
}

// buildPyramids returns the Laplacian pyramids of every image of b,
// level-major: out[l] holds all images' planes at level l.
func buildPyramids(b batch, sizes []int, workers int) [][]float32 {
	out := make([][]float32, len(sizes))
	for l, s := range sizes {
		out[l] = make([]float32, b.n*b.channels*s*s)
	}
	scratch := make([]*pyramidScratch, workers)
	for w := range scratch {
		scratch[w] = newPyramidScratch(b.size, b.channels)
	}

	parallel(b.n, workers, func(w, i int) {
		levels := make([][]float32, len(sizes))
		for l, s := range sizes {
			per := b.channels * s * s
			levels[l] = out[l][i*per : (i+1)*per]
		}
		sc := scratch[w]
		laplacian(levels, b.load(i, sc.load), sizes, b.channels, sc)
	})
	return out
}

// drawCorners returns n top-left corners (x, y pairs), each coordinate
// uniform in [0, span).
func drawCorners(rng *rand.Rand, n, span int) []int32 {
	c := make([]int32, 2*n)
	for i := range c {
		c[i] = int32(rng.IntN(span))
	}
	return c
}

// drawDirections returns n directions uniform on the unit sphere of the
// given dimension, one after the other.
func drawDirections(rng *rand.Rand, n, dim int) []float32 {
	dirs := make([]float32, n*dim)
	v := make([]float64, dim)
	for d := range n {
		var norm float64
		for i := range v {
			v[i] = rng.NormFloat64()
			norm += v[i] * v[i]
		}
		norm = math.Sqrt(norm)
		for i, x := range v {
			dirs[d*dim+i] = float32(x / norm)
		}
	}
	return dirs
}
