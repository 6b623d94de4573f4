package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ErrSpectralState is returned when a spectral state does not fit its
// weight: a vector of the wrong length, not finite, or one the weight maps
// to zero.
var ErrSpectralState = errors.New("nn: spectral state does not fit the weight")

// SpectralState is what spectral normalisation of one weight keeps between
// training steps. Save it with the weight: a run resumed without it starts
// its estimate of σ over.
type SpectralState struct {
	// U has one entry per column of the weight, that is one per output
	// channel of a convolution, and unit length. It is the paper's u: the
	// estimate of the top left singular vector of the weight reshaped to
	// (cout, k·k·cin), which is the top right singular vector of the
	// (k·k·cin)×cout matrix Conv takes. For a Deconv weight
	// (cin × k·k·cout) it has k·k·cout entries; the singular values are
	// the same whichever side the vector is kept on.
	U []float32
}

// NewSpectralState returns the state for a weight of cols columns, its
// vector drawn from rng and normalised. A nil rng gives a fixed vector, for
// states about to be loaded.
func NewSpectralState(cols int, rng *rand.Rand) *SpectralState {
	if rng == nil {
		rng = rand.New(rand.NewPCG(0, 0))
	}
	s := &SpectralState{U: make([]float32, cols)}
	var norm float64
	for i := range s.U {
		v := rng.NormFloat64()
		s.U[i] = float32(v)
		norm += v * v
	}
	for i := range s.U {
		s.U[i] /= float32(math.Sqrt(norm))
	}
	return s
}

// check says whether s fits a weight of cols columns.
func (s *SpectralState) check(cols int) error {
	if len(s.U) != cols {
		return fmt.Errorf("nn: spectral norm: state of %d entries for a weight of %d columns: %w",
			len(s.U), cols, ErrSpectralState)
	}
	for _, v := range s.U {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("nn: spectral norm: state is not finite: %w", ErrSpectralState)
		}
	}
	return nil
}

// spectralNorm divides a weight matrix by an estimate of its largest
// singular value σ. In training, each forward pass refines the estimate by
// one power iteration and stores the new u in the state.
//
// With M the rows×cols weight, the paper's W is Mᵀ, so its u (length cols)
// and v (length rows) satisfy σ = vᵀ M u.
type spectralNorm struct {
	rows, cols int
	state      *SpectralState
	training   bool

	w     []float32 // the latest input
	u, v  []float32 // the vectors of the latest forward pass
	sigma float64
	acc   []float64 // scratch: per row in M u, per column in Mᵀ v
	part  []float32 // scratch: per column, one block's share of Mᵀ v
	y, dw *tensor.Dense
	grad  [1]*tensor.Dense
}

func (s *spectralNorm) name() string    { return "spectralnorm" }
func (s *spectralNorm) output() G.Value { return s.y }

func (s *spectralNorm) forward(in []*tensor.Dense) (G.Value, error) {
	if err := s.state.check(s.cols); err != nil {
		return nil, err
	}
	s.w = data(in[0])
	copy(s.u, s.state.U)

	// v = M u / |M u|. Without training, σ = vᵀ M u = |M u|.
	norm := s.multiply()
	if norm == 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return nil, fmt.Errorf("nn: spectral norm: the weight maps u to %v: %w", norm, ErrSpectralState)
	}
	for r := range s.v {
		s.v[r] = float32(s.acc[r] / norm)
	}
	s.sigma = norm

	// In training, u = Mᵀ v / |Mᵀ v| and σ = vᵀ M u = |Mᵀ v|.
	if s.training {
		norm = s.multiplyTransposed()
		if norm == 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
			return nil, fmt.Errorf("nn: spectral norm: the weight maps v to %v: %w", norm, ErrSpectralState)
		}
		for c := range s.u {
			s.u[c] = float32(s.acc[c] / norm)
		}
		copy(s.state.U, s.u)
		s.sigma = norm
	}

	y, scale := data(s.y), float32(1/s.sigma)
	parallel(s.rows, func(lo, hi int) {
		for i, v := range s.w[lo*s.cols : hi*s.cols] {
			y[lo*s.cols+i] = v * scale
		}
	})
	return s.y, nil
}

// multiply sets acc[r] to row r of M u and returns |M u|.
func (s *spectralNorm) multiply() float64 {
	parallel(s.rows, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			s.acc[r] = float64(dot32(s.w[r*s.cols:(r+1)*s.cols], s.u))
		}
	})
	var sq float64
	for _, v := range s.acc[:s.rows] {
		sq += v * v
	}
	return math.Sqrt(sq)
}

// spectralBlock is how many rows multiplyTransposed sums in float32 before
// it adds them into its float64 totals.
const spectralBlock = 256

// multiplyTransposed sets acc[c] to entry c of Mᵀ v and returns |Mᵀ v|.
// Workers split the columns, so every sum runs over the rows in one order
// and the result does not depend on how many workers there are.
func (s *spectralNorm) multiplyTransposed() float64 {
	parallel(s.cols, func(lo, hi int) {
		acc, part := s.acc[lo:hi], s.part[lo:hi]
		clear(acc)
		for r0 := 0; r0 < s.rows; r0 += spectralBlock {
			clear(part)
			for r := r0; r < min(r0+spectralBlock, s.rows); r++ {
				vr := s.v[r]
				for j, w := range s.w[r*s.cols+lo : r*s.cols+hi] {
					part[j] += w * vr
				}
			}
			for j, p := range part {
				acc[j] += float64(p)
			}
		}
	})
	var sq float64
	for _, v := range s.acc[:s.cols] {
		sq += v * v
	}
	return math.Sqrt(sq)
}

// dot32 returns the inner product of a and b[:len(a)], over four running
// sums in a fixed order.
func dot32(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// backward returns the gradient of the weight with u and v held constant,
// as in the paper: for the output Y = M/σ with σ = vᵀ M u and output
// gradient D, dM = (D − ⟨D, Y⟩ v uᵀ) / σ.
func (s *spectralNorm) backward(dy []float32, _ []bool) ([]*tensor.Dense, error) {
	y := data(s.y)
	parallel(s.rows, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			s.acc[r] = float64(dot32(dy[r*s.cols:(r+1)*s.cols], y[r*s.cols:(r+1)*s.cols]))
		}
	})
	var inner float64
	for _, v := range s.acc[:s.rows] {
		inner += v
	}

	if s.dw == nil {
		s.dw = dense(nil, s.rows, s.cols)
	}
	dw := data(s.dw)
	scale := float32(1 / s.sigma)
	lambda := float32(inner)
	parallel(s.rows, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			lv := lambda * s.v[r]
			row, out := dy[r*s.cols:(r+1)*s.cols], dw[r*s.cols:(r+1)*s.cols]
			for c, d := range row {
				out[c] = (d - lv*s.u[c]) * scale
			}
		}
	})
	s.grad[0] = s.dw
	return s.grad[:], nil
}

// Sigma returns the σ the latest forward pass of a layer built by
// SpectralNorm divided its weight by, for progress reports; it is 0 before
// the first pass or for a node of another kind.
func Sigma(layer *G.Node) float64 {
	f, ok := layer.Op().(*forwardOp)
	if !ok {
		return 0
	}
	if s, ok := f.k.(*spectralNorm); ok {
		return s.sigma
	}
	return 0
}

// SpectralNorm adds spectral normalisation (Miyato et al. 2018) of the
// weight matrix w, as Conv takes it ((k·k·cin)×cout): the output is w/σ,
// where σ estimates the largest singular value of w, so the layer using it
// is about 1-Lipschitz. The paper reshapes a convolution weight to
// (cout, k·k·cin); that is the transpose of w, which has the same singular
// values, and state.U is the paper's u, one entry per column of w.
//
// In training, every forward pass runs one power iteration from state.U,
// stores the new u in it, and divides by the refined σ. Add one such layer
// per weight to the graph of the discriminator's update and use its node
// for every pass through that weight (real and fake batches alike): two
// layers on one state would iterate twice per run and disagree on σ.
// Without training, state.U is read and not changed: σ = |w u|.
//
// The gradient of w treats u and v as constants, as the paper does.
func SpectralNorm(w *G.Node, state *SpectralState, training bool) (*G.Node, error) {
	s := w.Shape()
	if s.Dims() != 2 {
		return nil, fmt.Errorf("nn: spectral norm of a weight of shape %v, want a matrix", s)
	}
	if state == nil {
		return nil, fmt.Errorf("nn: spectral norm needs a state: %w", ErrSpectralState)
	}
	if err := state.check(s[1]); err != nil {
		return nil, err
	}
	k := &spectralNorm{rows: s[0], cols: s[1], state: state, training: training,
		u: make([]float32, s[1]), v: make([]float32, s[0]), acc: make([]float64, max(s[0], s[1])),
		part: make([]float32, s[1]),
		y:    dense(nil, s[0], s[1])}
	return apply(k, s.Clone(), []bool{true}, w)
}
