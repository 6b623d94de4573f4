package engine

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"ganvas/engine/nn"
)

// r1Reach is how far, per value of the batch, the penalty's two passes move
// the real images along the gradient: the whole batch moves by r1Reach·√n
// for n values. The difference of the two passes must stand well above
// float32 rounding and still see the discriminator as nearly linear; from
// 1e-4 to 3e-3 the penalty's gradient agrees with central differences of
// the exact R1, masks held, within 10% (TestR1GradientIsR1s).
const r1Reach = 1e-3

// r1Pass is the R1 penalty (Mescheder et al., 2018), γ/2 times the mean
// squared norm of the gradient of D(x) in x over real images. It is lazy,
// as in StyleGAN2: every few steps, with γ scaled by the interval, so its
// cost spreads thin.
//
// The exact gradient of R1 in the weights needs second derivatives, which
// the layers do not have. Instead it runs two graphs (see nn.SquaredGap):
// probe takes the gradient g of Σ D(x) in x; penalty then runs the
// discriminator at x ± ε·g/|g| and returns the gradient of the squared gap
// between the two, scaled to equal R1. Both moved passes keep the probe's
// LeakyReLU masks (nn.FollowMasks). With masks of their own, every unit
// whose side of zero differs between them adds a term of its own to the
// weights' gradient, however small ε is; the first version without them
// pointed the wrong way (cosine 0.3 to R1's gradient).
type r1Pass struct {
	gamma float64
	every int

	x, plus, minus *tensor.Dense // the real batch as D saw it, and moved

	probeGraph *G.ExprGraph
	probeX     *G.Node
	probeGrad  *G.Node
	probeLoss  nn.LossStats
	probeVM    G.VM
	probed     *maskLog // the probe's layers, whose masks the penalty follows

	penaltyGraph *G.ExprGraph
	penaltyPlus  *G.Node
	penaltyMinus *G.Node
	grads        []*G.Node // of the discriminator's parameters
	value        float64   // of the latest penalty, scaled by every
	penaltyVM    G.VM
}

// r1Options turn the penalty on when gamma > 0.
type r1Options struct {
	gamma float64
	every int // steps between penalties; 0 means every step
}

func newR1Pass(m *Model, batch int, labels *nn.Labels, o r1Options) (*r1Pass, error) {
	a := m.Arch
	p := &r1Pass{gamma: o.gamma, every: max(o.every, 1)}
	shape := []int{batch, a.Resolution, a.Resolution, 3}
	p.x = tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32))
	p.plus = tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32))
	p.minus = tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32))
	image := func(g *G.ExprGraph, name string) *G.Node {
		return G.NewTensor(g, tensor.Float32, 4, G.WithShape(shape...), G.WithName(name))
	}

	p.probeGraph = G.NewGraph()
	p.probeX = image(p.probeGraph, "x")
	weights, err := m.discriminatorWeights(p.probeGraph, false)
	if err != nil {
		return nil, err
	}
	probed := &maskLog{}
	p.probed = probed
	logits, err := m.discriminator(p.probeX, weights, labels, true, false, probed)
	if err != nil {
		return nil, err
	}
	// The mean of -l has the gradient of Σ l in x up to a factor, and the
	// factor does not matter: only the gradient's direction is used.
	cost, err := nn.Loss([]*G.Node{logits}, []nn.Objective{nn.Negative}, &p.probeLoss)
	if err != nil {
		return nil, err
	}
	grads, err := G.Grad(cost, p.probeX)
	if err != nil {
		return nil, err
	}
	p.probeGrad = grads[0]

	p.penaltyGraph = G.NewGraph()
	p.penaltyPlus = image(p.penaltyGraph, "x+")
	p.penaltyMinus = image(p.penaltyGraph, "x-")
	if weights, err = m.discriminatorWeights(p.penaltyGraph, false); err != nil {
		return nil, err
	}
	// Both moved passes keep the probe's masks: the network they see is
	// then smooth along the move, and the gap measures its gradient alone.
	probed.following = true
	plus, err := m.discriminator(p.penaltyPlus, weights, labels, false, true, probed)
	if err != nil {
		return nil, err
	}
	probed.next = 0
	minus, err := m.discriminator(p.penaltyMinus, weights, labels, false, true, probed)
	if err != nil {
		return nil, err
	}
	// R1 = γ/2 · |g|²/batch, and |g| = gap/(2ε) with ε = r1Reach·√n.
	n := float64(p.x.Shape().TotalSize())
	eps := r1Reach * math.Sqrt(n)
	scale := p.gamma * float64(p.every) / (2 * float64(batch) * 4 * eps * eps)
	cost, err = nn.SquaredGap(plus, minus, float32(scale), &p.value)
	if err != nil {
		return nil, err
	}
	if p.grads, err = G.Grad(cost, weights.params...); err != nil {
		return nil, err
	}

	if p.probeVM, err = nn.NewMachine(p.probeGraph); err != nil {
		return nil, err
	}
	p.penaltyVM, err = nn.NewMachine(p.penaltyGraph)
	return p, err
}

// due reports whether the discriminator's update number n (from 1) takes
// the penalty. The count comes from the optimiser, which checkpoints keep,
// so a resumed run penalises the same steps as one never stopped.
func (p *r1Pass) due(n int) bool { return n%p.every == 0 }

// run computes the penalty's gradients at the batch p.x into p.grads.
// It reports false, with no gradients, when D(x) does not change with x.
func (p *r1Pass) run() (bool, error) {
	if err := let(p.probeX, p.x); err != nil {
		return false, err
	}
	if err := runOnce(p.probeVM); err != nil {
		return false, fmt.Errorf("R1 gradient probe: %w", err)
	}
	g := p.probeGrad.Value().Data().([]float32)
	var norm float64
	for _, v := range g {
		norm += float64(v) * float64(v)
	}
	norm = math.Sqrt(norm)
	if norm == 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return false, nil
	}
	step := r1Reach * math.Sqrt(float64(len(g))) / norm
	x, plus, minus := p.x.Float32s(), p.plus.Float32s(), p.minus.Float32s()
	for i, v := range g {
		d := float32(step * float64(v))
		plus[i], minus[i] = x[i]+d, x[i]-d
	}
	if err := let(p.penaltyPlus, p.plus); err != nil {
		return false, err
	}
	if err := let(p.penaltyMinus, p.minus); err != nil {
		return false, err
	}
	if err := runOnce(p.penaltyVM); err != nil {
		return false, fmt.Errorf("R1 penalty: %w", err)
	}
	return true, nil
}

func (p *r1Pass) close() {
	for _, vm := range []G.VM{p.probeVM, p.penaltyVM} {
		if vm != nil {
			vm.Close()
		}
	}
}
