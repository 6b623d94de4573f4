package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestSharedSpectralWeight checks the wiring SpectralNorm asks for: one
// normalised weight used by the real and the fake pass, whose gradients
// Gorgonia adds before the one backward pass of the normalisation.
func TestSharedSpectralWeight(t *testing.T) {
	checkGradients(t, gradCase{
		name:   "one normalised weight, two passes",
		shapes: [][]int{{2, 4, 4, 3}, {2, 4, 4, 3}, {48, 4}},
		build: func(in []*G.Node) (*G.Node, error) {
			w, err := SpectralNorm(in[2], NewSpectralState(4, nil), false)
			if err != nil {
				return nil, err
			}
			real, err := Conv(in[0], w, 4, 2, 1, LeakyReLU, true, true)
			if err != nil {
				return nil, err
			}
			fake, err := Conv(in[1], w, 4, 2, 1, LeakyReLU, true, true)
			if err != nil {
				return nil, err
			}
			return Add(real, fake)
		},
	})
}

// smallDataStep is a discriminator update with every layer of this file's
// kind, wired as a trainer would: augmented real and fake batches, spectrally
// normalised weights shared by both passes, minibatch standard deviation,
// and a projection head.
type smallDataStep struct {
	rng     *rand.Rand
	source  *rand.PCG
	states  []*SpectralState
	vm      G.VM
	cost    *G.Node
	grads   G.Nodes
	loss    LossStats
	real    *tensor.Dense
	fake    *tensor.Dense
	policy  AugmentPolicy
	labels  *Labels
	weights []*tensor.Dense
}

func newSmallDataStep(t *testing.T) *smallDataStep {
	t.Helper()
	const n, side, classes = 8, 16, 3
	init := rand.New(rand.NewPCG(39, 40))
	s := &smallDataStep{source: rand.NewPCG(41, 42), policy: AugmentPolicy{true, true, true, 0.8},
		labels: &Labels{Values: []int{0, 1, 2, 0, 1, 2, 0, 1}}}
	s.rng = rand.New(s.source)
	s.real = randomTensor(init, 0.5, n, side, side, 3)
	s.fake = randomTensor(init, 0.5, n, side, side, 3)
	shapes := [][]int{{48, 16}, {256, 32}, {16 * 33, 1}, {classes, 33}}
	for _, sh := range shapes {
		s.weights = append(s.weights, randomTensor(init, 0.02, sh...))
	}
	for _, sh := range shapes[:3] {
		s.states = append(s.states, NewSpectralState(sh[1], init))
	}

	g := G.NewGraph()
	var params G.Nodes
	for _, w := range s.weights {
		params = append(params, node(g, w))
	}
	var normed G.Nodes
	for i, st := range s.states {
		w, err := SpectralNorm(params[i], st, true)
		if err != nil {
			t.Fatal(err)
		}
		normed = append(normed, w)
	}
	discriminate := func(images *tensor.Dense) *G.Node {
		x, err := Augment(node(g, images), &s.policy, s.rng, false)
		must(t, err)
		x, err = Conv(x, normed[0], 4, 2, 1, LeakyReLU, false, true)
		must(t, err)
		x, err = Conv(x, normed[1], 4, 2, 1, LeakyReLU, true, true)
		must(t, err)
		x, err = MinibatchStdDev(x, 4)
		must(t, err)
		logit, err := Conv(x, normed[2], 4, 1, 0, Linear, true, true)
		must(t, err)
		pooled, err := GlobalSum(x)
		must(t, err)
		class, err := Projection(pooled, s.labels, params[3])
		must(t, err)
		out, err := Add(logit, class)
		must(t, err)
		return out
	}
	realLogits, fakeLogits := discriminate(s.real), discriminate(s.fake)
	var err error
	s.cost, err = Loss([]*G.Node{realLogits, fakeLogits}, []Objective{RealHinge, FakeHinge}, &s.loss)
	must(t, err)
	s.grads, err = G.Grad(s.cost, params...)
	must(t, err)
	s.vm = G.NewTapeMachine(g)
	t.Cleanup(func() { s.vm.Close() })
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// run returns the loss and every gradient of one update.
func (s *smallDataStep) run(t *testing.T) []float32 {
	t.Helper()
	must(t, s.vm.RunAll())
	defer s.vm.Reset()
	out := []float32{float32(s.loss.Value)}
	for _, gr := range s.grads {
		out = append(out, data(gr.Value().(*tensor.Dense))...)
	}
	return out
}

// TestSmallDataStepResumes checks that a discriminator update with these
// layers is a function of the weights, the rng state and the spectral
// states alone: restoring them replays the update bit for bit.
func TestSmallDataStepResumes(t *testing.T) {
	s := newSmallDataStep(t)
	s.run(t)

	savedRNG, err := s.source.MarshalBinary()
	must(t, err)
	var savedU [][]float32
	for _, st := range s.states {
		savedU = append(savedU, append([]float32(nil), st.U...))
	}
	first := s.run(t)
	for _, v := range first {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatal("the update is not finite")
		}
	}

	must(t, s.source.UnmarshalBinary(savedRNG))
	for i, st := range s.states {
		copy(st.U, savedU[i])
	}
	if again := s.run(t); !equalFloats(again, first) {
		t.Error("restoring the rng and spectral states did not replay the update")
	}
	if next := s.run(t); equalFloats(next, first) {
		t.Error("the next update drew the same augmentations")
	}

	// A resumed trainer builds its graphs anew: they must draw in the same
	// order as the ones that saved the state.
	fresh := newSmallDataStep(t)
	must(t, fresh.source.UnmarshalBinary(savedRNG))
	for i, st := range fresh.states {
		copy(st.U, savedU[i])
	}
	if resumed := fresh.run(t); !equalFloats(resumed, first) {
		t.Error("a rebuilt graph from the saved states did not replay the update")
	}
}
