package engine

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	G "gorgonia.org/gorgonia"

	"ganvas/engine/nn"
)

// BenchModels names the reference models of the speed benchmark, shared
// with the PyTorch peer: image side and width.
var BenchModels = map[string]Arch{
	"dcgan64":      {Resolution: 64, Width: 32, Latent: 100},
	"dcgan64-wide": {Resolution: 64, Width: 64, Latent: 100},
	"dcgan32":      {Resolution: 32, Width: 32, Latent: 100},
}

// BenchResult is what Bench measured.
type BenchResult struct {
	Model        string
	Options      BenchOptions // what was trained besides the reference DCGAN
	ImagesPerSec float64      // median over rounds, at batch 64
	G1Millis     float64      // median time to generate one image
	PeakRSSMB    float64      // peak resident memory of the process

	// RoundRSSMB is the resident memory after each timed round: flat when
	// training holds a steady footprint.
	RoundRSSMB []float64

	// StepGFLOP is the arithmetic of one training step in its convolutions,
	// counted from the layer shapes (nn.MultiplyAdds, two FLOPs each).
	StepGFLOP float64
	// PeakGFLOPS is what a large matrix product reached right after the
	// timed rounds (nn.SgemmPeak), and PeakFraction the share of it the
	// training steps reached, both per second of elapsed time.
	PeakGFLOPS, PeakFraction float64
	// CoreFraction is the same share per second of processor time: how
	// well the steps used the processor time they got, which a busy
	// machine changes far less than the elapsed time.
	CoreFraction float64
}

// String formats the result as the PyTorch peer prints its own, followed
// by the resident memory after each round, the step's arithmetic and the
// share of the SGEMM peak it reached.
func (r BenchResult) String() string {
	rounds := make([]string, len(r.RoundRSSMB))
	for i, mb := range r.RoundRSSMB {
		rounds[i] = fmt.Sprintf("%.0f", mb)
	}
	model := r.Model
	if r.Options.Recipe {
		model += "+recipe"
	}
	if r.Options.SpectralNorm {
		model += "+spectral"
	}
	if r.Options.R1Every > 0 {
		model += fmt.Sprintf("+r1/%d", r.Options.R1Every)
	}
	return fmt.Sprintf("peer=ganvas model=%s img_per_s=%.1f g1_ms=%.2f peak_rss_mb=%.0f "+
		"rss_mb_by_round=%s step_gflop=%.2f sgemm_peak_gflops=%.1f peak_fraction=%.2f "+
		"core_fraction=%.2f",
		model, r.ImagesPerSec, r.G1Millis, r.PeakRSSMB, strings.Join(rounds, ","),
		r.StepGFLOP, r.PeakGFLOPS, r.PeakFraction, r.CoreFraction)
}

// BenchOptions says what Bench trains besides the reference DCGAN.
type BenchOptions struct {
	// Recipe trains as Config.Recipe does: augmentation at full strength
	// (the most ADA ever applies), the R1 penalty at the recipe's γ and
	// interval, and the generator's moving average updated every step.
	Recipe bool
	// SpectralNorm normalises the discriminator's weights, as
	// train -spectral-norm does.
	SpectralNorm bool
	// R1Every above 0 takes the R1 penalty every that many steps, as
	// train -r1 does with -r1-every; with Recipe it replaces the recipe's
	// interval.
	R1Every int
}

// Bench trains the named reference model on random images for rounds of
// steps at batch 64, after a warm-up, and times a one-image generator pass,
// as the peer does. Without options it trains plain DCGAN, the peer's model.
func Bench(model string, steps, rounds int, o BenchOptions) (BenchResult, error) {
	arch, ok := BenchModels[model]
	if !ok {
		return BenchResult{}, fmt.Errorf("engine: no benchmark model %q (have dcgan64, dcgan64-wide, dcgan32)", model)
	}
	const batch = 64
	cfg := DefaultConfig().Plain()
	if o.Recipe {
		cfg = cfg.Recipe()
	}
	arch.SpectralNorm = o.SpectralNorm
	rng := rand.New(rand.NewPCG(0, 0))
	m, err := NewModel(arch, rng)
	if err != nil {
		return BenchResult{}, err
	}
	gen, disc := cfg.learningRates()
	opt := stepOptions{adam: adamConfig{gen, cfg.Beta1, cfg.Beta2},
		disc: adamConfig{disc, cfg.Beta1, cfg.Beta2}, loss: cfg.Loss}
	if o.Recipe || o.R1Every > 0 {
		// γ scales the penalty, not its cost.
		recipe := cfg.Recipe()
		opt.r1 = r1Options{gamma: recipe.R1Gamma, every: recipe.R1Every}
		if o.R1Every > 0 {
			opt.r1.every = o.R1Every
		}
	}
	var ema *average
	if o.Recipe {
		policy := nn.DiffAugment
		opt.augment = &policy
		ema = newAverage(m, cfg.EMABeta, 0)
	}
	s, err := newStepper(m, batch, opt)
	if err != nil {
		return BenchResult{}, err
	}
	defer s.close()
	real, z := s.real.Float32s(), s.z.Float32s()
	for i := range real {
		real[i] = float32(rng.Float64()*2 - 1)
	}
	done := 0
	step := func() error {
		for i := range z {
			z[i] = float32(rng.NormFloat64())
		}
		if _, err := s.step(); err != nil {
			return err
		}
		done++
		if ema != nil {
			ema.update(&m.Generator, done)
		}
		return nil
	}
	for range 3 {
		if err := step(); err != nil {
			return BenchResult{}, err
		}
	}
	var rates, resident []float64
	cpu := nn.ProcessorSeconds()
	for range rounds {
		start := time.Now()
		for range steps {
			if err := step(); err != nil {
				return BenchResult{}, err
			}
		}
		rates = append(rates, float64(batch*steps)/time.Since(start).Seconds())
		resident = append(resident, rssMB())
	}
	cpu = nn.ProcessorSeconds() - cpu
	var macs float64
	for _, g := range []*G.ExprGraph{s.genGraph, s.discGraph, s.advGraph} {
		macs += nn.MultiplyAdds(g)
	}
	stepGFLOP := 2 * macs / 1e9
	peak, peakPerCPU := nn.SgemmPeak(5)

	// One image, as a latent slider needs it.
	p, err := m.newInference(1)
	if err != nil {
		return BenchResult{}, err
	}
	defer p.close()
	for i, latent := 0, p.z.Float32s(); i < len(latent); i++ {
		latent[i] = float32(rng.NormFloat64())
	}
	var millis []float64
	for i := range 210 {
		start := time.Now()
		if _, err := p.run(); err != nil {
			return BenchResult{}, err
		}
		if i >= 10 {
			millis = append(millis, float64(time.Since(start).Microseconds())/1e3)
		}
	}
	r := BenchResult{Model: model, Options: o, ImagesPerSec: median(rates), G1Millis: median(millis),
		PeakRSSMB: peakRSSMB(), RoundRSSMB: resident, StepGFLOP: stepGFLOP, PeakGFLOPS: peak}
	r.PeakFraction = r.ImagesPerSec / batch * stepGFLOP / peak
	r.CoreFraction = float64(rounds*steps) * stepGFLOP / cpu / peakPerCPU
	return r, nil
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// peakRSSMB returns the process's peak resident memory in MB (Linux
// reports kilobytes).
func peakRSSMB() float64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return float64(u.Maxrss) / 1024
}

// rssMB returns the process's resident memory now, in MB, or 0 where
// /proc does not say.
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.Atoi(f[1])
	if err != nil {
		return 0
	}
	return float64(pages*os.Getpagesize()) / (1 << 20)
}
