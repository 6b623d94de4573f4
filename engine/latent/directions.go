package latent

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/mat"
)

// MinSamples is the fewest latents ComputeDirections accepts: with fewer, the
// smaller components are mostly sampling noise.
const MinSamples = 10000

// Defaults ComputeDirections uses for zero fields of DirectionsConfig.
const (
	DefaultComponents = 20  // sliders offered to the person
	DefaultBatchSize  = 256 // latents per call of the ActivationFunc
)

// directionsStream picks the random stream ComputeDirections draws from
// for a given seed.
const directionsStream = 0x67616e766173

// rankTolerance is the share of the total variance below which a component
// is taken to be rounding noise.
const rankTolerance = 1e-9

// maxActivationValues bounds samples × activation length, so that a generator
// with a very wide first layer gets a clear error instead of exhausting
// memory: 2^28 float32 values are 1 GiB.
const maxActivationValues = 1 << 28

// Errors ComputeDirections returns for known conditions.
var (
	ErrTooFewSamples   = errors.New("too few samples for stable directions")
	ErrBadActivations  = errors.New("activation function returned malformed activations")
	ErrTooManyValues   = errors.New("activations too large to hold in memory")
	ErrFlatActivations = errors.New("activations do not vary with the latent")
	errSVD             = errors.New("singular value decomposition did not converge")
)

// Stage names what ComputeDirections is doing.
type Stage string

// The stages of ComputeDirections, in order.
const (
	StageSampling  Stage = "sampling activations"
	StageAnalysing Stage = "finding principal components"
)

// Progress reports how far ComputeDirections has come within a stage.
type Progress struct {
	Stage Stage
	Done  int // batches or passes finished in this stage
	Total int // batches or passes in this stage
}

// DirectionsConfig says what ComputeDirections samples and how many
// directions it returns. Zero fields take the documented defaults.
type DirectionsConfig struct {
	Step       int   // checkpoint step the generator comes from; recorded only
	Dim        int   // latent length of the generator; required
	Samples    int   // latents to sample, at least MinSamples (the default)
	Components int   // directions to find, DefaultComponents if 0
	Seed       int64 // seeds the latents, so a result can be repeated exactly
	BatchSize  int   // latents per ActivationFunc call, DefaultBatchSize if 0

	// BLAS multiplies the activations; nil means gonum's pure-Go BLAS.
	BLAS Multiplier

	// Progress, if not nil, is called from the computing goroutine after
	// each batch and each pass; it should return quickly.
	Progress func(Progress)
}

// Directions are GANSpace editing directions in latent space, found from the
// principal components of the generator's first-layer activations and
// ordered by the activation variance each explains, largest first.
type Directions struct {
	Version int   `json:"version"` // file format, DirectionsVersion when saved
	Step    int   `json:"step"`    // checkpoint step of the generator
	Dim     int   `json:"dim"`     // latent length
	Samples int   `json:"samples"` // latents sampled
	Seed    int64 `json:"seed"`    // seed of the sampled latents

	// Requested is how many directions were asked for. Len is smaller when
	// the activations vary in fewer dimensions than that.
	Requested int `json:"requested"`

	// Vectors holds one unit-length latent direction per component.
	Vectors [][]float32 `json:"vectors"`
	// Sigma is the standard deviation of the sampled latents' projections
	// on each vector: a slider at 1 moves one such deviation.
	Sigma []float64 `json:"sigma"`
	// Variance is the activation variance along each component.
	Variance []float64 `json:"variance"`
	// TotalVariance is the activations' total variance, the sum over all
	// their coordinates, so Variance[i]/TotalVariance is the share explained.
	TotalVariance float64 `json:"total_variance"`
	// Components holds the principal components in activation space: unit
	// length, orthogonal to each other, in the order of Vectors.
	Components [][]float32 `json:"components"`
}

// Len returns the number of directions.
func (d *Directions) Len() int {
	return len(d.Vectors)
}

// Explained returns the share of the activation variance that component i
// explains, between 0 and 1.
func (d *Directions) Explained(i int) float64 {
	if d.TotalVariance <= 0 {
		return 0
	}
	return d.Variance[i] / d.TotalVariance
}

// Apply returns a new latent z + Σ sliders[i]·Sigma[i]·Vectors[i]: each
// slider moves along its direction in units of the latents' standard
// deviation there. Missing sliders count as 0 and sliders beyond Len are
// ignored. Apply panics if z is not Dim long.
func (d *Directions) Apply(z []float32, sliders []float64) []float32 {
	if len(z) != d.Dim {
		panic(fmt.Sprintf("latent: Apply: latent of length %d to directions of length %d",
			len(z), d.Dim))
	}
	moved := make([]float64, len(z))
	for i, v := range z {
		moved[i] = float64(v)
	}
	for i, slider := range sliders[:min(len(sliders), d.Len())] {
		step := slider * d.Sigma[i]
		for j, v := range d.Vectors[i] {
			moved[j] += step * float64(v)
		}
	}
	out := make([]float32, len(z))
	for i, v := range moved {
		out[i] = float32(v)
	}
	return out
}

// ComputeDirections finds GANSpace directions for the generator whose first
// layer act computes.
//
// It samples cfg.Samples latents from the prior, collects their activations
// in batches, and takes the top principal components of the mean-centred
// activations. Each component is carried back to latent space as GANSpace
// does: the latents are regressed by least squares on their coordinates
// along the components, Z ≈ Xpca·U, and each row of U, scaled to unit
// length, is that component's direction.
//
// It returns ctx.Err() soon after ctx is done, and reports progress through
// cfg.Progress. Memory use is about 4·Samples·(activation length) bytes.
// Fewer than cfg.Components directions come back when the activations vary
// in fewer dimensions than that.
func ComputeDirections(ctx context.Context, act ActivationFunc,
	cfg DirectionsConfig) (*Directions, error) {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("latent: compute directions: %w", err)
	}
	report := func(p Progress) {
		if cfg.Progress != nil {
			cfg.Progress(p)
		}
	}

	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), directionsStream))
	latents, activations, err := sample(ctx, act, cfg, rng, report)
	if err != nil {
		return nil, fmt.Errorf("latent: compute directions: %w", err)
	}
	totalVariance := centre(activations)
	if totalVariance == 0 {
		return nil, fmt.Errorf("latent: compute directions: %w", ErrFlatActivations)
	}

	pass := func(done int) {
		report(Progress{Stage: StageAnalysing, Done: done, Total: analysisPasses + 1})
	}
	multiplier := cfg.BLAS
	if multiplier == nil {
		multiplier = gonum.Implementation{}
	}
	p := products{ctx: ctx, blas: multiplier}
	pca, err := topComponents(p, activations, cfg.Components, rng, pass)
	if err != nil {
		return nil, fmt.Errorf("latent: compute directions: %w", err)
	}
	// Components beyond the rank of the activations carry only rounding
	// noise; a slider along one would do nothing.
	k := 0
	for k < len(pca.variances) && pca.variances[k] > rankTolerance*totalVariance {
		k++
	}
	if k == 0 {
		return nil, fmt.Errorf("latent: compute directions: %w", ErrFlatActivations)
	}
	pca.components, pca.variances = pca.components[:k], pca.variances[:k]

	components := newMatrix(activations.cols, k)
	for c, component := range pca.components {
		for j, v := range component {
			components.data[j*k+c] = float32(v)
		}
	}
	coordinates, err := p.multiply(activations, components)
	if err != nil {
		return nil, fmt.Errorf("latent: compute directions: %w", err)
	}
	vectors, sigma, err := regress(latents, coordinates)
	if err != nil {
		return nil, fmt.Errorf("latent: compute directions: %w", err)
	}
	report(Progress{Stage: StageAnalysing, Done: analysisPasses + 1, Total: analysisPasses + 1})

	d := &Directions{
		Version:       DirectionsVersion,
		Step:          cfg.Step,
		Dim:           cfg.Dim,
		Samples:       cfg.Samples,
		Seed:          cfg.Seed,
		Requested:     cfg.Components,
		Vectors:       vectors,
		Sigma:         sigma,
		Variance:      pca.variances,
		TotalVariance: totalVariance,
		Components:    make([][]float32, k),
	}
	for c, component := range pca.components {
		d.Components[c] = make([]float32, len(component))
		for j, v := range component {
			d.Components[c][j] = float32(v)
		}
	}
	return d, nil
}

func (cfg DirectionsConfig) withDefaults() DirectionsConfig {
	if cfg.Samples == 0 {
		cfg.Samples = MinSamples
	}
	if cfg.Components == 0 {
		cfg.Components = DefaultComponents
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	return cfg
}

func (cfg DirectionsConfig) check() error {
	switch {
	case cfg.Dim <= 0:
		return fmt.Errorf("latent length %d: must be positive", cfg.Dim)
	case cfg.Samples < MinSamples:
		return fmt.Errorf("%w: %d, need at least %d", ErrTooFewSamples, cfg.Samples, MinSamples)
	case cfg.Components < 0:
		return fmt.Errorf("%d components: must be positive", cfg.Components)
	case cfg.BatchSize < 0:
		return fmt.Errorf("batch size %d: must be positive", cfg.BatchSize)
	}
	return nil
}

// sample draws cfg.Samples latents and collects their activations, returning
// both as matrices with one row per sample.
func sample(ctx context.Context, act ActivationFunc, cfg DirectionsConfig,
	rng *rand.Rand, report func(Progress)) (latents, activations matrix, err error) {
	latents = newMatrix(cfg.Samples, cfg.Dim)
	for i := range latents.data {
		latents.data[i] = float32(rng.NormFloat64())
	}

	batches := (cfg.Samples + cfg.BatchSize - 1) / cfg.BatchSize
	batch := make([][]float32, 0, cfg.BatchSize)
	for b := range batches {
		if err := ctx.Err(); err != nil {
			return matrix{}, matrix{}, err
		}
		start := b * cfg.BatchSize
		end := min(start+cfg.BatchSize, cfg.Samples)
		batch = batch[:0]
		for i := start; i < end; i++ {
			batch = append(batch, latents.data[i*cfg.Dim:(i+1)*cfg.Dim:(i+1)*cfg.Dim])
		}

		rows, err := act(batch)
		if err != nil {
			return matrix{}, matrix{}, fmt.Errorf("activations of batch %d: %w", b+1, err)
		}
		if len(rows) != len(batch) {
			return matrix{}, matrix{}, fmt.Errorf("%w: %d rows for %d latents",
				ErrBadActivations, len(rows), len(batch))
		}
		if b == 0 {
			width := len(rows[0])
			if width == 0 {
				return matrix{}, matrix{}, fmt.Errorf("%w: empty rows", ErrBadActivations)
			}
			if cfg.Samples*width > maxActivationValues {
				return matrix{}, matrix{}, fmt.Errorf("%w: %d samples × %d activations",
					ErrTooManyValues, cfg.Samples, width)
			}
			activations = newMatrix(cfg.Samples, width)
		}
		for i, row := range rows {
			if len(row) != activations.cols {
				return matrix{}, matrix{}, fmt.Errorf("%w: row of %d values, expected %d",
					ErrBadActivations, len(row), activations.cols)
			}
			copy(activations.data[(start+i)*activations.cols:], row)
		}
		report(Progress{Stage: StageSampling, Done: b + 1, Total: batches})
	}

	for _, v := range activations.data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return matrix{}, matrix{}, fmt.Errorf("%w: not a finite number", ErrBadActivations)
		}
	}
	return latents, activations, nil
}

// centre subtracts the column means from x and returns the total variance,
// the sum of the columns' sample variances.
func centre(x matrix) float64 {
	mean := make([]float64, x.cols)
	for r := range x.rows {
		for c, v := range x.data[r*x.cols : (r+1)*x.cols] {
			mean[c] += float64(v)
		}
	}
	for c := range mean {
		mean[c] /= float64(x.rows)
	}

	sumSquares := 0.0
	for r := range x.rows {
		row := x.data[r*x.cols : (r+1)*x.cols]
		for c, v := range row {
			d := float64(v) - mean[c]
			row[c] = float32(d)
			sumSquares += d * d
		}
	}
	return sumSquares / float64(max(x.rows-1, 1))
}

// regress solves Z ≈ coordinates·U for U by least squares, with Z the
// mean-centred latents, and returns each row of U scaled to unit length
// together with the standard deviation of the latents projected on it.
func regress(latents, coordinates matrix) ([][]float32, []float64, error) {
	z := mat.NewDense(latents.rows, latents.cols, widen(latents.data))
	for c := range latents.cols {
		column := mat.Col(nil, c, z)
		mean := 0.0
		for _, v := range column {
			mean += v
		}
		mean /= float64(len(column))
		for r, v := range column {
			z.Set(r, c, v-mean)
		}
	}
	x := mat.NewDense(coordinates.rows, coordinates.cols, widen(coordinates.data))

	var u mat.Dense
	if err := u.Solve(x, z); err != nil {
		return nil, nil, fmt.Errorf("regress latents on components: %w", err)
	}

	k := coordinates.cols
	vectors := make([][]float32, k)
	sigma := make([]float64, k)
	projection := make([]float64, latents.rows)
	for c := range k {
		row := mat.Row(nil, c, &u)
		length := 0.0
		for _, v := range row {
			length += v * v
		}
		length = math.Sqrt(length)
		if length == 0 {
			return nil, nil, fmt.Errorf("component %d: %w", c+1, ErrFlatActivations)
		}
		vectors[c] = make([]float32, len(row))
		for j, v := range row {
			vectors[c][j] = float32(v / length)
		}

		// z is centred, so the projections have mean zero.
		direction := mat.NewVecDense(len(row), nil)
		for j := range row {
			direction.SetVec(j, float64(vectors[c][j]))
		}
		projected := mat.NewVecDense(len(projection), projection)
		projected.MulVec(z, direction)
		sumSquares := 0.0
		for _, p := range projection {
			sumSquares += p * p
		}
		sigma[c] = math.Sqrt(sumSquares / float64(max(latents.rows-1, 1)))
	}
	return vectors, sigma, nil
}
