package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"ganvas/engine/dataset"
	"ganvas/engine/latent"
	"ganvas/engine/nn"
	"ganvas/engine/run"
)

// previewCount is how many images the sample grid shows.
const previewCount = GridImages

// GridImages and GridColumns describe the sample grid a run draws: 64
// images, 8 to a row.
const (
	GridImages  = 64
	GridColumns = 8
)

// GridLatents returns the fixed latents and classes the sample grid of a
// run trained with seed draws, image by image along the rows: the same for
// every grid of the run, so that it shows one set of images change. A
// conditional grid shows one row per class, repeating; classes below 2
// means an unconditional model, and every class is 0.
func GridLatents(seed uint64, latentSize, classes int) ([][]float32, []int) {
	rng := rand.New(rand.NewPCG(seed, 3))
	zs := make([][]float32, GridImages)
	labels := make([]int, GridImages)
	for i := range zs {
		zs[i] = latent.Normal(rng, latentSize)
		labels[i] = (i / GridColumns) % max(classes, 1)
	}
	return zs, labels
}

// Trainer trains one run. Create it with NewTrainer, call Run in a goroutine
// of its own, and drain Messages until it is closed. Pause, Resume and
// SaveNow may be called from any goroutine at any time.
//
// Shutdown: cancelling Run's context stops training after the current step;
// Run then saves a checkpoint, sends Done, and closes Messages once the
// listener has taken every pending message.
type Trainer struct {
	cfg Config
	dir *run.Dir
	out *outbox

	paused   atomic.Bool
	wake     chan struct{}
	saves    chan chan error // SaveNow's requests
	started  chan struct{}   // closed when the training loop begins
	finished chan struct{}   // closed when Run returns

	beforeStep func(*session) // tests inject faults here
}

// NewTrainer prepares the run at path: it creates a new run with cfg, or
// opens an existing one, which keeps the config it was started with except
// for the budgets and the checkpoint interval, taken from cfg.Steps,
// cfg.Seconds and cfg.CheckpointSeconds.
func NewTrainer(path string, cfg Config) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var dir *run.Dir
	var err error
	if run.IsRun(path) {
		if dir, err = run.Open(path); err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
		var stored Config
		if err := dir.LoadConfig(&stored); err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
		stored.Steps, stored.Seconds = cfg.Steps, cfg.Seconds
		stored.CheckpointSeconds = cfg.CheckpointSeconds
		if err := stored.Validate(); err != nil {
			return nil, fmt.Errorf("engine: the run's config.json: %w", err)
		}
		if err := dir.SaveConfig(stored); err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
		cfg = stored
	} else if dir, err = run.Create(path, cfg); err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	return &Trainer{
		cfg:      cfg,
		dir:      dir,
		out:      &outbox{in: make(chan Message), out: make(chan Message)},
		wake:     make(chan struct{}, 1),
		saves:    make(chan chan error),
		started:  make(chan struct{}),
		finished: make(chan struct{}),
	}, nil
}

// Config returns the run's config.
func (t *Trainer) Config() Config { return t.cfg }

// Dir returns the run directory.
func (t *Trainer) Dir() string { return t.dir.Path }

// Messages returns the channel of everything the trainer reports. It is
// closed after Done.
func (t *Trainer) Messages() <-chan Message { return t.out.out }

// Pause holds training after the current step until Resume.
func (t *Trainer) Pause() { t.paused.Store(true); t.poke() }

// Resume continues paused training.
func (t *Trainer) Resume() { t.paused.Store(false); t.poke() }

// ErrNotTraining reports a request to a trainer whose Run has returned.
var ErrNotTraining = errors.New("engine: training has stopped")

// ErrNotStarted reports a request to save before training has begun, while
// the images load and the model is built: nothing has been trained to save.
var ErrNotStarted = errors.New("engine: training has not begun yet, so there is nothing to save")

// SaveNow saves a checkpoint after the current step and returns once it is
// on disk, or why it could not be written. It returns ErrNotStarted at once
// while training has not begun, ErrNotTraining once Run has returned, and
// ctx's error if ctx ends first.
func (t *Trainer) SaveNow(ctx context.Context) error {
	select {
	case <-t.started:
	case <-t.finished:
		return ErrNotTraining
	default:
		return ErrNotStarted
	}
	reply := make(chan error, 1)
	select {
	case t.saves <- reply:
	case <-t.finished:
		return ErrNotTraining
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *Trainer) poke() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// session is the state of a Run.
type session struct {
	model    *Model
	ema      *average // nil when the config turns it off
	stepper  *stepper
	preview  *inference
	quality  *qualityProbe
	swd      float64 // latest sliced Wasserstein distance, 0 before the first
	data     *dataset.Dataset
	sampler  sampler
	latent   *rand.PCG
	normal   *rand.Rand
	metrics  *run.MetricsWriter
	step     int
	saved    int // step of the newest checkpoint
	elapsed  time.Duration
	lastSave time.Time
	rollback int             // rollbacks after divergence so far
	failing  map[string]bool // kinds of write failing now, each reported once
	signSum  float64         // real-logit signs summed since the last augmentation change
	signN    int
}

// augmentStrength returns the augmentation's current probability, 0 when
// augmentation is off.
func (s *session) augmentStrength() float64 {
	if a := s.stepper.augment; a != nil {
		return a.Strength
	}
	return 0
}

// ADA's controller: every adaptInterval steps the augmentation strength
// moves towards keeping the discriminator's mean sign on real images at
// the target, fast enough to go from 0 to 1 in Config.AugmentImages
// images.
const adaptInterval = 4

// legacyAugmentImages is the pace of runs saved before Config had
// AugmentImages, so that they resume as they began.
const legacyAugmentImages = 100_000

// adaptAugmentation applies ADA's rule after a step.
func (t *Trainer) adaptAugmentation(s *session, st StepStats) {
	a := s.stepper.augment
	if a == nil {
		return
	}
	s.signSum += st.RealSign
	s.signN++
	if s.signN < adaptInterval {
		return
	}
	sign := s.signSum / float64(s.signN)
	s.signSum, s.signN = 0, 0
	pace := t.cfg.AugmentImages
	if pace == 0 {
		pace = legacyAugmentImages
	}
	delta := float64(t.cfg.Batch*adaptInterval) / float64(pace)
	if sign < t.cfg.AugmentTarget {
		delta = -delta
	}
	a.Strength = min(max(a.Strength+delta, 0), 1)
}

// Run trains until the step budget is reached or ctx is cancelled, and
// returns why it stopped: nil for either of those, else the error, which
// Done also carries. Cancelling while the images load is a stop like any
// other. A stop whose last checkpoint cannot be written is an error.
func (t *Trainer) Run(ctx context.Context) (err error) {
	go t.out.run()
	s := &session{}
	defer close(t.finished)
	defer func() {
		if s.stepper != nil {
			s.stepper.close()
		}
		if s.preview != nil {
			s.preview.close()
		}
		if s.quality != nil {
			s.quality.close()
		}
		if s.metrics != nil {
			s.metrics.Close()
		}
		t.out.send(Done{Step: s.step, Err: err})
		t.out.close()
	}()

	// The checkpoint is read first, so that a run that cannot resume says so
	// before a large folder has loaded.
	c, err := t.latestCheckpoint()
	if err != nil {
		return err
	}
	if s.data, err = t.loadData(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped before anything was trained
		}
		return err
	}
	if err = t.restore(s, c); err != nil {
		return err
	}
	return t.train(ctx, s)
}

// loadingInterval is the shortest time between two Loading messages.
const loadingInterval = 100 * time.Millisecond

func (t *Trainer) loadData(ctx context.Context) (*dataset.Dataset, error) {
	var last time.Time
	progress := func(done, total int) {
		if done == 0 || done == total || time.Since(last) >= loadingInterval {
			t.out.send(Loading{Done: done, Total: total})
			last = time.Now()
		}
	}
	opt := dataset.Options{Resolution: t.cfg.Resolution, Progress: progress}
	var d *dataset.Dataset
	var err error
	if t.cfg.Data == "" {
		d, err = dataset.LoadFS(ctx, DefaultStyle(), ".", opt)
	} else {
		d, err = dataset.Load(ctx, t.cfg.Data, opt)
	}
	if err != nil {
		return nil, fmt.Errorf("engine: load dataset: %w", err)
	}
	msg := DatasetLoaded{Folder: t.cfg.Data, Images: len(d.Paths), Skipped: len(d.Skipped)}
	var why string
	if t.cfg.Conditional {
		msg.Classes, why = TrainedClasses(d)
	}
	for _, s := range d.Skipped[:min(len(d.Skipped), 5)] {
		msg.First = append(msg.First, SkippedFile{Path: s.Path, Reason: s.Reason})
	}
	t.out.send(msg)
	if why != "" {
		t.out.send(Warning{Text: why})
	}
	return d, nil
}

// latestCheckpoint loads the run's newest good checkpoint, or nil for a run
// without one, and warns when it had to fall back to an older one.
func (t *Trainer) latestCheckpoint() (*run.Checkpoint, error) {
	c, warning, err := t.dir.LatestCheckpoint()
	switch {
	case errors.Is(err, run.ErrNoCheckpoint):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("engine: resume: %w", err)
	}
	if warning != "" {
		t.out.send(Warning{Text: warning})
	}
	return c, nil
}

// restore builds the model and continues from the run's checkpoint c, if
// it has one; a fresh run saves a checkpoint at step 0 so that a divergence
// always has somewhere to roll back to.
func (t *Trainer) restore(s *session, c *run.Checkpoint) (err error) {
	cfg := t.cfg
	s.sampler = sampler{n: s.data.Len(), seed: cfg.Seed}
	s.latent = rand.NewPCG(cfg.Seed, 2)
	s.normal = rand.New(s.latent)

	trained, _ := TrainedClasses(s.data)
	s.model, err = NewModel(cfg.arch(len(trained)), rand.New(rand.NewPCG(cfg.Seed, 1)))
	if err != nil {
		return err
	}
	if cfg.EMA {
		s.ema = newAverage(s.model, cfg.EMABeta, cfg.EMAWarmup)
	}
	gen, disc := cfg.learningRates()
	opt := stepOptions{adam: adamConfig{gen, cfg.Beta1, cfg.Beta2},
		disc: adamConfig{disc, cfg.Beta1, cfg.Beta2}, loss: cfg.Loss, seed: cfg.Seed,
		r1: r1Options{gamma: cfg.R1Gamma, every: cfg.R1Every}, modeSeeking: cfg.ModeSeeking}
	if cfg.Augment {
		policy := nn.DiffAugment
		policy.Strength = 0 // ADA starts without augmentation and raises it as needed
		opt.augment = &policy
	}
	if s.stepper, err = newStepper(s.model, cfg.Batch, opt); err != nil {
		return err
	}
	drawing := s.model
	if s.ema != nil {
		drawing = s.ema.model
	}
	if s.preview, err = drawing.newInference(previewCount); err != nil {
		return err
	}
	zs, classes := GridLatents(cfg.Seed, cfg.Latent, s.model.Arch.Classes)
	for i, z := range zs {
		copy(s.preview.z.Float32s()[i*cfg.Latent:], z)
		s.preview.labels.Values[i] = classes[i]
	}
	if cfg.QualityEvery > 0 {
		if s.quality, err = newQualityProbe(drawing, s.data, cfg.Seed); err != nil {
			return err
		}
	}

	if c != nil {
		if err := t.resumeFrom(s, c); err != nil {
			return fmt.Errorf("engine: resume from step %d: %w", c.Step, err)
		}
	}
	if err := t.openMetrics(s); err != nil {
		return err
	}
	s.lastSave = time.Now()
	if c == nil {
		t.checkpoint(s)
	}
	return nil
}

// metricsColumns are the columns of metrics.csv after "step".
var metricsColumns = []string{"epoch", "seconds", "loss_d", "loss_g", "d_real", "d_fake",
	"img_per_s", "swd", "augment"}

// openMetrics opens metrics.csv, dropping rows after the current step.
func (t *Trainer) openMetrics(s *session) error {
	if s.metrics != nil {
		s.metrics.Close()
	}
	var err error
	if s.metrics, err = t.dir.OpenMetrics(metricsColumns, s.step); err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	return nil
}

// resumeFrom loads a checkpoint into the session: weights, optimiser and
// random state, data order and clock.
func (t *Trainer) resumeFrom(s *session, c *run.Checkpoint) error {
	if err := s.model.Generator.load(c, generatorPrefix); err != nil {
		return err
	}
	if err := s.model.Discriminator.load(c, discriminatorPrefix); err != nil {
		return err
	}
	if s.ema != nil {
		if err := s.ema.model.Generator.load(c, emaPrefix); err != nil {
			// A run started without the average begins it now.
			s.ema = newAverage(s.model, t.cfg.EMABeta, t.cfg.EMAWarmup)
		}
	}
	if err := s.stepper.optGen.load(c, generatorPrefix, s.model.Generator.Params); err != nil {
		return err
	}
	if err := s.stepper.optDisc.load(c, discriminatorPrefix, s.model.Discriminator.Params); err != nil {
		return err
	}
	state, err := c.Bytes("latent_rng")
	if err != nil {
		return err
	}
	if err := s.latent.UnmarshalBinary(state); err != nil {
		return fmt.Errorf("the checkpoint's random state is damaged: %w", err)
	}
	ints := map[string]*int{"epoch": &s.sampler.epoch, "position": &s.sampler.pos}
	for key, dst := range ints {
		if *dst, err = strconv.Atoi(c.Meta[key]); err != nil {
			return fmt.Errorf("the checkpoint has no %s", key)
		}
	}
	s.sampler.perm = nil
	ns, _ := strconv.ParseInt(c.Meta["elapsed_ns"], 10, 64)
	s.elapsed = time.Duration(ns)
	s.swd, _ = strconv.ParseFloat(c.Meta["swd"], 64)
	if a := s.stepper.augment; a != nil {
		a.Strength, _ = strconv.ParseFloat(c.Meta["augment_strength"], 64)
		if state, err := c.Bytes("augment_rng"); err == nil {
			if err := s.stepper.augmentPCG.UnmarshalBinary(state); err != nil {
				return fmt.Errorf("the checkpoint's augmentation state is damaged: %w", err)
			}
		}
	}
	s.step, s.saved = c.Step, c.Step
	if fp := c.Meta["fingerprint"]; fp != s.data.Fingerprint() && s.rollback == 0 {
		t.out.send(Warning{Text: "The training images have changed since this run was saved; " +
			"training continues on the images as they are now."})
	}
	return nil
}

// maxRollbacks is how often one session rolls back after divergence before
// it gives up.
const maxRollbacks = 4

// rollBack answers a diverged step: it reloads the newest checkpoint, halves
// the learning rate, records it in the run's config, and tells the person.
func (t *Trainer) rollBack(s *session) error {
	diverged := s.step + 1
	if s.rollback >= maxRollbacks {
		return fmt.Errorf("%w at step %d, even after lowering the learning rate to %g %d times; "+
			"try a smaller learning rate or another loss", ErrDiverged, diverged, t.cfg.LearningRate, s.rollback)
	}
	s.rollback++
	c, _, err := t.dir.LatestCheckpoint()
	if err != nil {
		return fmt.Errorf("engine: roll back after divergence: %w", err)
	}
	if err := t.resumeFrom(s, c); err != nil {
		return fmt.Errorf("engine: roll back to step %d: %w", c.Step, err)
	}
	t.cfg.LearningRate /= 2
	s.stepper.optGen.LearningRate, s.stepper.optDisc.LearningRate = t.cfg.learningRates()
	if err := t.dir.SaveConfig(t.cfg); err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	if err := t.openMetrics(s); err != nil {
		return err
	}
	t.out.send(Warning{Text: fmt.Sprintf("Training diverged at step %d (the loss stopped being a "+
		"number). Went back to step %d and halved the learning rate to %g.",
		diverged, c.Step, t.cfg.LearningRate)})
	return nil
}

// train is the training loop.
func (t *Trainer) train(ctx context.Context, s *session) error {
	cfg := t.cfg
	indices := make([]int, cfg.Batch)
	var rate float64 // images per second, smoothed
	lastPreview := time.Time{}
	t.sendPreview(s, s.step == 0) // a new run's timeline starts from noise
	close(t.started)

	for cfg.Steps == 0 || s.step < cfg.Steps {
		if ctx.Err() != nil || cfg.Seconds > 0 && s.elapsed.Seconds() >= cfg.Seconds {
			break
		}
		select {
		case reply := <-t.saves:
			reply <- t.checkpoint(s)
		default:
		}
		if t.paused.Load() {
			t.out.send(t.progress(s, rate))
			select {
			case <-t.wake:
			case reply := <-t.saves:
				reply <- t.checkpoint(s)
			case <-ctx.Done():
			}
			continue
		}
		start := time.Now()

		// Discriminator and generator updates on a fresh batch.
		s.sampler.next(indices)
		s.data.Fill(s.stepper.real.Data().([]float32), indices)
		for i := range s.stepper.z.Data().([]float32) {
			s.stepper.z.Data().([]float32)[i] = float32(s.normal.NormFloat64())
		}
		if classes := s.model.Arch.Classes; classes > 1 {
			for i, idx := range indices {
				s.stepper.realLabels.Values[i] = s.data.Label(idx)
				s.stepper.fakeLabels.Values[i] = s.normal.IntN(classes)
			}
			s.stepper.pairFakeLabels()
		}
		if t.beforeStep != nil {
			t.beforeStep(s)
		}
		st, err := s.stepper.step()
		if errors.Is(err, ErrDiverged) {
			if err := t.rollBack(s); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		s.step++
		t.adaptAugmentation(s, st)
		if s.ema != nil {
			s.ema.update(&s.model.Generator, s.step)
		}
		swd := math.NaN()
		if s.quality != nil && s.step%cfg.QualityEvery == 0 {
			if r, err := s.quality.measure(); err != nil {
				t.out.send(Warning{Text: fmt.Sprintf("Could not measure quality: %v", err)})
			} else {
				s.swd, swd = r, r
			}
		}

		// Figures for the listener and metrics.csv.
		s.stepper.lastStats = st
		if s.step%cfg.LogEvery == 0 || !math.IsNaN(swd) {
			err := s.metrics.Append(s.step, float64(s.sampler.epoch), s.elapsed.Seconds(),
				st.LossD, st.LossG, st.DReal, st.DFake, rate, swd, s.augmentStrength())
			t.writeFailed(s, "write metrics", err)
		}

		// Samples: saved on a step schedule, previewed on a clock.
		saveSample := s.step%cfg.SampleEvery == 0
		if saveSample || time.Since(lastPreview).Seconds() >= cfg.PreviewSeconds {
			t.sendPreview(s, saveSample)
			lastPreview = time.Now()
		}
		if time.Since(s.lastSave).Seconds() >= cfg.CheckpointSeconds {
			t.checkpoint(s)
		}

		took := time.Since(start)
		s.elapsed += took
		r := float64(cfg.Batch) / took.Seconds()
		if rate == 0 {
			rate = r
		} else {
			rate += 0.1 * (r - rate)
		}
		t.out.send(t.progress(s, rate))
	}
	if s.step > s.saved {
		t.sendPreview(s, s.step%cfg.SampleEvery != 0)
		if err := t.saveCheckpoint(s); err != nil {
			return fmt.Errorf("engine: stopped at step %d, but the steps after %d are not "+
				"saved: %w", s.step, s.saved, err)
		}
	}
	return nil
}

// writeFailed tells the person that a kind of write failed, once until it
// works again: a full disk would otherwise repeat it every few steps.
func (t *Trainer) writeFailed(s *session, what string, err error) {
	switch {
	case err == nil:
		delete(s.failing, what)
	case !s.failing[what]:
		if s.failing == nil {
			s.failing = map[string]bool{}
		}
		s.failing[what] = true
		t.out.send(Warning{Text: fmt.Sprintf("Could not %s: %v (training goes on; this is "+
			"not repeated until it works again)", what, err)})
	}
}

func (t *Trainer) progress(s *session, rate float64) Progress {
	st := s.stepper.lastStats
	return Progress{
		Step: s.step, Steps: t.cfg.Steps, Epoch: s.sampler.epoch,
		LossD: st.LossD, LossG: st.LossG, DReal: st.DReal, DFake: st.DFake,
		ImagesPerSec: rate, Elapsed: s.elapsed, Paused: t.paused.Load(), SWD: s.swd,
	}
}

// sendPreview generates the sample grid from the fixed latents, sends it,
// and saves it under samples/ when save is set.
func (t *Trainer) sendPreview(s *session, save bool) {
	x, err := s.preview.run()
	if err != nil {
		t.out.send(Warning{Text: fmt.Sprintf("Could not draw samples: %v", err)})
		return
	}
	grid := run.Grid(toImages(x, previewCount, t.cfg.Resolution), GridColumns)
	if save {
		_, err := t.dir.SaveSample(s.step, grid)
		t.writeFailed(s, "save the sample grid", err)
	}
	t.out.send(Samples{Step: s.step, Grid: grid})
}

// checkpoint saves a checkpoint while training goes on: a failed save is
// also a warning, and the next save retries.
func (t *Trainer) checkpoint(s *session) error {
	err := t.saveCheckpoint(s)
	if err != nil {
		t.out.send(Warning{Text: fmt.Sprintf("Could not save a checkpoint (training goes on, "+
			"and the next save will try again): %v", err)})
	}
	return err
}

// saveCheckpoint saves everything needed to continue exactly from this step.
func (t *Trainer) saveCheckpoint(s *session) error {
	s.lastSave = time.Now()
	c := &run.Checkpoint{Step: s.step, Tensors: map[string]run.Tensor{}, Meta: map[string]string{}}
	s.model.Generator.save(c, generatorPrefix)
	s.model.Discriminator.save(c, discriminatorPrefix)
	s.stepper.optGen.save(c, generatorPrefix, s.model.Generator.Params)
	s.stepper.optDisc.save(c, discriminatorPrefix, s.model.Discriminator.Params)
	state, _ := s.latent.MarshalBinary()
	c.SetBytes("latent_rng", state)
	c.Meta["epoch"] = strconv.Itoa(s.sampler.epoch)
	c.Meta["position"] = strconv.Itoa(s.sampler.pos)
	c.Meta["elapsed_ns"] = strconv.FormatInt(int64(s.elapsed), 10)
	c.Meta["fingerprint"] = s.data.Fingerprint()
	c.Meta["swd"] = strconv.FormatFloat(s.swd, 'g', -1, 64)
	if a := s.stepper.augment; a != nil {
		c.Meta["augment_strength"] = strconv.FormatFloat(a.Strength, 'g', -1, 64)
		state, _ := s.stepper.augmentPCG.MarshalBinary()
		c.SetBytes("augment_rng", state)
	}
	if s.model.Arch.Classes > 1 {
		names, _ := json.Marshal(s.data.Classes)
		c.Meta[metaClasses] = string(names)
	}
	if s.ema != nil {
		s.ema.model.Generator.save(c, emaPrefix)
	}
	c.Meta[metaArch] = archMeta(s.model.Arch)
	path, err := t.dir.SaveCheckpoint(c)
	if err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	s.saved = s.step
	t.out.send(CheckpointSaved{Step: s.step, Path: path})
	return nil
}
