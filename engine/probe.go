package engine

import (
	"math/rand/v2"

	"ganvas/engine/dataset"
	"ganvas/engine/quality"
)

// qualityCount is how many real and generated images a training-time
// quality measurement compares.
const qualityCount = 256

// qualityProbe measures, during training, the sliced Wasserstein distance
// between a fixed sample of the training images and images generated from a
// fixed set of latents, so successive figures are comparable.
type qualityProbe struct {
	real    *quality.Reference
	gen     *Generator
	z       [][]float32
	classes []int // of the real sample, so the generated mix matches; nil if unconditional
}

func newQualityProbe(m *Model, data *dataset.Dataset, seed uint64) (*qualityProbe, error) {
	res := m.Arch.Resolution
	rng := rand.New(rand.NewPCG(seed, 4))
	n := min(qualityCount, data.Len())
	real := make([]float32, n*res*res*3)
	picked := rng.Perm(data.Len())[:n]
	data.Fill(real, picked)
	// The real side's descriptors are computed once for the whole run.
	ref, err := quality.NewReferenceFloat(real, res, 3, quality.Quick())
	if err != nil {
		return nil, err
	}
	p := &qualityProbe{real: ref, gen: &Generator{model: m, passes: map[int]*inference{}}}
	if m.Arch.conditional() {
		for i := range qualityCount {
			p.classes = append(p.classes, data.Label(picked[i%n]))
		}
	}
	for range qualityCount {
		z := make([]float32, m.Arch.Latent)
		for j := range z {
			z[j] = float32(rng.NormFloat64())
		}
		p.z = append(p.z, z)
	}
	return p, nil
}

// measure returns the distance ×1e3 with the Quick settings, averaged over
// the pyramid levels.
func (p *qualityProbe) measure() (float64, error) {
	fake, err := p.gen.generateFloats(p.z, p.classes)
	if err != nil {
		return 0, err
	}
	r, err := p.real.SWDFloat(fake)
	if err != nil {
		return 0, err
	}
	return r.Mean, nil
}

func (p *qualityProbe) close() { p.gen.Close() }
