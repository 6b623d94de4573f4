package nn

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// bnEpsilon keeps the normalisation finite for a constant channel.
const bnEpsilon = 1e-5

// bnMomentum is how fast the running statistics follow the batches.
const bnMomentum = 0.1

// BatchStats holds the running mean and variance of one batch-norm layer.
// Every graph that uses the layer shares it: training updates it, and
// inference normalises with it.
type BatchStats struct {
	Mean, Var []float32
}

// NewBatchStats returns statistics for c channels: mean 0, variance 1.
func NewBatchStats(c int) *BatchStats {
	s := &BatchStats{Mean: make([]float32, c), Var: make([]float32, c)}
	for i := range s.Var {
		s.Var[i] = 1
	}
	return s
}

// batchNorm normalises each channel of an NHWC batch, scales and shifts it
// by per-channel gamma and beta, then applies an activation.
//
// It keeps its input rather than the normalised values, and recomputes
// those in the backward pass: one multiply-add per value instead of a
// buffer the size of the layer. Sums over the batch are taken per worker
// in float64 and added in worker order, so they are the same every run.
type batchNorm struct {
	c        int
	act      Activation
	training bool
	stats    *BatchStats

	x, gamma, beta []float32 // inputs of the latest forward pass
	mean, invStd   []float32 // per channel, as the latest forward pass normalised
	scale, shift   []float32 // per channel: y = act(x·scale + shift)
	k, k0          []float32 // per channel: dx = dpre·scale + x·k + k0
	y              *tensor.Dense
	dy             []float32 // output gradient of the backward pass in progress
	needX          bool      // whether that pass computes the input gradient
	ws             *workspace
	dx, dg, dbeta  *tensor.Dense
	grads          [3]*tensor.Dense
	sums           [][]float64 // per worker: two sums per channel
	// leader, when set, is the layer whose activation masks this one
	// follows (see FollowMasks), and like its latest output's values.
	leader kernel
	like   []float32

	momentShare, normShare, gradSumShare, gradShare func(w int)
}

func newBatchNorm(c int, act Activation, training bool, stats *BatchStats) *batchNorm {
	b := &batchNorm{c: c, act: act, training: training, stats: stats}
	b.mean, b.invStd = make([]float32, c), make([]float32, c)
	b.scale, b.shift = make([]float32, c), make([]float32, c)
	b.k, b.k0 = make([]float32, c), make([]float32, c)
	b.sums = make([][]float64, workers)
	for w := range b.sums {
		b.sums[w] = make([]float64, 2*c)
	}
	b.momentShare, b.normShare = b.momentPart, b.normPart
	b.gradSumShare, b.gradShare = b.gradSumPart, b.gradPart
	return b
}

func (b *batchNorm) name() string { return "batchnorm+" + b.act.String() }

func (b *batchNorm) output() G.Value { return b.y }

// rows is how many values each channel has in the latest input.
func (b *batchNorm) rows() int { return len(b.x) / b.c }

func (b *batchNorm) forward(in []*tensor.Dense) (G.Value, error) {
	b.x, b.gamma, b.beta = data(in[0]), data(in[1]), data(in[2])
	b.y = dense(b.y, in[0].Shape()...)
	var err error
	if b.like, err = masks(b.leader, b.y); err != nil {
		return nil, err
	}
	if b.training {
		eachSized(len(b.x), b.momentShare)
		b.batchMoments()
	} else {
		for j := range b.c {
			b.mean[j] = b.stats.Mean[j]
			b.invStd[j] = float32(1 / math.Sqrt(float64(b.stats.Var[j])+bnEpsilon))
		}
	}
	for j := range b.c {
		b.scale[j] = b.gamma[j] * b.invStd[j]
		b.shift[j] = b.beta[j] - b.mean[j]*b.scale[j]
	}
	eachSized(len(b.x), b.normShare)
	return b.y, nil
}

// momentPart sums, over worker w's rows, each channel and its square.
func (b *batchNorm) momentPart(w int) {
	c, s := b.c, b.sums[w]
	clear(s)
	sum, sq := s[:c], s[c:2*c]
	lo, hi := span(b.rows(), w)
	r := lo
	// Four rows at a time, so each running sum is loaded and stored once
	// per four values.
	for ; r+4 <= hi; r += 4 {
		x0, x1 := b.x[r*c:(r+1)*c], b.x[(r+1)*c:(r+2)*c]
		x2, x3 := b.x[(r+2)*c:(r+3)*c], b.x[(r+3)*c:(r+4)*c]
		for j, v := range x0 {
			f0, f1, f2, f3 := float64(v), float64(x1[j]), float64(x2[j]), float64(x3[j])
			sum[j] += (f0 + f1) + (f2 + f3)
			sq[j] += (f0*f0 + f1*f1) + (f2*f2 + f3*f3)
		}
	}
	for ; r < hi; r++ {
		for j, v := range b.x[r*c : (r+1)*c] {
			f := float64(v)
			sum[j] += f
			sq[j] += f * f
		}
	}
}

// batchMoments turns the workers' sums into the batch mean and inverse
// standard deviation, and folds them into the running statistics.
func (b *batchNorm) batchMoments() {
	c, m := b.c, float64(b.rows())
	for j := range c {
		var sum, sq float64
		for w := range workers {
			sum += b.sums[w][j]
			sq += b.sums[w][c+j]
		}
		mu := sum / m
		variance := max(sq/m-mu*mu, 0)
		b.mean[j] = float32(mu)
		b.invStd[j] = float32(1 / math.Sqrt(variance+bnEpsilon))
		unbiased := float32(variance * m / max(m-1, 1))
		b.stats.Mean[j] += bnMomentum * (b.mean[j] - b.stats.Mean[j])
		b.stats.Var[j] += bnMomentum * (unbiased - b.stats.Var[j])
	}
}

// normPart normalises worker w's rows and applies the activation.
func (b *batchNorm) normPart(w int) {
	c, y := b.c, data(b.y)
	lo, hi := span(b.rows(), w)
	scale, shift := b.scale[:c], b.shift[:c]
	for r := lo; r < hi; r++ {
		xr, yr := b.x[r*c:(r+1)*c], y[r*c:(r+1)*c]
		for j, v := range xr {
			yr[j] = v*scale[j] + shift[j]
		}
		if b.leader != nil { // while the row is in cache
			b.act.activateLike(yr, b.like[r*c:])
		} else {
			b.act.activate(yr)
		}
	}
}

func (b *batchNorm) backward(dy []float32, need []bool) ([]*tensor.Dense, error) {
	if !b.training {
		return nil, fmt.Errorf("nn: batch norm in inference mode has no gradient")
	}
	c := b.c
	b.dy, b.needX = dy, need[0]
	b.dg = dense(b.dg, c)
	b.dbeta = dense(b.dbeta, c)
	if need[0] {
		b.dx = dense(b.dx, b.y.Shape()...)
	}
	b.ws = borrow()
	defer func() {
		giveBack(b.ws)
		b.ws, b.dy = nil, nil
	}()

	// Sums over the batch of dpre and dpre·xhat give the parameter
	// gradients and the two correction terms of the input gradient.
	eachSized(len(b.x), b.gradSumShare)
	dg, dbeta := data(b.dg), data(b.dbeta)
	for j := range c {
		var sum, dot float64
		for w := range workers {
			sum += b.sums[w][j]
			dot += b.sums[w][c+j]
		}
		dbeta[j], dg[j] = float32(sum), float32(dot)
	}
	b.grads = [3]*tensor.Dense{nil, b.dg, b.dbeta}
	if !need[0] {
		return b.grads[:], nil
	}

	// dx = γ·inv·(dpre - dbeta/m - xhat·dg/m), with scale = γ·inv.
	m := float32(b.rows())
	for j := range c {
		b.k[j] = -b.scale[j] * b.invStd[j] * dg[j] / m
		b.k0[j] = -b.scale[j]*dbeta[j]/m - b.k[j]*b.mean[j]
	}
	eachSized(len(b.x), b.gradShare)
	b.grads[0] = b.dx
	return b.grads[:], nil
}

// preActivation returns the gradient before the activation for worker w's
// rows [lo, hi): dy itself for Linear; otherwise computed into the input
// gradient's rows, which it will overwrite last, or into scratch when the
// input gradient is not needed.
func (b *batchNorm) preActivation(w, lo, hi int) []float32 {
	c := b.c
	dy := b.dy[lo*c : hi*c]
	if b.act == Linear {
		return dy
	}
	dst := data(b.dx)[lo*c : hi*c]
	if !b.needX {
		dst = b.ws.floats(w, len(dy))
	}
	b.act.gradient(dst, b.like[lo*c:hi*c], dy)
	return dst
}

func (b *batchNorm) follow(leader kernel) error {
	l, ok := leader.(*batchNorm)
	if !ok || !b.act.piecewiseLinear() || l.act != b.act || l.c != b.c {
		return fmt.Errorf("nn: %s cannot follow the masks of %s", b.name(), leader.name())
	}
	b.leader = leader
	return nil
}

// gradSumPart sums, over worker w's rows, dpre and dpre·xhat per channel,
// where dpre is the gradient before the activation.
func (b *batchNorm) gradSumPart(w int) {
	c, s := b.c, b.sums[w]
	clear(s)
	sum, dot := s[:c], s[c:2*c]
	mean, invStd := b.mean[:c], b.invStd[:c]
	lo, hi := span(b.rows(), w)
	pre := b.preActivation(w, lo, hi)
	x := b.x[lo*c : hi*c]
	r, rows := 0, hi-lo
	// Four rows at a time, as in momentPart.
	for ; r+4 <= rows; r += 4 {
		d0, d1 := pre[r*c:(r+1)*c], pre[(r+1)*c:(r+2)*c]
		d2, d3 := pre[(r+2)*c:(r+3)*c], pre[(r+3)*c:(r+4)*c]
		x0, x1 := x[r*c:(r+1)*c], x[(r+1)*c:(r+2)*c]
		x2, x3 := x[(r+2)*c:(r+3)*c], x[(r+3)*c:(r+4)*c]
		for j, v := range d0 {
			mu, inv := mean[j], invStd[j]
			sum[j] += (float64(v) + float64(d1[j])) + (float64(d2[j]) + float64(d3[j]))
			dot[j] += (float64(v*(x0[j]-mu)*inv) + float64(d1[j]*(x1[j]-mu)*inv)) +
				(float64(d2[j]*(x2[j]-mu)*inv) + float64(d3[j]*(x3[j]-mu)*inv))
		}
	}
	for ; r < rows; r++ {
		xr, dr := x[r*c:(r+1)*c], pre[r*c:(r+1)*c]
		for j, v := range dr {
			sum[j] += float64(v)
			dot[j] += float64(v * (xr[j] - mean[j]) * invStd[j])
		}
	}
}

// gradPart writes the input gradient of worker w's rows, over the
// gradient before the activation that gradSumPart left there.
func (b *batchNorm) gradPart(w int) {
	c, dx := b.c, data(b.dx)
	scale, k, k0 := b.scale[:c], b.k[:c], b.k0[:c]
	lo, hi := span(b.rows(), w)
	pre := dx[lo*c : hi*c]
	if b.act == Linear {
		pre = b.dy[lo*c : hi*c]
	}
	for r := lo; r < hi; r++ {
		xr, dxr, dr := b.x[r*c:(r+1)*c], dx[r*c:(r+1)*c], pre[(r-lo)*c:(r-lo+1)*c]
		for j, v := range dr {
			dxr[j] = v*scale[j] + xr[j]*k[j] + k0[j]
		}
	}
}

// BatchNorm adds batch normalisation of the NHWC tensor x with per-channel
// scale gamma and shift beta, followed by act. In training it normalises by
// the batch's statistics and updates stats; otherwise it normalises by
// stats. needX says whether the graph uses the gradient of x; the gradients
// of gamma and beta are always computed in training.
func BatchNorm(x, gamma, beta *G.Node, stats *BatchStats, act Activation, training, needX bool) (*G.Node, error) {
	s := x.Shape()
	c := s[len(s)-1]
	if gamma.Shape().TotalSize() != c || beta.Shape().TotalSize() != c || len(stats.Mean) != c {
		return nil, fmt.Errorf("nn: batch norm over %d channels got parameters of %v and %v",
			c, gamma.Shape(), beta.Shape())
	}
	b := newBatchNorm(c, act, training, stats)
	return apply(b, s.Clone(), []bool{needX && training, training, training}, x, gamma, beta)
}
