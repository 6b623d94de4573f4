package engine

import (
	"fmt"
	"image"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"ganvas/engine/nn"
	"ganvas/engine/run"
)

// inference runs the generator with running batch statistics on a fixed
// batch size, for sample grids, the explorer and exports.
type inference struct {
	batch  int
	z      *tensor.Dense
	labels *nn.Labels // classes of a conditional generator, 0 unless set
	zNode  *G.Node
	images *G.Node
	first  *G.Node // the first layer's activations, for latent directions
	vm     G.VM
}

func (m *Model) newInference(batch int) (*inference, error) {
	a := m.Arch
	p := &inference{batch: batch, labels: &nn.Labels{Values: make([]int, batch)}}
	g := G.NewGraph()
	p.z = tensor.New(tensor.WithShape(batch, 1, 1, a.Latent), tensor.Of(tensor.Float32))
	p.zNode = latentNode(g, batch, a.Latent, "z")
	var err error
	var l *layers
	if p.images, _, l, err = m.generator(p.zNode, p.labels, false, false, nil); err != nil {
		return nil, fmt.Errorf("engine: build generator: %w", err)
	}
	// The first block's activations, after its batch norm and ReLU.
	p.first = l.built[1]
	if m.Arch.conditional() {
		p.first = l.built[3]
	}
	p.vm = G.NewTapeMachine(g)
	return p, nil
}

// run generates from the latents in p.z and returns the images as NHWC
// values in [-1, 1], valid until the next run.
func (p *inference) run() ([]float32, error) {
	if err := G.Let(p.zNode, p.z); err != nil {
		return nil, err
	}
	if err := runOnce(p.vm); err != nil {
		return nil, fmt.Errorf("engine: generate: %w", err)
	}
	return p.images.Value().Data().([]float32), nil
}

func (p *inference) close() { p.vm.Close() }

// toImages converts n NHWC images with values in [-1, 1] to RGBA images.
func toImages(x []float32, n, res int) []image.Image {
	imgs := make([]image.Image, n)
	for i := range imgs {
		img := image.NewRGBA(image.Rect(0, 0, res, res))
		src := x[i*res*res*3 : (i+1)*res*res*3]
		for j := 0; j < res*res; j++ {
			img.Pix[4*j+0] = toByte(src[3*j+0])
			img.Pix[4*j+1] = toByte(src[3*j+1])
			img.Pix[4*j+2] = toByte(src[3*j+2])
			img.Pix[4*j+3] = 0xff
		}
		imgs[i] = img
	}
	return imgs
}

func toByte(v float32) uint8 {
	f := (v + 1) * 127.5
	switch {
	case !(f > 0): // also NaN
		return 0
	case f >= 255:
		return 255
	}
	return uint8(f + 0.5)
}

// Generator makes images with the generator of a saved run. It is not safe
// for concurrent use; give each goroutine its own.
type Generator struct {
	model   *Model
	step    int
	classes []string
	passes  map[int]*inference // by batch size
	pending []int              // classes of the batch being generated
}

// LoadGenerator loads the generator of the newest good checkpoint of the run
// at path, and says in warning when it had to fall back to an older one.
func LoadGenerator(path string) (g *Generator, warning string, err error) {
	dir, err := run.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("engine: %w", err)
	}
	c, warning, err := dir.LatestCheckpoint()
	if err != nil {
		return nil, "", fmt.Errorf("engine: %w", err)
	}
	m, err := modelFromCheckpoint(c)
	if err != nil {
		return nil, "", fmt.Errorf("engine: load %s: %w", path, err)
	}
	return &Generator{model: m, step: c.Step, classes: checkpointClasses(c),
		passes: map[int]*inference{}}, warning, nil
}

// LoadGeneratorAt loads the generator of the checkpoint of exactly step,
// from the run's newest checkpoints or those kept by run.KeepCheckpoint; it
// returns an error wrapping run.ErrStepGone when none survives.
func LoadGeneratorAt(path string, step int) (*Generator, error) {
	dir, err := run.Open(path)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	c, err := dir.CheckpointAt(step)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	m, err := modelFromCheckpoint(c)
	if err != nil {
		return nil, fmt.Errorf("engine: load %s step %d: %w", path, step, err)
	}
	return &Generator{model: m, step: c.Step, classes: checkpointClasses(c),
		passes: map[int]*inference{}}, nil
}

// Arch describes the generator's model.
func (g *Generator) Arch() Arch { return g.model.Arch }

// Step is the training step of the checkpoint the generator came from.
func (g *Generator) Step() int { return g.step }

// Generate returns one image per latent vector; each must have Arch().Latent
// values. The same latent always gives the same pixels. A conditional
// generator draws class 0; GenerateClasses chooses.
func (g *Generator) Generate(z [][]float32) ([]image.Image, error) {
	return g.GenerateClasses(z, nil)
}

// Classes returns the names of the classes a conditional generator draws,
// in the order of their indices; nil for an unconditional one.
func (g *Generator) Classes() []string { return g.classes }

// GenerateClasses is Generate with the class of each image; classes may be
// nil for all class 0, and is ignored by an unconditional generator.
func (g *Generator) GenerateClasses(z [][]float32, classes []int) ([]image.Image, error) {
	if err := g.setClasses(classes, len(z)); err != nil {
		return nil, err
	}
	var imgs []image.Image
	err := g.forEachBatch(z, func(p *inference, n int) error {
		x, err := p.run()
		if err != nil {
			return err
		}
		imgs = append(imgs, toImages(x, n, g.model.Arch.Resolution)...)
		return nil
	})
	return imgs, err
}

// generateFloats is GenerateClasses returning NHWC values in [-1, 1].
func (g *Generator) generateFloats(z [][]float32, classes []int) ([]float32, error) {
	if err := g.setClasses(classes, len(z)); err != nil {
		return nil, err
	}
	var out []float32
	err := g.forEachBatch(z, func(p *inference, n int) error {
		x, err := p.run()
		if err != nil {
			return err
		}
		size := len(x) / p.batch
		out = append(out, x[:n*size]...)
		return nil
	})
	return out, err
}

// Activations returns, for each latent vector, the generator's first-layer
// activations flattened: the space whose principal directions make
// meaningful latent sliders.
func (g *Generator) Activations(z [][]float32) ([][]float32, error) {
	var rows [][]float32
	err := g.forEachBatch(z, func(p *inference, n int) error {
		if _, err := p.run(); err != nil {
			return err
		}
		a := p.first.Value().Data().([]float32)
		width := len(a) / p.batch
		for i := range n {
			rows = append(rows, slices.Clone(a[i*width:(i+1)*width]))
		}
		return nil
	})
	return rows, err
}

// setClasses checks and records the classes of the next batch run.
func (g *Generator) setClasses(classes []int, n int) error {
	g.pending = classes
	if classes == nil {
		return nil
	}
	if len(classes) != n {
		return fmt.Errorf("engine: %d classes for %d latents", len(classes), n)
	}
	for _, c := range classes {
		if c < 0 || c >= max(g.model.Arch.Classes, 1) {
			return fmt.Errorf("engine: class %d is not one of the generator's %d", c, max(g.model.Arch.Classes, 1))
		}
	}
	return nil
}

// forEachBatch runs fn over z in batches of up to previewCount latents,
// each copied into the pass's input with its class.
func (g *Generator) forEachBatch(z [][]float32, fn func(p *inference, n int) error) error {
	latent := g.model.Arch.Latent
	defer func() { g.pending = nil }()
	for lo := 0; lo < len(z); lo += previewCount {
		n := min(previewCount, len(z)-lo)
		p, err := g.pass(n)
		if err != nil {
			return err
		}
		for i := range p.labels.Values {
			p.labels.Values[i] = 0
			if g.pending != nil {
				p.labels.Values[i] = g.pending[lo+i]
			}
		}
		dst := p.z.Data().([]float32)
		for i, v := range z[lo : lo+n] {
			if len(v) != latent {
				return fmt.Errorf("engine: latent %d has %d values, the generator takes %d", lo+i, len(v), latent)
			}
			copy(dst[i*latent:], v)
		}
		if err := fn(p, n); err != nil {
			return err
		}
	}
	return nil
}

func (g *Generator) pass(n int) (*inference, error) {
	if p, ok := g.passes[n]; ok {
		return p, nil
	}
	p, err := g.model.newInference(n)
	if err != nil {
		return nil, err
	}
	g.passes[n] = p
	return p, nil
}

// Close releases the generator's compiled graphs.
func (g *Generator) Close() {
	for _, p := range g.passes {
		p.close()
	}
}
