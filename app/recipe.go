package app

import (
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"

	"ganvas/app/export"
	"ganvas/engine"
	"ganvas/engine/latent"
	"ganvas/engine/run"
)

// recipeLatent returns the latent vector a recipe describes: its latent
// moved along the run's latent directions by its sliders, then truncated.
// Directions are needed only when a slider is off zero; they are the ones
// cached in the run for the recipe's checkpoint.
func recipeLatent(r export.Recipe, runDir string) ([]float32, error) {
	z := r.Latent
	if slices.ContainsFunc(r.Sliders, func(v float64) bool { return v != 0 }) {
		d, err := latent.LoadDirections(latent.DirectionsPath(runDir, r.Step))
		if err != nil {
			return nil, fmt.Errorf("the image was made with sliders, and the run's slider "+
				"directions for step %d cannot be read: %w", r.Step, err)
		}
		if d.Dim != len(z) {
			return nil, fmt.Errorf("the run's slider directions have %d values, the latent %d", d.Dim, len(z))
		}
		z = d.Apply(z, r.Sliders)
	}
	return latent.Truncate(z, r.Truncation), nil
}

// recipeRun finds the run a recipe came from: the run named on the command
// line, the recipe's own path, or a run of that name in the runs folder.
func recipeRun(r export.Recipe, explicit string) (string, error) {
	for _, dir := range []string{explicit, r.Run, filepath.Join(defaultRunsRoot(), filepath.Base(r.Run))} {
		if dir != "" && run.IsRun(dir) {
			return dir, nil
		}
	}
	if explicit != "" {
		return "", fmt.Errorf("%s holds no ganvas run", explicit)
	}
	return "", fmt.Errorf("the run %q the image came from is not found; name it with -run DIR", r.Run)
}

// readRecipe reads the recipe of an image ganvas exported.
func readRecipe(path string) (export.Recipe, error) {
	f, err := os.Open(path)
	if err != nil {
		return export.Recipe{}, err
	}
	defer f.Close()
	r, err := export.ReadRecipe(f)
	if err != nil {
		return export.Recipe{}, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// renderRecipes regenerates images with the generator of the run's
// checkpoint at step, which must survive; classes may be nil.
func renderRecipes(runDir string, step int, zs [][]float32, classes []int) ([]image.Image, error) {
	gen, err := engine.LoadGeneratorAt(runDir, step)
	if errors.Is(err, run.ErrStepGone) {
		return nil, fmt.Errorf("the checkpoint of step %d is no longer in the run, so the image "+
			"cannot be made again exactly", step)
	}
	if err != nil {
		return nil, err
	}
	defer gen.Close()
	return gen.GenerateClasses(zs, classes)
}

// classesOf returns n copies of a recipe's class, or nil for class 0, which
// also suits an unconditional generator.
func classesOf(r export.Recipe, n int) []int {
	if r.Class == 0 {
		return nil
	}
	classes := make([]int, n)
	for i := range classes {
		classes[i] = r.Class
	}
	return classes
}
