package nn

import (
	"fmt"

	"github.com/chewxy/math32"
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
type batchNorm struct {
	c        int
	act      Activation
	training bool
	stats    *BatchStats

	gamma         []float32
	xhat, y       *tensor.Dense
	invStd        []float32
	dpre          *tensor.Dense
	dx, dg, dbeta *tensor.Dense
}

func (b *batchNorm) name() string { return "batchnorm+" + b.act.String() }

func (b *batchNorm) output() G.Value { return b.y }

func (b *batchNorm) forward(in []*tensor.Dense) (G.Value, error) {
	x, gamma, beta := data(in[0]), data(in[1]), data(in[2])
	b.gamma = gamma
	c := b.c
	m := len(x) / c
	b.xhat = dense(b.xhat, in[0].Shape()...)
	b.y = dense(b.y, in[0].Shape()...)
	if len(b.invStd) != c {
		b.invStd = make([]float32, c)
	}
	mean, variance := b.stats.Mean, b.stats.Var
	if b.training {
		mean, variance = b.batchMoments(x, m)
	}
	for j := 0; j < c; j++ {
		b.invStd[j] = 1 / math32.Sqrt(variance[j]+bnEpsilon)
	}
	xhat, y := data(b.xhat), data(b.y)
	parallel(m, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr, hr, yr := x[r*c:(r+1)*c], xhat[r*c:(r+1)*c], y[r*c:(r+1)*c]
			for j, v := range xr {
				h := (v - mean[j]) * b.invStd[j]
				hr[j] = h
				yr[j] = gamma[j]*h + beta[j]
			}
		}
		b.act.activate(y[lo*c : hi*c])
	})
	return b.y, nil
}

// batchMoments returns the batch mean and biased variance per channel and
// folds them into the running statistics.
func (b *batchNorm) batchMoments(x []float32, m int) (mean, variance []float32) {
	c := b.c
	sum := make([]float64, 2*c)
	for r := 0; r < m; r++ {
		for j, v := range x[r*c : (r+1)*c] {
			sum[j] += float64(v)
			sum[c+j] += float64(v) * float64(v)
		}
	}
	mean, variance = make([]float32, c), make([]float32, c)
	for j := 0; j < c; j++ {
		mu := sum[j] / float64(m)
		mean[j] = float32(mu)
		variance[j] = float32(max(sum[c+j]/float64(m)-mu*mu, 0))
		unbiased := variance[j] * float32(m) / float32(max(m-1, 1))
		b.stats.Mean[j] += bnMomentum * (mean[j] - b.stats.Mean[j])
		b.stats.Var[j] += bnMomentum * (unbiased - b.stats.Var[j])
	}
	return mean, variance
}

func (b *batchNorm) backward(dy []float32, need []bool) ([]*tensor.Dense, error) {
	if !b.training {
		return nil, fmt.Errorf("nn: batch norm in inference mode has no gradient")
	}
	c := b.c
	b.dpre = dense(b.dpre, b.y.Shape()...)
	dpre, xhat := data(b.dpre), data(b.xhat)
	b.act.gradient(dpre, data(b.y), dy)
	m := len(dpre) / c

	// Sums over the batch of dpre and dpre·xhat give the parameter
	// gradients and the two correction terms of the input gradient.
	b.dg = dense(b.dg, c)
	b.dbeta = dense(b.dbeta, c)
	dg, dbeta := data(b.dg), data(b.dbeta)
	clear(dg)
	clear(dbeta)
	for r := 0; r < m; r++ {
		dr, hr := dpre[r*c:(r+1)*c], xhat[r*c:(r+1)*c]
		for j, v := range dr {
			dbeta[j] += v
			dg[j] += v * hr[j]
		}
	}
	grads := []*tensor.Dense{nil, b.dg, b.dbeta}
	if need[0] {
		b.dx = dense(b.dx, b.y.Shape()...)
		dx := data(b.dx)
		inv := 1 / float32(m)
		parallel(m, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				dr, hr, xr := dpre[r*c:(r+1)*c], xhat[r*c:(r+1)*c], dx[r*c:(r+1)*c]
				for j, v := range dr {
					xr[j] = b.gamma[j] * b.invStd[j] * (v - inv*dbeta[j] - inv*hr[j]*dg[j])
				}
			}
		})
		grads[0] = b.dx
	}
	return grads, nil
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
	b := &batchNorm{c: c, act: act, training: training, stats: stats}
	return apply(b, s.Clone(), []bool{needX && training, training, training}, x, gamma, beta)
}
