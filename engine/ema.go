package engine

import (
	"slices"

	"gorgonia.org/tensor"

	"ganvas/engine/nn"
)

// average is an exponential moving average of a generator's weights and
// batch-norm statistics. Its model shares the generator's architecture and
// has no discriminator: it only generates.
type average struct {
	model  *Model
	beta   float64
	warmup int
}

func newAverage(m *Model, beta float64, warmup int) *average {
	a := &average{model: &Model{Arch: m.Arch}, beta: beta, warmup: warmup}
	for _, p := range m.Generator.Params {
		a.model.Generator.Params = append(a.model.Generator.Params,
			Param{p.Name, p.Value.Clone().(*tensor.Dense)})
	}
	for _, n := range m.Generator.Norms {
		a.model.Generator.Norms = append(a.model.Generator.Norms, Norm{n.Name, &nn.BatchStats{
			Mean: slices.Clone(n.Stats.Mean), Var: slices.Clone(n.Stats.Var)}})
	}
	return a
}

// decay returns how much of the average a step keeps: nothing during the
// warm-up, since early weights are not worth keeping, then a share that
// rises towards beta, so the average follows a fast-changing generator
// closely at first and smooths more as training settles.
func (a *average) decay(step int) float64 {
	if step <= a.warmup {
		return 0
	}
	k := float64(step - a.warmup)
	return min(a.beta, (1+k)/(10+k))
}

// update folds the generator's weights after step into the average.
func (a *average) update(g *Network, step int) {
	keep := float32(a.decay(step))
	mix := func(avg, cur []float32) {
		for i, v := range cur {
			avg[i] = keep*avg[i] + (1-keep)*v
		}
	}
	for i, p := range g.Params {
		mix(a.model.Generator.Params[i].Value.Data().([]float32), p.Value.Data().([]float32))
	}
	for i, n := range g.Norms {
		mix(a.model.Generator.Norms[i].Stats.Mean, n.Stats.Mean)
		mix(a.model.Generator.Norms[i].Stats.Var, n.Stats.Var)
	}
}
