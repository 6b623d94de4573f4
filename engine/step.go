package engine

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"ganvas/engine/nn"
)

// stepper runs training steps. A step is a discriminator update on one real
// and one generated batch, then a generator update through the updated
// discriminator, as in DCGAN. It compiles three graphs once:
//
//   - generate: z → fake batch, with batch statistics;
//   - discriminate: D(real) and D(fake) → the discriminator's loss and its
//     gradients (the fake batch enters as a plain input, so no gradient flows
//     into the generator);
//   - adversary: D(G(z)) → the generator's loss and its gradients, where
//     G(z) replays the generate graph instead of computing it again.
type stepper struct {
	model *Model
	batch int
	loss  string // LossBCE or LossHinge

	z, real *tensor.Dense // inputs, filled before each step
	// Classes of the real and fake batches, filled before each step when
	// the model is conditional.
	realLabels, fakeLabels *nn.Labels
	// augment is the augmentation both discriminator inputs go through,
	// nil for none; its Strength may change between steps. augmentRNG
	// draws its parameters, and is saved with checkpoints.
	augment    *nn.AugmentPolicy
	augmentPCG *rand.PCG
	realIn     *G.Node // the real batch as the discriminator sees it
	realLogits *G.Node
	// r1 is the lazy R1 penalty on real images, nil when it is off.
	r1 *r1Pass
	// modeSeeking is the weight of the mode-seeking term, 0 when the
	// generator's loss has none. With it, the second half of each fake
	// batch must repeat the first half's classes (see pairFakeLabels).
	modeSeeking      float64
	modeSeekingStats nn.ModeSeekingStats

	genGraph *G.ExprGraph
	genZ     *G.Node
	fake     *G.Node
	genVM    G.VM

	discGraph *G.ExprGraph
	discReal  *G.Node
	discFake  *G.Node
	discGrads []*G.Node // summed over both discriminator passes
	discVM    G.VM
	discLoss  nn.LossStats

	advGraph *G.ExprGraph
	advZ     *G.Node
	genGrads []*G.Node
	advVM    G.VM
	genLoss  nn.LossStats

	optGen, optDisc *adam
	lastStats       StepStats // of the latest step
}

// StepStats are the figures of one training step.
type StepStats struct {
	LossD, LossG float64
	DReal, DFake float64
	// RealSign is the mean sign of the discriminator's logits on the real
	// batch: near 1 when it has learned the training images by heart.
	RealSign float64
	// R1 is the latest R1 penalty, γ/2 times the mean squared gradient of
	// D on real images, or 0 when it is off or not yet taken.
	R1 float64
}

// stepOptions are the choices of a training step beyond the model.
type stepOptions struct {
	adam    adamConfig        // of the generator
	disc    adamConfig        // of the discriminator; zero means the generator's
	loss    string            // LossBCE or LossHinge
	augment *nn.AugmentPolicy // nil for no augmentation
	seed    uint64            // of the augmentation's random stream
	r1      r1Options         // the R1 penalty, off when its gamma is 0
	// modeSeeking weights the mode-seeking term of a conditional
	// generator's loss; 0 leaves it out.
	modeSeeking float64
}

func newStepper(m *Model, batch int, opt stepOptions) (*stepper, error) {
	s := &stepper{model: m, batch: batch, loss: opt.loss, augment: opt.augment}
	a := m.Arch
	if a.conditional() {
		s.modeSeeking = opt.modeSeeking
	}
	s.z = tensor.New(tensor.WithShape(batch, 1, 1, a.Latent), tensor.Of(tensor.Float32))
	s.real = tensor.New(tensor.WithShape(batch, a.Resolution, a.Resolution, 3), tensor.Of(tensor.Float32))
	s.realLabels = &nn.Labels{Values: make([]int, batch)}
	s.fakeLabels = &nn.Labels{Values: make([]int, batch)}
	s.augmentPCG = rand.NewPCG(opt.seed, 6)
	if err := s.build(); err != nil {
		s.close()
		return nil, fmt.Errorf("engine: build training graphs: %w", err)
	}
	if opt.r1.gamma > 0 {
		var err error
		if s.r1, err = newR1Pass(m, batch, s.realLabels, opt.r1); err != nil {
			s.close()
			return nil, fmt.Errorf("engine: build the R1 penalty: %w", err)
		}
	}
	s.optGen = newAdam(opt.adam, m.Generator.Params)
	if opt.disc == (adamConfig{}) {
		opt.disc = opt.adam
	}
	s.optDisc = newAdam(opt.disc, m.Discriminator.Params)
	return s, nil
}

func latentNode(g *G.ExprGraph, batch, latent int, name string) *G.Node {
	return G.NewTensor(g, tensor.Float32, 4, G.WithShape(batch, 1, 1, latent), G.WithName(name))
}

func (s *stepper) build() error {
	m, a := s.model, s.model.Arch

	// Generate.
	s.genGraph = G.NewGraph()
	s.genZ = latentNode(s.genGraph, s.batch, a.Latent, "z")
	fake, _, genLayers, err := m.generator(s.genZ, s.fakeLabels, true, false, nil)
	if err != nil {
		return err
	}
	s.fake = fake

	// Discriminate.
	s.discGraph = G.NewGraph()
	imageShape := G.WithShape(s.batch, a.Resolution, a.Resolution, 3)
	s.discReal = G.NewTensor(s.discGraph, tensor.Float32, 4, imageShape, G.WithName("real"))
	s.discFake = G.NewTensor(s.discGraph, tensor.Float32, 4, imageShape, G.WithName("fake"))
	augmentRNG := rand.New(s.augmentPCG)
	augment := func(x *G.Node, needX bool) (*G.Node, error) {
		if s.augment == nil {
			return x, nil
		}
		return nn.Augment(x, s.augment, augmentRNG, needX)
	}
	weights, err := m.discriminatorWeights(s.discGraph, true)
	if err != nil {
		return err
	}
	realIn, err := augment(s.discReal, false)
	if err != nil {
		return err
	}
	s.realIn = realIn
	realLogits, err := m.discriminator(realIn, weights, s.realLabels, false, true, nil)
	if err != nil {
		return err
	}
	s.realLogits = realLogits
	fakeIn, err := augment(s.discFake, false)
	if err != nil {
		return err
	}
	fakeLogits, err := m.discriminator(fakeIn, weights, s.fakeLabels, false, true, nil)
	if err != nil {
		return err
	}
	discObjectives, genObjective := []nn.Objective{nn.RealBCE, nn.FakeBCE}, nn.RealBCE
	if s.loss == LossHinge {
		discObjectives, genObjective = []nn.Objective{nn.RealHinge, nn.FakeHinge}, nn.Negative
	}
	cost, err := nn.Loss([]*G.Node{realLogits, fakeLogits}, discObjectives, &s.discLoss)
	if err != nil {
		return err
	}
	grads, err := G.Grad(cost, weights.params...)
	if err != nil {
		return err
	}
	s.discGrads = grads

	// Adversary: the generator's update through the discriminator.
	s.advGraph = G.NewGraph()
	s.advZ = latentNode(s.advGraph, s.batch, a.Latent, "z")
	advFake, genParams, _, err := m.generator(s.advZ, s.fakeLabels, true, true, genLayers.built)
	if err != nil {
		return err
	}
	generated := advFake
	if advFake, err = augment(advFake, true); err != nil {
		return err
	}
	frozen, err := m.discriminatorWeights(s.advGraph, false)
	if err != nil {
		return err
	}
	logits, err := m.discriminator(advFake, frozen, s.fakeLabels, true, false, nil)
	if err != nil {
		return err
	}
	cost, err = nn.Loss([]*G.Node{logits}, []nn.Objective{genObjective}, &s.genLoss)
	if err != nil {
		return err
	}
	if s.modeSeeking > 0 {
		cost, err = nn.ModeSeeking(cost, generated, s.advZ, s.modeSeeking,
			modeSeekingBlock(a.Resolution), &s.modeSeekingStats)
		if err != nil {
			return err
		}
	}
	if s.genGrads, err = G.Grad(cost, genParams...); err != nil {
		return err
	}

	// nn's machine runs these graphs without allocating; Gorgonia's tape
	// machine allocates per instruction.
	if s.genVM, err = nn.NewMachine(s.genGraph); err != nil {
		return err
	}
	if s.discVM, err = nn.NewMachine(s.discGraph); err != nil {
		return err
	}
	s.advVM, err = nn.NewMachine(s.advGraph)
	return err
}

// step trains on the real batch and latent batch already in s.real and s.z.
func (s *stepper) step() (StepStats, error) {
	// Generate the fake batch once; both updates use it.
	if err := let(s.genZ, s.z); err != nil {
		return StepStats{}, err
	}
	if err := runOnce(s.genVM); err != nil {
		return StepStats{}, s.failure("generator pass", err)
	}

	// Discriminator step: real towards 1, fake towards 0.
	if err := let(s.discReal, s.real); err != nil {
		return StepStats{}, err
	}
	if err := let(s.discFake, s.fake.Value()); err != nil {
		return StepStats{}, err
	}
	if err := runOnce(s.discVM); err != nil {
		return StepStats{}, s.failure("discriminator step", err)
	}
	penalised, err := s.penalise()
	if err != nil {
		return StepStats{}, s.failure("R1 penalty", err)
	}
	if penalised {
		s.optDisc.update(s.model.Discriminator.Params, s.discGrads, s.r1.grads)
	} else {
		s.optDisc.update(s.model.Discriminator.Params, s.discGrads)
	}

	// Generator step: make the updated discriminator call the fakes real.
	if err := let(s.advZ, s.z); err != nil {
		return StepStats{}, err
	}
	if err := runOnce(s.advVM); err != nil {
		return StepStats{}, s.failure("generator step", err)
	}
	s.optGen.update(s.model.Generator.Params, s.genGrads)

	st := StepStats{
		LossD: s.discLoss.Value,
		LossG: s.genLoss.Value,
		DReal: s.discLoss.MeanSigmoid[0],
		DFake: s.discLoss.MeanSigmoid[1],
	}
	if s.r1 != nil {
		st.R1 = s.r1.value / float64(s.r1.every)
	}
	if logits, ok := s.realLogits.Value().(*tensor.Dense); ok {
		for _, l := range logits.Float32s() {
			if l > 0 {
				st.RealSign++
			} else if l < 0 {
				st.RealSign--
			}
		}
		st.RealSign /= float64(s.batch)
	}
	if math.IsNaN(st.LossD) || math.IsNaN(st.LossG) || math.IsInf(st.LossD, 0) || math.IsInf(st.LossG, 0) {
		return st, ErrDiverged
	}
	return st, nil
}

// modeSeekingGrid is the side of the grid of block averages on which the
// mode-seeking term compares images: coarse enough that the colour and
// layout of a pair must differ, not their speckle.
const modeSeekingGrid = 16

// modeSeekingBlock returns the block side that turns images of side res
// into the mode-seeking grid, or 1 for images that small already.
func modeSeekingBlock(res int) int {
	if res <= modeSeekingGrid || res%modeSeekingGrid != 0 {
		return 1
	}
	return res / modeSeekingGrid
}

// pairFakeLabels gives the second half of the fake batch the first half's
// classes when the generator's loss seeks modes, so that its pairs of
// images differ only in their latents.
func (s *stepper) pairFakeLabels() {
	if s.modeSeeking > 0 {
		v := s.fakeLabels.Values
		half := len(v) / 2
		copy(v[half:2*half], v[:half])
	}
}

// penalise computes the R1 penalty's gradients when this step takes it, on
// the real batch exactly as the discriminator step just saw it, before the
// discriminator's weights change. It reports whether it did.
func (s *stepper) penalise() (bool, error) {
	if s.r1 == nil || !s.r1.due(s.optDisc.t+1) {
		return false, nil
	}
	seen, ok := s.realIn.Value().(*tensor.Dense)
	if !ok {
		return false, fmt.Errorf("the real batch is a %T", s.realIn.Value())
	}
	copy(s.r1.x.Float32s(), seen.Float32s())
	return s.r1.run()
}

// failure describes a failed graph run. A layer that refuses weights that
// are no longer finite numbers means training diverged.
func (s *stepper) failure(what string, err error) error {
	if !s.model.finite() {
		return fmt.Errorf("%w (%s: %v)", ErrDiverged, what, err)
	}
	return fmt.Errorf("engine: %s: %w", what, err)
}

// let binds v to the input node n unless it is bound to v already: the
// inputs are the same tensors every step, refilled in place, and G.Let
// allocates.
func let(n *G.Node, v G.Value) error {
	if n.Value() == v {
		return nil
	}
	return G.Let(n, v)
}

// runOnce executes a compiled graph once and readies it for the next run.
func runOnce(vm G.VM) error {
	defer vm.Reset()
	return vm.RunAll()
}

func (s *stepper) close() {
	for _, vm := range []G.VM{s.genVM, s.discVM, s.advVM} {
		if vm != nil {
			vm.Close()
		}
	}
	if s.r1 != nil {
		s.r1.close()
	}
}
