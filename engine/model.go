package engine

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"ganvas/engine/nn"
)

// Arch describes a DCGAN generator and discriminator pair.
type Arch struct {
	Resolution int // side of the square RGB images: 32, 64 or 128
	Width      int // channels of the generator's last hidden layer and the discriminator's first
	Latent     int // length of the latent vector z
}

// Resolutions lists the image sides the models support.
var Resolutions = []int{32, 64, 128}

// multipliers returns the channel multiples of the generator's hidden layers,
// widest first; the discriminator uses them in reverse.
func (a Arch) multipliers() ([]int, error) {
	switch a.Resolution {
	case 32:
		return []int{4, 2, 1}, nil
	case 64:
		return []int{8, 4, 2, 1}, nil
	case 128:
		return []int{16, 8, 4, 2, 1}, nil
	}
	return nil, fmt.Errorf("engine: resolution %d is not one of %v", a.Resolution, Resolutions)
}

// Param is a named trainable tensor. Every graph that uses it binds the same
// tensor, so an in-place update is seen by all of them.
type Param struct {
	Name  string
	Value *tensor.Dense
}

// Norm is a named batch-norm layer's running statistics.
type Norm struct {
	Name  string
	Stats *nn.BatchStats
}

// Network is the state of one of the two networks.
type Network struct {
	Params []Param
	Norms  []Norm
}

// Model holds the weights of a generator and a discriminator.
type Model struct {
	Arch          Arch
	Generator     Network
	Discriminator Network
}

// NewModel returns a model with DCGAN's initialisation: convolution weights
// drawn from N(0, 0.02), batch-norm scales from N(1, 0.02), shifts zero. A
// nil rng gives a fixed initialisation, for models about to be loaded.
func NewModel(a Arch, rng *rand.Rand) (*Model, error) {
	if rng == nil {
		rng = rand.New(rand.NewPCG(0, 0))
	}
	mults, err := a.multipliers()
	if err != nil {
		return nil, err
	}
	if a.Width < 1 || a.Latent < 1 {
		return nil, fmt.Errorf("engine: width %d and latent size %d must be positive", a.Width, a.Latent)
	}
	m := &Model{Arch: a}
	normal := func(mean float64, shape ...int) *tensor.Dense {
		t := tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32))
		for i := range t.Data().([]float32) {
			t.Data().([]float32)[i] = float32(mean + 0.02*rng.NormFloat64())
		}
		return t
	}
	addNorm := func(n *Network, name string, c int) {
		n.Params = append(n.Params,
			Param{name + ".gamma", normal(1, c)},
			Param{name + ".beta", tensor.New(tensor.WithShape(c), tensor.Of(tensor.Float32))})
		n.Norms = append(n.Norms, Norm{name, nn.NewBatchStats(c)})
	}

	// Generator: z → 4×4 → … → resolution, doubling each layer.
	gen := &m.Generator
	cin := a.Latent
	for i, mult := range mults {
		c := a.Width * mult
		gen.Params = append(gen.Params, Param{fmt.Sprintf("%d.weight", i), normal(0, cin, 16*c)})
		addNorm(gen, fmt.Sprintf("%d.norm", i), c)
		cin = c
	}
	gen.Params = append(gen.Params, Param{fmt.Sprintf("%d.weight", len(mults)), normal(0, cin, 16*3)})

	// Discriminator: resolution → … → 4×4 → one logit, halving each layer.
	disc := &m.Discriminator
	cin = 3
	for i := range mults {
		c := a.Width * mults[len(mults)-1-i]
		disc.Params = append(disc.Params, Param{fmt.Sprintf("%d.weight", i), normal(0, 16*cin, c)})
		if i > 0 {
			addNorm(disc, fmt.Sprintf("%d.norm", i), c)
		}
		cin = c
	}
	disc.Params = append(disc.Params, Param{fmt.Sprintf("%d.weight", len(mults)), normal(0, 16*cin, 1)})
	return m, nil
}

// bind adds a node for every parameter of n to graph g, bound to the
// parameter's tensor.
func (n *Network) bind(g *G.ExprGraph, prefix string) []*G.Node {
	nodes := make([]*G.Node, len(n.Params))
	for i, p := range n.Params {
		nodes[i] = G.NewTensor(g, tensor.Float32, p.Value.Dims(), G.WithShape(p.Value.Shape()...),
			G.WithValue(p.Value), G.WithName(fmt.Sprintf("%s/%s#%d", prefix, p.Name, i)))
	}
	return nodes
}

// layers builds a network in a graph one layer at a time. When replay is
// set, each layer replays the matching layer of an earlier build instead of
// computing it again (see nn.Replay).
type layers struct {
	built  []*G.Node
	replay []*G.Node
	err    error
}

func (l *layers) add(need []bool, build func() (*G.Node, error), inputs ...*G.Node) *G.Node {
	if l.err != nil {
		return nil
	}
	var n *G.Node
	if i := len(l.built); l.replay != nil {
		n, l.err = nn.Replay(l.replay[i], need, inputs...)
	} else {
		n, l.err = build()
	}
	l.built = append(l.built, n)
	return n
}

// generator adds the generator to z's graph and returns its images, its
// parameter nodes and its layers. training selects batch statistics over
// running ones; needW says whether the weights receive gradients; replay,
// when set, holds the layers of an earlier build to replay.
func (m *Model) generator(z *G.Node, training, needW bool, replay []*G.Node) (*G.Node, []*G.Node, *layers, error) {
	p := m.Generator.bind(z.Graph(), "G")
	mults, _ := m.Arch.multipliers()
	l := &layers{replay: replay}
	x, pi, ni := z, 0, 0
	for i := range mults {
		stride, pad := 2, 1
		if i == 0 {
			stride, pad = 1, 0
		}
		needX := i > 0
		in, w := x, p[pi]
		x = l.add([]bool{needX, needW}, func() (*G.Node, error) {
			return nn.Deconv(in, w, 4, stride, pad, nn.Linear, needX, needW)
		}, in, w)
		in, gamma, beta, stats := x, p[pi+1], p[pi+2], m.Generator.Norms[ni].Stats
		x = l.add([]bool{true, needW, needW}, func() (*G.Node, error) {
			return nn.BatchNorm(in, gamma, beta, stats, nn.ReLU, training, true)
		}, in, gamma, beta)
		pi, ni = pi+3, ni+1
	}
	in, w := x, p[pi]
	x = l.add([]bool{true, needW}, func() (*G.Node, error) {
		return nn.Deconv(in, w, 4, 2, 1, nn.Tanh, true, needW)
	}, in, w)
	return x, p, l, l.err
}

// discriminator adds the discriminator to x's graph and returns its logits
// and parameter nodes. needX says whether x receives a gradient, needW
// whether the weights do.
func (m *Model) discriminator(x *G.Node, needX, needW bool) (*G.Node, []*G.Node, error) {
	p := m.Discriminator.bind(x.Graph(), "D")
	mults, _ := m.Arch.multipliers()
	pi, ni := 0, 0
	var err error
	for i := range mults {
		if i == 0 {
			x, err = nn.Conv(x, p[0], 4, 2, 1, nn.LeakyReLU, needX, needW)
			pi++
		} else {
			if x, err = nn.Conv(x, p[pi], 4, 2, 1, nn.Linear, true, needW); err != nil {
				return nil, nil, err
			}
			stats := m.Discriminator.Norms[ni].Stats
			x, err = nn.BatchNorm(x, p[pi+1], p[pi+2], stats, nn.LeakyReLU, true, true)
			pi, ni = pi+3, ni+1
		}
		if err != nil {
			return nil, nil, err
		}
	}
	logits, err := nn.Conv(x, p[pi], 4, 1, 0, nn.Linear, true, needW)
	return logits, p, err
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
