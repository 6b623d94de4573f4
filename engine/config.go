package engine

import (
	"fmt"
	"slices"
)

// Config is everything that defines a training run. It is stored in the
// run directory, so a resumed run trains exactly as it began.
type Config struct {
	// Data is the folder of training images; empty means the embedded
	// default style.
	Data string `json:"data"`
	// Resolution is the side of the generated images: 32, 64 or 128.
	Resolution int `json:"resolution"`
	// Width scales every layer's channels; 32 is the reference dcgan64.
	Width int `json:"width"`
	// Latent is the length of the latent vector; DCGAN uses 100.
	Latent int `json:"latent"`
	// Batch is the number of real (and of generated) images per step.
	Batch int `json:"batch"`
	// LearningRate, Beta1 and Beta2 configure Adam for both networks;
	// DCGAN's 2e-4, 0.5 and 0.999 are stable for plain DCGAN.
	LearningRate float64 `json:"learning_rate"`
	Beta1        float64 `json:"beta1"`
	Beta2        float64 `json:"beta2"`
	// TwoTimeScales gives the discriminator twice LearningRate and the
	// generator half (Heusel et al., 2017): a spectrally normalised
	// discriminator stepped once per generator step otherwise lags, and
	// the generator learns to ignore its latent within a class.
	TwoTimeScales bool `json:"two_time_scales"`
	// Seed fixes initial weights, data order and latents: the same seed
	// and data train to the same weights.
	Seed uint64 `json:"seed"`
	// Steps is the step budget of the whole run, across resumes; 0 trains
	// until stopped.
	Steps int `json:"steps"`
	// Seconds is a budget of training time for the whole run, across
	// resumes; 0 sets none. Runs compared at equal time use it.
	Seconds float64 `json:"seconds"`
	// LogEvery is how many steps lie between rows of metrics.csv.
	LogEvery int `json:"log_every"`
	// SampleEvery is how many steps lie between sample grids saved under
	// samples/; they make the training timeline.
	SampleEvery int `json:"sample_every"`
	// CheckpointSeconds bounds the training time a crash can lose.
	CheckpointSeconds float64 `json:"checkpoint_seconds"`
	// PreviewSeconds is how often a live sample grid is sent to the
	// listener; generating it costs a fraction of a step.
	PreviewSeconds float64 `json:"preview_seconds"`

	// Loss is the adversarial loss: "bce", the non-saturating loss of
	// DCGAN, or "hinge", which stays stable on small datasets.
	Loss string `json:"loss"`
	// EMA keeps an exponential moving average of the generator's weights;
	// it draws every sample grid, the explorer and exports, because the
	// average is smoother than the weights of any one step.
	EMA bool `json:"ema"`
	// EMABeta is the average's decay per step, and EMAWarmup the steps
	// before it starts: until then the average copies the generator.
	EMABeta   float64 `json:"ema_beta"`
	EMAWarmup int     `json:"ema_warmup"`
	// QualityEvery is how many steps lie between measurements of the
	// sliced Wasserstein distance to the training images (0: never).
	QualityEvery int `json:"quality_every"`

	// Augment passes real and generated images alike through
	// differentiable augmentation (colour, translation, cutout) before the
	// discriminator, so it cannot learn a few hundred images by heart. Its
	// strength adapts as in ADA: it rises while the discriminator's mean
	// sign on real images exceeds AugmentTarget, and falls below it. ADA's
	// 0.6 suits its own discriminator; DCGAN's, with batch norm, is sure of
	// nearly every real image from the first steps, long before it could
	// have learnt them, so at 0.6 the strength only ever rose. The default
	// 0.9 holds it near 0.02 early in a run of the built-in style.
	Augment       bool    `json:"augment"`
	AugmentTarget float64 `json:"augment_target"`
	// AugmentImages is how many images the strength takes to go from 0
	// to 1 at most, ADA's own pace. Early in training the discriminator
	// tells real from fake easily because the generator is poor, not
	// because it has learnt the images by heart; at 100k images the
	// strength reached 0.27 within 400 steps of a 20-minute run and held
	// the generator back. 0, in runs saved before the setting existed,
	// means 100k.
	AugmentImages int `json:"augment_images"`
	// SpectralNorm and MinibatchStd shape the discriminator (see Arch).
	SpectralNorm bool `json:"spectral_norm"`
	MinibatchStd bool `json:"minibatch_std"`
	// R1Gamma above 0 penalises the discriminator's gradient on real
	// images, γ/2·|∇D(x)|² (Mescheder et al., 2018), which keeps it from
	// growing steep around the few images it has. StyleGAN2 uses 10 at
	// 64 px and below. R1Every is how many steps lie between penalties,
	// each scaled by that interval; 0 or 1 means every step.
	R1Gamma float64 `json:"r1_gamma,omitempty"`
	R1Every int     `json:"r1_every,omitempty"`
	// Conditional trains a class-conditional GAN when the folder has two
	// or more subfolders of images, one class each; with fewer it does
	// nothing. It is on by default, with ModeSeeking: without that term
	// the conditional generator learned each class's typical image and
	// ignored its latent.
	Conditional bool `json:"conditional"`
	// ModeSeeking weights the mode-seeking term of Mao et al. (2019) in
	// a conditional generator's loss: each batch holds pairs of images of
	// one class from different latents, and the loss grows as a pair's
	// images draw together. It keeps the generator from ignoring its
	// latent within a class. 0 turns it off; it does nothing for an
	// unconditional model.
	ModeSeeking float64 `json:"mode_seeking,omitempty"`
}

// The adversarial losses.
const (
	LossBCE   = "bce"
	LossHinge = "hinge"
)

// DefaultConfig returns the reference DCGAN at 64×64 trained with the
// small-data recipe (see Recipe).
func DefaultConfig() Config {
	return Config{
		Resolution:        64,
		Width:             32,
		Latent:            100,
		Batch:             64,
		LearningRate:      2e-4,
		Beta1:             0.5,
		Beta2:             0.999,
		Seed:              1,
		LogEvery:          10,
		SampleEvery:       100,
		CheckpointSeconds: 120,
		PreviewSeconds:    2,
		Loss:              LossBCE,
		EMABeta:           0.999,
		EMAWarmup:         200,
		QualityEvery:      500,
		AugmentTarget:     0.9,
		AugmentImages:     500_000,
		R1Gamma:           1,
		R1Every:           16,
		ModeSeeking:       1,
		Conditional:       true,
		EMA:               true,
		Augment:           true,
	}
}

// Recipe returns c with the small-data recipe: DCGAN's loss and Adam
// settings, augmentation whose strength adapts to the discriminator (ADA),
// the R1 penalty at γ = 1 every 16 steps, and the generator's moving
// average for every image shown. In 10-minute runs of the built-in style,
// R1 at γ 0.1 and 1 learned faster than without it, and at 10 held the
// discriminator too weak to teach. The other discriminator options
// (spectral norm, minibatch standard deviation, hinge loss, two
// time-scales) stay off: in runs of the built-in style each made the
// samples worse at equal steps and equal time, spectral norm most of all
// (docs/quality.md). Classes stay as c has them.
func (c Config) Recipe() Config {
	conditional := c.Conditional
	c = c.Plain()
	c.Conditional = conditional
	c.EMA = true
	c.Augment = true
	c.R1Gamma, c.R1Every = 1, 16
	c.ModeSeeking = 1
	return c
}

// Plain returns c with every small-data addition and discriminator option
// turned off: the reference DCGAN.
func (c Config) Plain() Config {
	c.Beta1, c.Beta2 = 0.5, 0.999
	c.TwoTimeScales = false
	c.EMA = false
	c.Loss = LossBCE
	c.Augment = false
	c.SpectralNorm = false
	c.MinibatchStd = false
	c.R1Gamma = 0
	c.Conditional = false
	c.ModeSeeking = 0
	return c
}

// Validate reports the first setting a run cannot train with, in words a
// person can act on.
func (c Config) Validate() error {
	switch {
	case !slices.Contains(Resolutions, c.Resolution):
		return fmt.Errorf("engine: resolution %d is not one of %v", c.Resolution, Resolutions)
	case c.Width < 4 || c.Width > 512:
		return fmt.Errorf("engine: model width %d is outside 4..512", c.Width)
	case c.Latent < 2 || c.Latent > 4096:
		return fmt.Errorf("engine: latent size %d is outside 2..4096", c.Latent)
	case c.Batch < 2 || c.Batch > 1024:
		return fmt.Errorf("engine: batch size %d is outside 2..1024", c.Batch)
	case !(c.LearningRate > 0 && c.LearningRate < 1):
		return fmt.Errorf("engine: learning rate %g is outside (0, 1)", c.LearningRate)
	case !(c.Beta1 >= 0 && c.Beta1 < 1 && c.Beta2 >= 0 && c.Beta2 < 1):
		return fmt.Errorf("engine: Adam betas %g and %g must lie in [0, 1)", c.Beta1, c.Beta2)
	case c.Steps < 0 || c.Seconds < 0:
		return fmt.Errorf("engine: step and time budgets must not be negative")
	case c.LogEvery < 1 || c.SampleEvery < 1:
		return fmt.Errorf("engine: log and sample intervals must be at least one step")
	case !(c.CheckpointSeconds > 0) || !(c.PreviewSeconds > 0):
		return fmt.Errorf("engine: checkpoint and preview intervals must be positive")
	case c.Loss != LossBCE && c.Loss != LossHinge:
		return fmt.Errorf("engine: loss %q is neither %q nor %q", c.Loss, LossBCE, LossHinge)
	case c.EMA && !(c.EMABeta > 0 && c.EMABeta < 1):
		return fmt.Errorf("engine: EMA decay %g must lie in (0, 1)", c.EMABeta)
	case c.Augment && !(c.AugmentTarget > 0 && c.AugmentTarget < 1):
		return fmt.Errorf("engine: augmentation target %g must lie in (0, 1)", c.AugmentTarget)
	case c.MinibatchStd && c.Batch%2 != 0:
		return fmt.Errorf("engine: batch size %d must be even for the minibatch standard deviation", c.Batch)
	case c.AugmentImages < 0:
		return fmt.Errorf("engine: augmentation pace %d must not be negative", c.AugmentImages)
	case c.EMAWarmup < 0 || c.QualityEvery < 0:
		return fmt.Errorf("engine: EMA warm-up and quality interval must not be negative")
	case !(c.R1Gamma >= 0 && c.R1Gamma <= 1e4):
		return fmt.Errorf("engine: R1 penalty weight %g is outside 0..10000", c.R1Gamma)
	case c.R1Every < 0:
		return fmt.Errorf("engine: R1 interval %d must not be negative", c.R1Every)
	case !(c.ModeSeeking >= 0 && c.ModeSeeking <= 100):
		return fmt.Errorf("engine: mode-seeking weight %g is outside 0..100", c.ModeSeeking)
	}
	return nil
}

// learningRates returns the generator's and the discriminator's learning
// rates.
func (c Config) learningRates() (gen, disc float64) {
	if c.TwoTimeScales {
		return c.LearningRate / 2, c.LearningRate * 2
	}
	return c.LearningRate, c.LearningRate
}

// arch returns the model the config trains on data with the given classes.
func (c Config) arch(classes int) Arch {
	a := Arch{Resolution: c.Resolution, Width: c.Width, Latent: c.Latent,
		SpectralNorm: c.SpectralNorm, MinibatchStd: c.MinibatchStd}
	if c.Conditional && classes > 1 {
		a.Classes = classes
	}
	return a
}
