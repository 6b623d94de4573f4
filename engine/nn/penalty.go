package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gap is the penalty scale·(Σ plus − Σ minus)² over two batches of logits.
//
// It turns a gradient penalty into a first-order graph. Run a network at
// x + ε·u and x − ε·u, with u the unit direction of the gradient of Σ D(x)
// in x, and the difference of the two sums over 2ε is that gradient's norm
// to second order in ε. Squared, it is the R1 penalty (Mescheder et al.,
// 2018), and its gradient in the weights is R1's to first order, since u is
// where the norm is largest. Each side's weights get an ordinary backward
// pass, so no layer needs a second derivative.
type gap struct {
	scale      float32
	shapes     [2]tensor.Shape
	difference float64 // Σ plus − Σ minus of the latest forward pass
	grads      [2]*tensor.Dense
	last       G.F32
	report     *float64
}

func (p *gap) name() string    { return "gap²" }
func (p *gap) output() G.Value { return &p.last }

func (p *gap) forward(in []*tensor.Dense) (G.Value, error) {
	var plus, minus float64
	for _, v := range data(in[0]) {
		plus += float64(v)
	}
	for _, v := range data(in[1]) {
		minus += float64(v)
	}
	p.shapes = [2]tensor.Shape{in[0].Shape(), in[1].Shape()}
	p.difference = plus - minus
	value := float64(p.scale) * p.difference * p.difference
	if p.report != nil {
		*p.report = value
	}
	p.last = G.F32(value)
	return &p.last, nil
}

func (p *gap) backward(dy []float32, need []bool) ([]*tensor.Dense, error) {
	d := float32(2*float64(p.scale)*p.difference) * dy[0]
	for i, sign := range [2]float32{1, -1} {
		if !need[i] {
			continue
		}
		p.grads[i] = dense(p.grads[i], p.shapes[i]...)
		g := data(p.grads[i])
		for j := range g {
			g[j] = sign * d
		}
	}
	return p.grads[:], nil
}

// SquaredGap adds the scalar scale·(Σ plus − Σ minus)², the squared
// difference of two batches' summed logits, and writes each forward pass's
// value to *value when value is not nil. Both inputs receive gradients.
func SquaredGap(plus, minus *G.Node, scale float32, value *float64) (*G.Node, error) {
	if plus.Shape().TotalSize() != minus.Shape().TotalSize() {
		return nil, fmt.Errorf("nn: squared gap of logits of shapes %v and %v", plus.Shape(), minus.Shape())
	}
	p := &gap{scale: scale, report: value}
	return apply(p, tensor.ScalarShape(), []bool{true, true}, plus, minus)
}
