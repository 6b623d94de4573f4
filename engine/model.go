package engine

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"ganvas/engine/nn"
)

// Arch describes a DCGAN-family generator and discriminator pair. The zero
// values of the last three fields give the reference DCGAN.
type Arch struct {
	Resolution int `json:"resolution"` // side of the square RGB images: 32, 64 or 128
	Width      int `json:"width"`      // channels of the generator's last hidden layer and the discriminator's first
	Latent     int `json:"latent"`     // length of the latent vector z

	// Classes above 1 make a conditional GAN: the generator takes a class
	// embedding beside z, and the discriminator adds a projection of its
	// features onto the class (Miyato and Koyama, 2018).
	Classes int `json:"classes,omitempty"`
	// SpectralNorm normalises every discriminator weight by its largest
	// singular value (Miyato et al., 2018) in place of batch norm.
	SpectralNorm bool `json:"spectral_norm,omitempty"`
	// MinibatchStd lets the discriminator see each group's spread before
	// its last layer (Karras et al., 2018), so a collapsed batch shows.
	MinibatchStd bool `json:"minibatch_std,omitempty"`
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

// conditional reports whether the networks take a class.
func (a Arch) conditional() bool { return a.Classes > 1 }

// embedding is the length of the generator's class embedding.
func (a Arch) embedding() int { return max(a.Latent/2, 8) }

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

// Spectral is a named weight's power-iteration state for spectral norm.
type Spectral struct {
	Name  string
	State *nn.SpectralState
}

// Network is the state of one of the two networks.
type Network struct {
	Params   []Param
	Norms    []Norm
	Spectral []Spectral
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
	normal := func(mean, std float64, shape ...int) *tensor.Dense {
		t := tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32))
		for i := range t.Data().([]float32) {
			t.Data().([]float32)[i] = float32(mean + std*rng.NormFloat64())
		}
		return t
	}
	addNorm := func(n *Network, name string, c int) {
		n.Params = append(n.Params,
			Param{name + ".gamma", normal(1, 0.02, c)},
			Param{name + ".beta", tensor.New(tensor.WithShape(c), tensor.Of(tensor.Float32))})
		n.Norms = append(n.Norms, Norm{name, nn.NewBatchStats(c)})
	}

	// Generator: z (and a class embedding) → 4×4 → … → resolution.
	gen := &m.Generator
	cin := a.Latent
	if a.conditional() {
		cin += a.embedding()
	}
	for i, mult := range mults {
		c := a.Width * mult
		gen.Params = append(gen.Params, Param{fmt.Sprintf("%d.weight", i), normal(0, 0.02, cin, 16*c)})
		addNorm(gen, fmt.Sprintf("%d.norm", i), c)
		cin = c
	}
	gen.Params = append(gen.Params, Param{fmt.Sprintf("%d.weight", len(mults)), normal(0, 0.02, cin, 16*3)})
	if a.conditional() {
		gen.Params = append(gen.Params, Param{"embed", normal(0, 1, a.Classes, a.embedding())})
	}

	// Discriminator: resolution → … → 4×4 → one logit.
	disc := &m.Discriminator
	addWeight := func(name string, rows, cols int) {
		disc.Params = append(disc.Params, Param{name, normal(0, 0.02, rows, cols)})
		if a.SpectralNorm {
			disc.Spectral = append(disc.Spectral, Spectral{name, nn.NewSpectralState(cols, rng)})
		}
	}
	cin = 3
	for i := range mults {
		c := a.Width * mults[len(mults)-1-i]
		addWeight(fmt.Sprintf("%d.weight", i), 16*cin, c)
		if i > 0 && !a.SpectralNorm {
			addNorm(disc, fmt.Sprintf("%d.norm", i), c)
		}
		cin = c
	}
	features := cin
	if a.MinibatchStd {
		cin++
	}
	addWeight(fmt.Sprintf("%d.weight", len(mults)), 16*cin, 1)
	if a.conditional() {
		disc.Params = append(disc.Params, Param{"projection", normal(0, 0.02, a.Classes, features)})
	}
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
// running ones; needW says whether the weights receive gradients; labels
// are the classes of a conditional generator; replay, when set, holds the
// layers of an earlier build to replay.
func (m *Model) generator(z *G.Node, labels *nn.Labels, training, needW bool,
	replay []*G.Node) (*G.Node, []*G.Node, *layers, error) {
	p := m.Generator.bind(z.Graph(), "G")
	mults, _ := m.Arch.multipliers()
	l := &layers{replay: replay}
	x, pi, ni := z, 0, 0
	if m.Arch.conditional() {
		table := p[len(p)-1]
		emb := l.add([]bool{needW}, func() (*G.Node, error) {
			return nn.ClassEmbed(labels, table)
		}, table)
		in := x
		x = l.add([]bool{false, needW}, func() (*G.Node, error) {
			return nn.Concat(in, emb)
		}, in, emb)
	}
	for i := range mults {
		stride, pad := 2, 1
		if i == 0 {
			stride, pad = 1, 0
		}
		needX := i > 0 || m.Arch.conditional() && needW
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

// discriminatorWeights binds the discriminator's parameters in graph g and
// returns them with the weights the layers use: the parameters themselves,
// or their spectral normalisations, built once per graph so that every pass
// in the graph shares one power iteration.
type discriminatorWeights struct {
	params  []*G.Node // in the order of Network.Params
	weights []*G.Node // the convolution weights as the layers use them
}

func (m *Model) discriminatorWeights(g *G.ExprGraph, training bool) (*discriminatorWeights, error) {
	w := &discriminatorWeights{params: m.Discriminator.bind(g, "D")}
	si := 0
	for i, p := range m.Discriminator.Params {
		if !isWeight(p.Name) {
			continue
		}
		n := w.params[i]
		if m.Arch.SpectralNorm {
			var err error
			if n, err = nn.SpectralNorm(n, m.Discriminator.Spectral[si].State, training); err != nil {
				return nil, err
			}
			si++
		}
		w.weights = append(w.weights, n)
	}
	return w, nil
}

func isWeight(name string) bool {
	return len(name) > 7 && name[len(name)-7:] == ".weight"
}

// maskLog ties discriminator passes to the activation masks of another:
// a recording log keeps the pass's LeakyReLU layers in order, and a
// following log makes each layer of a later pass follow its match (see
// nn.FollowMasks). A nil log does neither.
type maskLog struct {
	following bool
	layers    []*G.Node
	next      int // the layer the following pass matches next
}

func (l *maskLog) add(layer *G.Node) error {
	switch {
	case l == nil:
		return nil
	case !l.following:
		l.layers = append(l.layers, layer)
		return nil
	case l.next >= len(l.layers):
		return fmt.Errorf("engine: a pass has more layers to follow than the %d recorded", len(l.layers))
	}
	l.next++
	return nn.FollowMasks(layer, l.layers[l.next-1])
}

// discriminator adds a discriminator pass over x to x's graph with the
// given weights and returns its logits. needX says whether x receives a
// gradient, needW whether the weights do; labels are the classes of a
// conditional discriminator; masks, when not nil, records or follows the
// pass's activation masks.
func (m *Model) discriminator(x *G.Node, w *discriminatorWeights, labels *nn.Labels,
	needX, needW bool, masks *maskLog) (*G.Node, error) {
	a := m.Arch
	mults, _ := a.multipliers()
	param := func(name string) *G.Node {
		for i, p := range m.Discriminator.Params {
			if p.Name == name {
				return w.params[i]
			}
		}
		panic("engine: discriminator has no parameter " + name)
	}
	var err error
	ni := 0
	for i := range mults {
		act, norm := nn.LeakyReLU, i > 0 && !a.SpectralNorm
		if norm {
			act = nn.Linear
		}
		if x, err = nn.Conv(x, w.weights[i], 4, 2, 1, act, needX || i > 0, needW); err != nil {
			return nil, err
		}
		if !norm {
			if err = masks.add(x); err != nil {
				return nil, err
			}
		}
		if norm {
			name := fmt.Sprintf("%d.norm", i)
			stats := m.Discriminator.Norms[ni].Stats
			x, err = nn.BatchNorm(x, param(name+".gamma"), param(name+".beta"), stats, nn.LeakyReLU, true, true)
			if err == nil {
				err = masks.add(x)
			}
			if err != nil {
				return nil, err
			}
			ni++
		}
	}
	features := x
	if a.MinibatchStd {
		if x, err = nn.MinibatchStdDev(x, groupSize(x.Shape()[0])); err != nil {
			return nil, err
		}
	}
	logits, err := nn.Conv(x, w.weights[len(mults)], 4, 1, 0, nn.Linear, true, needW)
	if err != nil || !a.conditional() {
		return logits, err
	}
	pooled, err := nn.GlobalSum(features)
	if err != nil {
		return nil, err
	}
	projected, err := nn.Projection(pooled, labels, param("projection"))
	if err != nil {
		return nil, err
	}
	return nn.Add(logits, projected)
}

// finite reports whether every weight of both networks is a finite number.
func (m *Model) finite() bool {
	for _, n := range []*Network{&m.Generator, &m.Discriminator} {
		for _, p := range n.Params {
			for _, v := range p.Value.Float32s() {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					return false
				}
			}
		}
	}
	return true
}

// groupSize is the minibatch standard deviation's group for a batch: four
// images where the batch divides, else two.
func groupSize(batch int) int {
	if batch%4 == 0 {
		return 4
	}
	return 2
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
