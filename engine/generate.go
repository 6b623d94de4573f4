package engine

import (
	"fmt"
	"image"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// inference runs the generator with running batch statistics on a fixed
// batch size, for sample grids, the explorer and exports.
type inference struct {
	batch  int
	z      *tensor.Dense
	zNode  *G.Node
	images *G.Node
	first  *G.Node // the first layer's activations, for latent directions
	vm     G.VM
}

func (m *Model) newInference(batch int) (*inference, error) {
	a := m.Arch
	p := &inference{batch: batch}
	g := G.NewGraph()
	p.z = tensor.New(tensor.WithShape(batch, 1, 1, a.Latent), tensor.Of(tensor.Float32))
	p.zNode = latentNode(g, batch, a.Latent, "z")
	var err error
	var l *layers
	if p.images, _, l, err = m.generator(p.zNode, false, false, nil); err != nil {
		return nil, fmt.Errorf("engine: build generator: %w", err)
	}
	p.first = l.built[1]
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
