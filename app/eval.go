package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"ganvas/engine"
)

func evalCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval", "-run DIR [-data DIR] [-n 2048]", stdout)
	runDir := fs.String("run", "", "run `directory` whose latest generator is measured")
	data := fs.String("data", "", "compare with the images in this `folder` (default: the run's own)")
	n := fs.Int("n", 2048, "how many images to generate")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *runDir == "" {
		return errors.New("-run DIR is required")
	}
	if *n < 16 || *n > 20000 {
		return fmt.Errorf("-n %d: ask for 16 to 20000 images", *n)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e, err := engine.Evaluate(ctx, *runDir, *data, *n)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "step %d: %d generated images against %d real ones\n", e.Step, e.Generated, e.Real)
	fmt.Fprintf(stdout, "sliced Wasserstein distance x1e3 (lower is better): %.2f\n", e.SWD.Mean)
	for i, level := range e.SWD.Levels {
		fmt.Fprintf(stdout, "  %3d px: %.2f\n", level, e.SWD.PerLevel[i])
	}
	fmt.Fprintf(stdout, "scale: %.2f between two halves of the real images, %.2f for an untrained generator\n",
		e.Floor, e.Ceiling)
	fmt.Fprintf(stdout, "diversity (mean MS-SSIM, lower is more varied): generated %.3f, real %.3f\n",
		e.Diversity, e.RealDiversity)
	if e.RealClassDiversity > 0 {
		fmt.Fprintf(stdout, "diversity within a class: generated %.3f, real %.3f\n",
			e.ClassDiversity, e.RealClassDiversity)
	}
	if e.Collapsed {
		fmt.Fprintln(stdout, "warning: the generated images are far more alike than the real ones (mode collapse)")
	}
	return nil
}
