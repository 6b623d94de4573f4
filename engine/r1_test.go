package engine

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"ganvas/engine/nn"
)

// r1Reference computes R1 exactly, from the input gradient of a
// discriminator pass, for checking the penalty. Its pass follows the
// activation masks of the penalty's latest probe: R1 itself jumps wherever
// a weight's change flips a unit, so its central differences only mean
// something with the masks held, and the gradient a.e. is theirs.
type r1Reference struct {
	p     *r1Pass
	x     *G.Node
	grad  *G.Node
	vm    G.VM
	batch int
}

func newR1Reference(t *testing.T, m *Model, p *r1Pass, labels *nn.Labels, batch int) *r1Reference {
	t.Helper()
	r := &r1Reference{p: p, batch: batch}
	g := G.NewGraph()
	r.x = G.NewTensor(g, tensor.Float32, 4, G.WithShape(p.x.Shape()...), G.WithName("x"))
	weights, err := m.discriminatorWeights(g, false)
	if err != nil {
		t.Fatal(err)
	}
	held := &maskLog{following: true, layers: p.probed.layers}
	logits, err := m.discriminator(r.x, weights, labels, true, false, held)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := nn.Loss([]*G.Node{logits}, []nn.Objective{nn.Negative}, &nn.LossStats{})
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(cost, r.x)
	if err != nil {
		t.Fatal(err)
	}
	r.grad = grads[0]
	if r.vm, err = nn.NewMachine(g); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.vm.Close() })
	return r
}

// value returns γ/2 times the mean over the batch of |∇x D(x)|².
func (r *r1Reference) value(t *testing.T) float64 {
	t.Helper()
	if err := let(r.x, r.p.x); err != nil {
		t.Fatal(err)
	}
	if err := runOnce(r.vm); err != nil {
		t.Fatal(err)
	}
	// The cost is the mean of -D(x), so its gradient is that of Σ D(x)
	// divided by -batch.
	var sq float64
	for _, v := range r.grad.Value().Data().([]float32) {
		sq += float64(v) * float64(v)
	}
	return r.p.gamma / 2 * sq * float64(r.batch)
}

// TestR1GradientIsR1s checks the penalty's weight gradients, which come
// from two first-order passes, against central differences of the exact
// R1 in each weight: with batch norm, with spectral norm, and with classes.
func TestR1GradientIsR1s(t *testing.T) {
	cases := []struct {
		name string
		arch Arch
	}{
		{"batch norm", Arch{Resolution: 32, Width: 4, Latent: 8}},
		{"spectral norm", Arch{Resolution: 32, Width: 4, Latent: 8, SpectralNorm: true}},
		{"classes and minibatch deviation", Arch{Resolution: 32, Width: 4, Latent: 8, Classes: 3, MinibatchStd: true}},
	}
	const batch = 4
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 8))
			m, err := NewModel(c.arch, rng)
			if err != nil {
				t.Fatal(err)
			}
			labels := &nn.Labels{Values: []int{0, 1, 2, 1}}
			if !c.arch.conditional() {
				labels.Values = make([]int, batch)
			}
			p, err := newR1Pass(m, batch, labels, r1Options{gamma: 10, every: 4})
			if err != nil {
				t.Fatal(err)
			}
			defer p.close()
			for i := range p.x.Float32s() {
				p.x.Float32s()[i] = float32(rng.Float64()*2 - 1)
			}
			ok, err := p.run()
			if err != nil || !ok {
				t.Fatalf("penalty pass: %v, %v", ok, err)
			}
			ref := newR1Reference(t, m, p, labels, batch)
			// The pass scales by its interval, as a lazy penalty must.
			if got, want := p.value/float64(p.every), ref.value(t); math.Abs(got-want) > 0.01*want {
				t.Errorf("penalty %.6g, exact R1 %.6g", got, want)
			}
			var dot, nAnalytic, nNumeric float64
			for i, param := range m.Discriminator.Params {
				analytic := p.grads[i].Value().Data().([]float32)
				w := param.Value.Float32s()
				// Probe the coordinates with the largest gradients, where
				// a wrong one shows, and a few at random.
				order := make([]int, len(w))
				for j := range order {
					order[j] = j
				}
				slices.SortFunc(order, func(a, b int) int {
					return -cmpAbs(analytic[a], analytic[b])
				})
				picks := append(order[:3:3], rng.Perm(len(w))[:2]...)
				for _, j := range picks {
					a := float64(analytic[j]) / float64(p.every)
					orig := w[j]
					h := float32(1e-3)
					w[j] = orig + h
					up := ref.value(t)
					w[j] = orig - h
					down := ref.value(t)
					w[j] = orig
					n := (up - down) / (2 * float64(h))
					dot += a * n
					nAnalytic += a * a
					nNumeric += n * n
					if math.Abs(a-n) > 0.1*math.Abs(n)+1e-3*math.Sqrt(nNumeric) {
						t.Errorf("%s[%d]: penalty gradient %.5g, central difference of R1 %.5g",
							param.Name, j, a, n)
					}
				}
			}
			if cos := dot / math.Sqrt(nAnalytic*nNumeric); cos < 0.99 {
				t.Errorf("penalty gradient and R1's central differences align with cosine %.4f", cos)
			}
		})
	}
}

func cmpAbs(a, b float32) int {
	a, b = float32(math.Abs(float64(a))), float32(math.Abs(float64(b)))
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestR1FlattensTheDiscriminator trains two discriminators from the same
// start on the same images, one with the penalty: the penalised one ends
// with a much smaller gradient at the real images, which is what R1 is for,
// and the penalty the step reports is that gradient's.
func TestR1FlattensTheDiscriminator(t *testing.T) {
	const batch = 8
	arch := Arch{Resolution: 32, Width: 8, Latent: 16}
	train := func(gamma float64) (r1 float64, reported float64) {
		rng := rand.New(rand.NewPCG(3, 4))
		m, err := NewModel(arch, rng)
		if err != nil {
			t.Fatal(err)
		}
		opt := stepOptions{adam: adamConfig{1e-3, 0.5, 0.999}, loss: LossBCE,
			r1: r1Options{gamma: gamma, every: 2}}
		s, err := newStepper(m, batch, opt)
		if err != nil {
			t.Fatal(err)
		}
		defer s.close()
		for i := range s.real.Float32s() {
			s.real.Float32s()[i] = float32(rng.Float64()*2 - 1)
		}
		var st StepStats
		for range 30 {
			for i := range s.z.Float32s() {
				s.z.Float32s()[i] = float32(rng.NormFloat64())
			}
			if st, err = s.step(); err != nil {
				t.Fatal(err)
			}
		}
		// Measure R1 at the end, with γ = 2 so that it is the mean of
		// |∇x D(x)|² itself.
		probe, err := newR1Pass(m, batch, s.realLabels, r1Options{gamma: 2, every: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer probe.close()
		copy(probe.x.Float32s(), s.real.Float32s())
		if _, err := probe.run(); err != nil {
			t.Fatal(err)
		}
		return probe.value, st.R1
	}
	free, none := train(0)
	penalised, reported := train(50)
	t.Logf("mean |∇x D|² at the real images: %.4g without the penalty, %.4g with γ = 50", free, penalised)
	if none != 0 {
		t.Errorf("a step without the penalty reports R1 = %g", none)
	}
	if !(penalised < free/4) {
		t.Errorf("the penalty left the squared gradient at %.4g, against %.4g without it", penalised, free)
	}
	if !(reported > 0) {
		t.Errorf("a penalised step reports R1 = %g", reported)
	}
}
