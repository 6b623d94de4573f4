package latent

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// linearLayer is a synthetic first layer act(z) = offset + Σ scale_i·(z·in_i)·out_i
// with orthonormal in_i (latent axes) and out_i (activation axes), so its
// principal components are out_i in order of scale, and the latent
// direction of component i is in_i.
type linearLayer struct {
	scales  []float64
	in, out [][]float64
	offset  []float64
	calls   atomic.Int64
}

func newLinearLayer(dim, width int, scales []float64, seed uint64) *linearLayer {
	rng := rand.New(rand.NewPCG(seed, 2))
	return &linearLayer{
		scales: scales,
		in:     randomOrthonormal(rng, len(scales), dim),
		out:    randomOrthonormal(rng, len(scales), width),
		offset: randomVector(rng, width),
	}
}

func (l *linearLayer) activations(z [][]float32) ([][]float32, error) {
	l.calls.Add(1)
	rows := make([][]float32, len(z))
	for r, latent := range z {
		row := make([]float64, len(l.offset))
		copy(row, l.offset)
		for i, scale := range l.scales {
			along := 0.0
			for j, v := range latent {
				along += float64(v) * l.in[i][j]
			}
			for j := range row {
				row[j] += scale * along * l.out[i][j]
			}
		}
		rows[r] = make([]float32, len(row))
		for j, v := range row {
			rows[r][j] = float32(v)
		}
	}
	return rows, nil
}

func randomVector(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

// randomOrthonormal returns count orthonormal vectors of length n.
func randomOrthonormal(rng *rand.Rand, count, n int) [][]float64 {
	vectors := make([][]float64, count)
	for i := range vectors {
		v := randomVector(rng, n)
		for _, u := range vectors[:i] {
			along := dot64(v, u)
			for j := range v {
				v[j] -= along * u[j]
			}
		}
		length := math.Sqrt(dot64(v, v))
		for j := range v {
			v[j] /= length
		}
		vectors[i] = v
	}
	return vectors
}

func dot64(a, b []float64) float64 {
	sum := 0.0
	for i := range a {
		sum += a[i] * b[i]
	}
	return sum
}

func cosine(a []float32, b []float64) float64 {
	sum, lengthA, lengthB := 0.0, 0.0, 0.0
	for i := range a {
		sum += float64(a[i]) * b[i]
		lengthA += float64(a[i]) * float64(a[i])
		lengthB += b[i] * b[i]
	}
	return sum / math.Sqrt(lengthA*lengthB)
}

var testScales = []float64{9, 6, 4, 2.5, 1.5, 1}

func computeForTest(t *testing.T, layer *linearLayer, cfg DirectionsConfig) *Directions {
	t.Helper()
	d, err := ComputeDirections(context.Background(), layer.activations, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDirectionsRecoverKnownAxesInOrder(t *testing.T) {
	layer := newLinearLayer(16, 64, testScales, 1)
	d := computeForTest(t, layer, DirectionsConfig{Dim: 16, Components: 4, Seed: 3})
	if d.Len() != 4 {
		t.Fatalf("%d directions, want 4", d.Len())
	}

	totalScale := 0.0
	for _, s := range testScales {
		totalScale += s * s
	}
	for i := range d.Len() {
		if c := math.Abs(cosine(d.Components[i], layer.out[i])); c < 0.995 {
			t.Errorf("component %d is %.4f aligned with activation axis %d, want above 0.995",
				i, c, i)
		}
		if c := math.Abs(cosine(d.Vectors[i], layer.in[i])); c < 0.995 {
			t.Errorf("direction %d is %.4f aligned with latent axis %d, want above 0.995", i, c, i)
		}
		want := testScales[i] * testScales[i]
		if math.Abs(d.Variance[i]/want-1) > 0.05 {
			t.Errorf("component %d explains variance %.2f, want about %.2f", i, d.Variance[i], want)
		}
		if math.Abs(d.Explained(i)-want/totalScale) > 0.01 {
			t.Errorf("component %d explains %.3f of the variance, want %.3f",
				i, d.Explained(i), want/totalScale)
		}
		if math.Abs(d.Sigma[i]-1) > 0.05 {
			t.Errorf("direction %d: sigma %.3f, want about 1 for a standard normal prior",
				i, d.Sigma[i])
		}
		if i > 0 && d.Variance[i] > d.Variance[i-1] {
			t.Errorf("component %d explains more than component %d", i, i-1)
		}
	}
}

func TestComponentsAreOrthonormal(t *testing.T) {
	layer := newLinearLayer(24, 96, testScales, 2)
	d := computeForTest(t, layer, DirectionsConfig{Dim: 24, Components: 6, Seed: 4})
	for i := range d.Len() {
		if length := norm(d.Vectors[i]); math.Abs(length-1) > 1e-5 {
			t.Errorf("direction %d has length %g, want 1", i, length)
		}
		for j := range d.Len() {
			want := 0.0
			if i == j {
				want = 1
			}
			if got := dot(d.Components[i], d.Components[j]); math.Abs(got-want) > 1e-5 {
				t.Errorf("component %d · component %d = %g, want %g", i, j, got, want)
			}
		}
	}
}

func TestDirectionsMoveActivationsAlongComponents(t *testing.T) {
	layer := newLinearLayer(16, 64, testScales, 5)
	d := computeForTest(t, layer, DirectionsConfig{Dim: 16, Components: 5, Seed: 6})
	z := Normal(newRand(9), 16)
	before, _ := layer.activations([][]float32{z})

	for i := range d.Len() {
		sliders := make([]float64, i+1)
		sliders[i] = 2
		after, _ := layer.activations([][]float32{d.Apply(z, sliders)})
		moved := make([]float64, len(before[0]))
		for j := range moved {
			moved[j] = float64(after[0][j] - before[0][j])
		}
		if c := math.Abs(cosine(d.Components[i], moved)); c < 0.99 {
			t.Errorf("slider %d moves the activations %.3f along its component, want above 0.99",
				i, c)
		}

		// Two sigmas along a unit direction scaled by the layer.
		want := 2 * d.Sigma[i] * testScales[i]
		if got := math.Sqrt(dot64(moved, moved)); math.Abs(got/want-1) > 0.02 {
			t.Errorf("slider %d at 2 moves the activations by %.3f, want %.3f", i, got, want)
		}
	}
}

func TestDirectionsAreRepeatable(t *testing.T) {
	layer := newLinearLayer(8, 32, testScales, 7)
	cfg := DirectionsConfig{Dim: 8, Components: 3, Seed: 11}
	first, second := computeForTest(t, layer, cfg), computeForTest(t, layer, cfg)
	for i := range first.Len() {
		if !same(first.Vectors[i], second.Vectors[i]) {
			t.Errorf("direction %d differs between two runs with the same seed", i)
		}
	}
}

func TestDirectionsOfLowRankActivations(t *testing.T) {
	layer := newLinearLayer(8, 32, []float64{3, 1}, 8)
	d := computeForTest(t, layer, DirectionsConfig{Dim: 8, Components: 5})
	if d.Len() != 2 || d.Requested != 5 {
		t.Errorf("%d directions of %d requested, want 2 of 5", d.Len(), d.Requested)
	}
}

func TestApply(t *testing.T) {
	d := &Directions{
		Dim:     3,
		Vectors: [][]float32{{1, 0, 0}, {0, 0.6, 0.8}},
		Sigma:   []float64{2, 0.5},
	}
	z := []float32{1, 1, 1}
	tests := []struct {
		name    string
		sliders []float64
		want    []float32
	}{
		{"no sliders", nil, []float32{1, 1, 1}},
		{"first only", []float64{1.5}, []float32{4, 1, 1}},
		{"both", []float64{-1, 2}, []float32{-1, 1.6, 1.8}},
		{"extra ignored", []float64{0, 2, 9, 9}, []float32{1, 1.6, 1.8}},
	}
	for _, tt := range tests {
		got := d.Apply(z, tt.sliders)
		for i := range got {
			if math.Abs(float64(got[i]-tt.want[i])) > 1e-6 {
				t.Errorf("%s: Apply = %v, want %v", tt.name, got, tt.want)
				break
			}
		}
	}
	if z[0] != 1 {
		t.Errorf("Apply changed its input to %v", z)
	}
}

func TestComputeDirectionsErrors(t *testing.T) {
	layer := newLinearLayer(4, 8, []float64{2, 1}, 9)
	failure := errors.New("generator exploded")
	tests := []struct {
		name string
		act  ActivationFunc
		cfg  DirectionsConfig
		want error
	}{
		{"too few samples", layer.activations, DirectionsConfig{Dim: 4, Samples: 500}, ErrTooFewSamples},
		{"failing layer", func([][]float32) ([][]float32, error) { return nil, failure },
			DirectionsConfig{Dim: 4}, failure},
		{"missing rows", func(z [][]float32) ([][]float32, error) { return make([][]float32, 1), nil },
			DirectionsConfig{Dim: 4}, ErrBadActivations},
		{"ragged rows", func(z [][]float32) ([][]float32, error) {
			rows, _ := layer.activations(z)
			rows[len(rows)-1] = rows[len(rows)-1][:3]
			return rows, nil
		}, DirectionsConfig{Dim: 4}, ErrBadActivations},
		{"not a number", func(z [][]float32) ([][]float32, error) {
			rows, _ := layer.activations(z)
			rows[0][0] = float32(math.NaN())
			return rows, nil
		}, DirectionsConfig{Dim: 4}, ErrBadActivations},
		{"constant", func(z [][]float32) ([][]float32, error) {
			rows := make([][]float32, len(z))
			for i := range rows {
				rows[i] = []float32{1, 2, 3}
			}
			return rows, nil
		}, DirectionsConfig{Dim: 4}, ErrFlatActivations},
	}
	for _, tt := range tests {
		_, err := ComputeDirections(context.Background(), tt.act, tt.cfg)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestComputeDirectionsStopsWhenCancelled(t *testing.T) {
	layer := newLinearLayer(4, 8, []float64{2, 1}, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := DirectionsConfig{Dim: 4, BatchSize: 100, Progress: func(p Progress) {
		if p.Stage == StageSampling && p.Done == 3 {
			cancel()
		}
	}}

	_, err := ComputeDirections(ctx, layer.activations, cfg)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if calls := layer.calls.Load(); calls != 3 {
		t.Errorf("the layer was called %d times, want 3 before the cancel", calls)
	}
}

func TestComputeDirectionsReportsProgress(t *testing.T) {
	layer := newLinearLayer(4, 8, []float64{2, 1}, 11)
	var seen []Progress
	cfg := DirectionsConfig{Dim: 4, Components: 2, BatchSize: 1000,
		Progress: func(p Progress) { seen = append(seen, p) }}
	if _, err := ComputeDirections(context.Background(), layer.activations, cfg); err != nil {
		t.Fatal(err)
	}

	sampling, analysing := 0, 0
	for i, p := range seen {
		switch p.Stage {
		case StageSampling:
			sampling++
			if p.Total != 10 || p.Done != sampling || analysing > 0 {
				t.Errorf("report %d: %+v out of order", i, p)
			}
		case StageAnalysing:
			analysing++
			if p.Done != analysing || p.Done > p.Total {
				t.Errorf("report %d: %+v out of order", i, p)
			}
		}
	}
	last := seen[len(seen)-1]
	if sampling != 10 || last.Stage != StageAnalysing || last.Done != last.Total {
		t.Errorf("%d sampling reports and last report %+v, want 10 and a finished analysis",
			sampling, last)
	}
}

// TestComponentsMatchExactPCA compares the randomised analysis with an exact
// eigendecomposition of the covariance, on a layer whose variance falls off
// slowly, the hard case for randomised methods.
func TestComponentsMatchExactPCA(t *testing.T) {
	const dim, width, samples, k = 64, 128, MinSamples, 20
	act := syntheticLayer(dim, width)
	d, err := ComputeDirections(context.Background(), act,
		DirectionsConfig{Dim: dim, Components: k, Seed: 12})
	if err != nil {
		t.Fatal(err)
	}

	// The same latents ComputeDirections drew, through the same layer.
	rng := rand.New(rand.NewPCG(12, directionsStream))
	latents := make([][]float32, samples)
	for r := range latents {
		latents[r] = Normal(rng, dim)
	}
	rows, _ := act(latents)
	x := newMatrix(samples, width)
	for r, row := range rows {
		copy(x.data[r*width:], row)
	}
	centre(x)
	covariance := mat.NewSymDense(width, nil)
	covariance.SymOuterK(1/float64(samples-1), mat.NewDense(samples, width, widen(x.data)).T())
	var eigen mat.EigenSym
	if !eigen.Factorize(covariance, false) {
		t.Fatal("exact eigendecomposition failed")
	}
	exact := eigen.Values(nil) // ascending

	for c := range k {
		v := mat.NewVecDense(width, widen(d.Components[c]))
		var moved mat.VecDense
		moved.MulVec(covariance, v)
		captured := mat.Dot(v, &moved)
		want := exact[width-1-c]
		if captured < 0.99*want {
			t.Errorf("component %d captures variance %.4f, the exact component %.4f", c, captured, want)
		}
		if math.Abs(d.Variance[c]-captured) > 1e-3*want {
			t.Errorf("component %d reports variance %.4f but captures %.4f", c, d.Variance[c], captured)
		}
	}
}
