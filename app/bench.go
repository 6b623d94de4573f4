package app

import (
	"fmt"
	"io"
	"strings"

	"ganvas/engine"
)

func benchCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", "[-model dcgan64[,dcgan32,...]] [-steps N] [-rounds R] "+
		"[-recipe] [-spectral-norm] [-r1-every N]", stdout)
	models := fs.String("model", "dcgan64", "reference `models`, comma-separated: dcgan64, dcgan64-wide, dcgan32")
	steps := fs.Int("steps", 20, "training steps per timed round")
	rounds := fs.Int("rounds", 3, "timed rounds; the median is reported")
	var o engine.BenchOptions
	fs.BoolVar(&o.Recipe, "recipe", false, "train with the small-data recipe (augmentation at full "+
		"strength, the R1 penalty and the generator's moving average) instead of the reference DCGAN")
	fs.BoolVar(&o.SpectralNorm, "spectral-norm", false, "normalise the discriminator's weights "+
		"spectrally, as train -spectral-norm does")
	fs.IntVar(&o.R1Every, "r1-every", 0,
		"take the R1 penalty every `N` steps, as train -r1 does "+
			"(0: off, or the recipe's 16 with -recipe)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *steps < 1 || *rounds < 1 || o.R1Every < 0 {
		return fmt.Errorf("-steps and -rounds must be at least 1, and -r1-every not negative")
	}
	for _, m := range strings.Split(*models, ",") {
		r, err := engine.Bench(strings.TrimSpace(m), *steps, *rounds, o)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, r)
	}
	return nil
}
