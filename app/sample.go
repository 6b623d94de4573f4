package app

import (
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"ganvas/app/export"
	"ganvas/engine"
	"ganvas/engine/run"
)

func sampleCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sample", "-run DIR -out FILE.png|DIR/ [-n 64] [-seed S] | -from IMAGE.png -out FILE.png", stdout)
	runDir := fs.String("run", "", "run `directory` to generate from (its latest checkpoint)")
	out := fs.String("out", "", "a PNG `file` for one grid, or a folder ending in / for one PNG per image")
	n := fs.Int("n", 64, "how many images")
	seed := fs.Uint64("seed", 1, "random seed of the latent vectors: the same seed gives the same images")
	from := fs.String("from", "", "make again, pixel for pixel, the `image` ganvas exported")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *from != "" && *out == "":
		return errors.New("-out FILE.png is required")
	case *from != "":
		return sampleFrom(*from, *runDir, *out, stdout)
	case *runDir == "":
		return errors.New("-run DIR is required")
	case *out == "":
		return errors.New("-out is required: a .png file for a grid, or a folder ending in /")
	case *n < 1 || *n > 10000:
		return fmt.Errorf("-n %d: ask for 1 to 10000 images", *n)
	}

	gen, warning, err := engine.LoadGenerator(*runDir)
	if err != nil {
		return err
	}
	defer gen.Close()
	if warning != "" {
		fmt.Fprintln(stderr, "warning:", warning)
	}
	rng := rand.New(rand.NewPCG(*seed, 0))
	z := make([][]float32, *n)
	for i := range z {
		z[i] = make([]float32, gen.Arch().Latent)
		for j := range z[i] {
			z[i][j] = float32(rng.NormFloat64())
		}
	}
	// A conditional generator draws its classes a row each, in turn.
	cols := int(math.Ceil(math.Sqrt(float64(len(z)))))
	var classes []int
	if k := len(gen.Classes()); k > 1 {
		for i := range z {
			classes = append(classes, (i/cols)%k)
		}
	}
	imgs, err := gen.GenerateClasses(z, classes)
	if err != nil {
		return err
	}

	if strings.HasSuffix(*out, "/") || strings.HasSuffix(*out, string(filepath.Separator)) {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", *out, err)
		}
		// Each image carries its recipe, and the checkpoint is kept so
		// that 'ganvas sample -from' can make it again.
		d, err := run.Open(*runDir)
		if err != nil {
			return err
		}
		if _, err := d.KeepCheckpoint(gen.Step()); err != nil {
			return err
		}
		abs, _ := filepath.Abs(*runDir)
		for i, img := range imgs {
			recipe := export.Recipe{Run: abs, Step: gen.Step(), Latent: z[i], Truncation: 1,
				Seed: int64(*seed)}
			if classes != nil {
				recipe.Class = classes[i]
			}
			path := filepath.Join(*out, fmt.Sprintf("sample-%04d.png", i))
			if err := export.SavePNG(path, img, recipe); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "Wrote %d images from step %d to %s\n", len(imgs), gen.Step(), *out)
		return nil
	}
	if err := writePNG(*out, run.Grid(imgs, cols)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote a grid of %d images from step %d to %s\n", len(imgs), gen.Step(), *out)
	return nil
}

// sampleFrom makes again the image whose recipe the PNG at path carries.
func sampleFrom(path, runDir, out string, stdout io.Writer) error {
	r, err := readRecipe(path)
	if err != nil {
		return err
	}
	if runDir, err = recipeRun(r, runDir); err != nil {
		return err
	}
	z, err := recipeLatent(r, runDir)
	if err != nil {
		return err
	}
	imgs, err := renderRecipes(runDir, r.Step, [][]float32{z}, classesOf(r, 1))
	if err != nil {
		return err
	}
	// The image is enlarged as it was when exported.
	img, err := export.Upscale(imgs[0], max(r.Scale, 1), r.Smooth)
	if err != nil {
		return err
	}
	if err := export.SavePNG(out, img, r); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Made %s again from step %d of %s into %s\n", path, r.Step, runDir, out)
	return nil
}

// writePNG writes img to path atomically: a failed write leaves any file
// already there untouched.
func writePNG(path string, img image.Image) error {
	var buf strings.Builder
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if err := run.WriteFileAtomic(path, []byte(buf.String()), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
