package nn

import (
	"fmt"

	"github.com/chewxy/math32"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Objective is what one batch of discriminator logits is pushed towards.
type Objective int

// The objectives of the GAN losses. For logits l:
const (
	// RealBCE is -log sigmoid(l): binary cross-entropy with target 1.
	RealBCE Objective = iota
	// FakeBCE is -log(1 - sigmoid(l)): binary cross-entropy with target 0.
	FakeBCE
	// RealHinge is max(0, 1 - l), the hinge loss on real images.
	RealHinge
	// FakeHinge is max(0, 1 + l), the hinge loss on generated images.
	FakeHinge
	// Negative is -l, the generator's hinge objective.
	Negative
)

// value returns the objective at l and its derivative.
func (o Objective) value(l float32) (float32, float32) {
	switch o {
	case RealBCE:
		// softplus(-l), computed without overflow.
		return softplus(-l), sigmoid(l) - 1
	case FakeBCE:
		return softplus(l), sigmoid(l)
	case RealHinge:
		if l < 1 {
			return 1 - l, -1
		}
		return 0, 0
	case FakeHinge:
		if l > -1 {
			return 1 + l, 1
		}
		return 0, 0
	default:
		return -l, -1
	}
}

func sigmoid(x float32) float32 {
	if x >= 0 {
		return 1 / (1 + math32.Exp(-x))
	}
	e := math32.Exp(x)
	return e / (1 + e)
}

func softplus(x float32) float32 {
	if x > 0 {
		return x + math32.Log1p(math32.Exp(-x))
	}
	return math32.Log1p(math32.Exp(x))
}

// loss sums, over its inputs, the mean of each input's objective.
type loss struct {
	objectives []Objective
	logits     [][]float32
	shapes     []tensor.Shape
	grads      []*tensor.Dense
	stats      *LossStats
	last       G.F32 // the latest value, returned by pointer
}

// LossStats receives what a loss saw in its latest forward pass.
type LossStats struct {
	// Value is the loss.
	Value float64
	// MeanSigmoid is the mean of sigmoid(l) over each input's logits: the
	// discriminator's average belief that those images are real.
	MeanSigmoid []float64
}

func (l *loss) name() string { return fmt.Sprintf("loss%v", l.objectives) }

func (l *loss) forward(in []*tensor.Dense) (G.Value, error) {
	var total float64
	l.logits, l.shapes = l.logits[:0], l.shapes[:0]
	for i, t := range in {
		x := data(t)
		l.logits = append(l.logits, x)
		l.shapes = append(l.shapes, t.Shape())
		var sum, belief float64
		for _, v := range x {
			f, _ := l.objectives[i].value(v)
			sum += float64(f)
			belief += float64(sigmoid(v))
		}
		total += sum / float64(len(x))
		l.stats.MeanSigmoid[i] = belief / float64(len(x))
	}
	l.stats.Value = total
	l.last = G.F32(total)
	return &l.last, nil
}

func (l *loss) output() G.Value { return &l.last }

func (l *loss) backward(dy []float32, need []bool) ([]*tensor.Dense, error) {
	if len(l.grads) != len(l.logits) {
		l.grads = make([]*tensor.Dense, len(l.logits))
	}
	for i, x := range l.logits {
		if !need[i] {
			continue
		}
		l.grads[i] = dense(l.grads[i], l.shapes[i]...)
		g := data(l.grads[i])
		scale := dy[0] / float32(len(x))
		for j, v := range x {
			_, d := l.objectives[i].value(v)
			g[j] = d * scale
		}
	}
	return l.grads, nil
}

// Loss adds the scalar sum over logits[i] of the mean of objectives[i], and
// reports what it saw into stats after every forward pass.
func Loss(logits []*G.Node, objectives []Objective, stats *LossStats) (*G.Node, error) {
	if len(logits) != len(objectives) {
		return nil, fmt.Errorf("nn: loss has %d inputs and %d objectives", len(logits), len(objectives))
	}
	need := make([]bool, len(logits))
	for i := range need {
		need[i] = true
	}
	stats.MeanSigmoid = make([]float64, len(logits))
	l := &loss{objectives: objectives, stats: stats}
	return apply(l, tensor.ScalarShape(), need, logits...)
}
