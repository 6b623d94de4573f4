package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"ganvas/engine"
)

func trainCommand(args []string, stdout, stderr io.Writer) error {
	cfg := engine.DefaultConfig()
	fs := newFlags("train", "-run DIR [-data DIR] [-steps N] [flags]", stdout)
	runDir := fs.String("run", "", "run `directory`: created if new, resumed if it holds a run")
	fs.StringVar(&cfg.Data, "data", "", "`folder` of training images (default: the embedded emoji style)")
	fs.IntVar(&cfg.Steps, "steps", 2000, "train until the run has `N` steps in all; 0 trains until Ctrl-C")
	fs.IntVar(&cfg.Resolution, "res", cfg.Resolution, "image side in pixels: 32, 64 or 128")
	fs.IntVar(&cfg.Width, "width", cfg.Width, "model width (channels of the widest-resolution layer)")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "images per step")
	fs.Float64Var(&cfg.LearningRate, "lr", cfg.LearningRate, "Adam learning rate")
	fs.Float64Var(&cfg.Beta1, "beta1", cfg.Beta1, "Adam's decay of the gradient's running mean")
	fs.Float64Var(&cfg.Beta2, "beta2", cfg.Beta2, "Adam's decay of the gradient's running square")
	checkpointEvery := fs.Duration("checkpoint-every", seconds(cfg.CheckpointSeconds),
		"save a checkpoint after each `interval` of training: a crash loses at most that much")
	seed := fs.Uint64("seed", cfg.Seed, "random seed: the same seed and data train the same model")
	minutes := fs.Float64("minutes", 0, "also stop once the run has trained this many `minutes` in all")
	recipe := fs.Bool("recipe", false, "train with the small-data recipe, the default (each part also has its own flag)")
	plainDCGAN := fs.Bool("plain", false, "train the reference DCGAN: no augmentation, no moving average")
	fs.IntVar(&cfg.QualityEvery, "quality-every", cfg.QualityEvery,
		"measure the sliced Wasserstein distance to the data every `N` steps (0: never)")
	// The recipe's parts can be turned off, and the other discriminator
	// options on, for comparison.
	fs.StringVar(&cfg.Loss, "loss", cfg.Loss, "adversarial loss: hinge or bce")
	fs.BoolVar(&cfg.Augment, "augment", cfg.Augment, "differentiable augmentation with adaptive strength")
	fs.Float64Var(&cfg.AugmentTarget, "augment-target", cfg.AugmentTarget,
		"the discriminator's mean sign on real images that augmentation strength is adapted to hold")
	fs.BoolVar(&cfg.SpectralNorm, "spectral-norm", cfg.SpectralNorm, "spectral norm in the discriminator")
	fs.BoolVar(&cfg.MinibatchStd, "minibatch-std", cfg.MinibatchStd, "minibatch standard deviation in the discriminator")
	fs.Float64Var(&cfg.R1Gamma, "r1", cfg.R1Gamma,
		"weight `gamma` of the R1 penalty on the discriminator's gradient at real images (0: off; 10 is usual)")
	fs.IntVar(&cfg.R1Every, "r1-every", cfg.R1Every, "take the R1 penalty every `N` steps, scaled by N")
	fs.BoolVar(&cfg.Conditional, "conditional", cfg.Conditional, "one class per subfolder, when the folder has them")
	fs.Float64Var(&cfg.ModeSeeking, "mode-seeking", cfg.ModeSeeking,
		"`weight` of the term that keeps a conditional generator from ignoring its latent (0: off)")
	fs.BoolVar(&cfg.EMA, "ema", cfg.EMA, "draw samples with a moving average of the generator")
	fs.BoolVar(&cfg.TwoTimeScales, "two-time-scales", cfg.TwoTimeScales,
		"discriminator at twice the learning rate, generator at half")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg.Seed = *seed
	cfg.CheckpointSeconds = checkpointEvery.Seconds()
	cfg.Seconds = *minutes * 60
	if *recipe && *plainDCGAN {
		return errors.New("-recipe and -plain contradict each other: choose one")
	}
	if *recipe || *plainDCGAN {
		// The recipe's or plain DCGAN's settings, then whatever single
		// parts were named.
		named := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { named[f.Name] = true })
		chosen := cfg
		if *recipe {
			cfg = cfg.Recipe()
		} else {
			cfg = cfg.Plain()
		}
		keep := map[string]func(){
			"conditional":     func() { cfg.Conditional = chosen.Conditional },
			"mode-seeking":    func() { cfg.ModeSeeking = chosen.ModeSeeking },
			"loss":            func() { cfg.Loss = chosen.Loss },
			"beta1":           func() { cfg.Beta1 = chosen.Beta1 },
			"beta2":           func() { cfg.Beta2 = chosen.Beta2 },
			"augment":         func() { cfg.Augment = chosen.Augment },
			"spectral-norm":   func() { cfg.SpectralNorm = chosen.SpectralNorm },
			"minibatch-std":   func() { cfg.MinibatchStd = chosen.MinibatchStd },
			"r1":              func() { cfg.R1Gamma = chosen.R1Gamma },
			"ema":             func() { cfg.EMA = chosen.EMA },
			"two-time-scales": func() { cfg.TwoTimeScales = chosen.TwoTimeScales },
		}
		for name, apply := range keep {
			if named[name] {
				apply()
			}
		}
	}
	if *runDir == "" {
		return errors.New("-run DIR is required: the directory that holds the run")
	}
	if cfg.Data != "" {
		if info, err := os.Stat(cfg.Data); err != nil || !info.IsDir() {
			return fmt.Errorf("-data %s: no such folder", cfg.Data)
		}
	}

	tr, err := engine.NewTrainer(*runDir, cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- tr.Run(ctx) }()

	bar := newProgressBar(stderr)
	for m := range tr.Messages() {
		switch m := m.(type) {
		case engine.Loading:
			bar.loading(m)
		case engine.DatasetLoaded:
			bar.println(describeDataset(m, tr.Config().Resolution))
		case engine.Progress:
			bar.update(m)
		case engine.Warning:
			bar.println("warning: " + m.Text)
		case engine.CheckpointSaved:
			bar.checkpoint(m)
		case engine.Done:
			bar.finish(m, ctx.Err() != nil, tr.Dir())
		}
	}
	return <-errc
}

func describeDataset(m engine.DatasetLoaded, res int) string {
	from := m.Folder
	if from == "" {
		from = "the embedded emoji style"
	}
	s := fmt.Sprintf("Training on %d images from %s at %dx%d.", m.Images, from, res, res)
	if len(m.Classes) > 0 {
		s += fmt.Sprintf(" One class per subfolder: %s.", strings.Join(m.Classes, ", "))
	}
	if m.Skipped > 0 {
		s += fmt.Sprintf(" Skipped %d files:", m.Skipped)
		for _, f := range m.First {
			s += fmt.Sprintf("\n  %s: %s", f.Path, f.Reason)
		}
		if m.Skipped > len(m.First) {
			s += fmt.Sprintf("\n  and %d more", m.Skipped-len(m.First))
		}
	}
	return s
}

// seconds converts a count of seconds to a duration.
func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
