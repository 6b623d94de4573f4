package engine

import (
	"context"
	"fmt"
	"math/rand/v2"

	"ganvas/engine/dataset"
	"ganvas/engine/quality"
	"ganvas/engine/run"
)

// Evaluation is what Evaluate measured of a run's generator.
type Evaluation struct {
	Step      int
	Real      int            // real images compared (flips included)
	Generated int            // generated images compared
	SWD       quality.Result // generated against real, ×1e3, lower is better
	// Floor is the SWD between two halves of the real images: the best a
	// generator can hope for with this many images. Ceiling is the SWD of
	// an untrained generator of the same architecture.
	Floor, Ceiling float64
	// Diversity is the mean MS-SSIM between random pairs of generated
	// images, RealDiversity the same over real ones; Collapsed says the
	// generated images are too alike, a sign of mode collapse.
	Diversity, RealDiversity float64
	Collapsed                bool
	// ClassDiversity and RealClassDiversity are the same measure within
	// each class of a conditional generator, averaged over the classes by
	// their share of the real images: a generator that draws one image per
	// class looks varied across classes but not within them. Both are 0
	// for an unconditional generator.
	ClassDiversity, RealClassDiversity float64
}

// Evaluate measures the generator of the run at path against its training
// images (or those in dataDir, when given) with the full sliced Wasserstein
// distance of the progressive GAN paper on n generated images, and checks
// their diversity.
func Evaluate(ctx context.Context, path, dataDir string, n int) (Evaluation, error) {
	dir, err := run.Open(path)
	if err != nil {
		return Evaluation{}, fmt.Errorf("engine: %w", err)
	}
	var cfg Config
	if err := dir.LoadConfig(&cfg); err != nil {
		return Evaluation{}, fmt.Errorf("engine: %w", err)
	}
	if dataDir == "" {
		dataDir = cfg.Data
	}
	opt := dataset.Options{Resolution: cfg.Resolution}
	var data *dataset.Dataset
	if dataDir == "" {
		data, err = dataset.LoadFS(ctx, DefaultStyle(), ".", opt)
	} else {
		data, err = dataset.Load(ctx, dataDir, opt)
	}
	if err != nil {
		return Evaluation{}, fmt.Errorf("engine: evaluate: %w", err)
	}
	gen, _, err := LoadGenerator(path)
	if err != nil {
		return Evaluation{}, err
	}
	defer gen.Close()

	res := cfg.Resolution
	rng := rand.New(rand.NewPCG(cfg.Seed, 5))
	count := min(n, data.Len())
	real := make([]float32, count*res*res*3)
	picked := rng.Perm(data.Len())[:count]
	data.Fill(real, picked)
	// A conditional generator draws the real images' mix of classes.
	var classes []int
	if gen.Arch().Classes > 1 {
		for i := range n {
			classes = append(classes, data.Label(picked[i%count]))
		}
	}
	z := make([][]float32, n)
	for i := range z {
		z[i] = make([]float32, gen.Arch().Latent)
		for j := range z[i] {
			z[i][j] = float32(rng.NormFloat64())
		}
	}
	fake, err := gen.generateFloats(z, classes)
	if err != nil {
		return Evaluation{}, err
	}
	e := Evaluation{Step: gen.Step(), Real: count, Generated: n}
	if e.SWD, err = quality.SWDFloat(real, fake, res, 3, quality.Full()); err != nil {
		return e, err
	}

	// Calibration: real against real, and an untrained generator.
	half := count / 2 * res * res * 3
	floor, err := quality.SWDFloat(real[:half], real[half:2*half], res, 3, quality.Full())
	if err != nil {
		return e, err
	}
	e.Floor = floor.Mean
	untrained, err := NewModel(gen.Arch(), rand.New(rand.NewPCG(cfg.Seed, 1)))
	if err != nil {
		return e, err
	}
	raw := &Generator{model: untrained, passes: map[int]*inference{}}
	defer raw.Close()
	noise, err := raw.generateFloats(z, classes)
	if err != nil {
		return e, err
	}
	ceiling, err := quality.SWDFloat(real, noise, res, 3, quality.Full())
	if err != nil {
		return e, err
	}
	e.Ceiling = ceiling.Mean

	const pairs = 1000
	if e.Diversity, err = quality.DiversityFloat(fake, res, 3, pairs, cfg.Seed); err != nil {
		return e, err
	}
	if e.RealDiversity, err = quality.DiversityFloat(real, res, 3, pairs, cfg.Seed); err != nil {
		return e, err
	}
	e.Collapsed = quality.Collapsed(e.Diversity, e.RealDiversity)
	if classes != nil {
		realClasses := make([]int, count)
		for i, idx := range picked {
			realClasses[i] = data.Label(idx)
		}
		e.ClassDiversity, e.RealClassDiversity, err = classDiversity(real, fake,
			realClasses, classes, len(data.Classes), res, pairs, cfg.Seed)
		if err != nil {
			return e, err
		}
		e.Collapsed = e.Collapsed || quality.Collapsed(e.ClassDiversity, e.RealClassDiversity)
	}
	return e, nil
}

// classDiversity returns the mean MS-SSIM within each class of the
// generated and of the real images, weighted by each class's share of the
// real ones; realClasses and fakeClasses hold the class of each image.
// Classes with fewer than two images of either kind are left out.
func classDiversity(real, fake []float32, realClasses, fakeClasses []int, classes, res, pairs int,
	seed uint64) (generated, actual float64, err error) {
	size := res * res * 3
	gather := func(pixels []float32, labels []int, want int) []float32 {
		var out []float32
		for i, c := range labels {
			if c == want {
				out = append(out, pixels[i*size:(i+1)*size]...)
			}
		}
		return out
	}
	var weight float64
	for c := range classes {
		r, f := gather(real, realClasses, c), gather(fake, fakeClasses, c)
		if len(r) < 2*size || len(f) < 2*size {
			continue
		}
		dr, err := quality.DiversityFloat(r, res, 3, pairs, seed)
		if err != nil {
			return 0, 0, err
		}
		df, err := quality.DiversityFloat(f, res, 3, pairs, seed)
		if err != nil {
			return 0, 0, err
		}
		share := float64(len(r) / size)
		generated += share * df
		actual += share * dr
		weight += share
	}
	if weight == 0 {
		return 0, 0, nil
	}
	return generated / weight, actual / weight, nil
}
