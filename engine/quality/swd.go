package quality

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
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
// images of 64×64 a side it takes a few seconds on two cores.
func Full() SWDOptions {
	return SWDOptions{PatchesPerImage: 128, PatchSize: 7, Projections: 512, MinResolution: 16}
}

// Quick returns cheaper settings for tracking a run while it trains: half
// the patches and an eighth of the directions of Full, same levels and
// patch size. On the test style its values sit within about a tenth of
// Full's and scatter by about 1% between seeds; compare Quick with Quick.
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
	opt, err := opt.withDefaults()
	if err != nil {
		return Result{}, fmt.Errorf("quality: swd: %w", err)
	}
	if a.n == 0 || b.n == 0 {
		return Result{}, fmt.Errorf("quality: swd: sets of %d and %d images: %w",
			a.n, b.n, ErrNoImages)
	}
	if a.size != b.size || a.channels != b.channels {
		return Result{}, fmt.Errorf("quality: swd: %d×%d×%d images against %d×%d×%d: %w",
			a.size, a.size, a.channels, b.size, b.size, b.channels, ErrImageSize)
	}
	if a.size < opt.PatchSize {
		return Result{}, fmt.Errorf("quality: swd: %d×%d images are smaller than a %d×%d patch: %w",
			a.size, a.size, opt.PatchSize, opt.PatchSize, ErrImageSize)
	}

	workers := defaultWorkers(opt.Workers)
	sizes := pyramidSizes(a.size, opt.MinResolution)
	pyrA := buildPyramids(a, sizes, workers)
	pyrB := buildPyramids(b, sizes, workers)

	// One random stream draws, level by level, the neighbourhood corners
	// and then the directions. Image i of either set uses the same corners:
	// positions do not depend on content, and sharing them lets a set
	// measured against itself give exactly 0 and lowers the scatter when
	// one set is a changed copy of the other.
	rng := rand.New(rand.NewPCG(opt.Seed, 0x73776420706174)) // "swd pat"
	res := Result{Levels: sizes, PerLevel: make([]float64, len(sizes))}
	dim := a.channels * opt.PatchSize * opt.PatchSize
	descA := newDescriptors(a.n*opt.PatchesPerImage, dim)
	descB := newDescriptors(b.n*opt.PatchesPerImage, dim)
	gatherBufs := make([][]float32, workers)
	for w := range gatherBufs {
		gatherBufs[w] = make([]float32, chunkRows*dim)
	}
	proj := newProjector(descA.count, descB.count, dim, opt.Projections, workers)
	for l, s := range sizes {
		corners := drawCorners(rng, max(a.n, b.n)*opt.PatchesPerImage, s-opt.PatchSize+1)
		dirs := drawDirections(rng, opt.Projections, dim)
		patches := patchSampler{side: s, channels: a.channels, patch: opt.PatchSize,
			perImage: opt.PatchesPerImage, corners: corners}
		patches.level = pyrA[l]
		descA.fill(patches, gatherBufs)
		patches.level = pyrB[l]
		descB.fill(patches, gatherBufs)
		res.PerLevel[l] = 1e3 * proj.distance(descA, descB, dirs)
	}

	for _, v := range res.PerLevel {
		res.Mean += v
	}
	res.Mean /= float64(len(res.PerLevel))
	return res, nil
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
