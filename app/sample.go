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

	"ganvas/engine"
	"ganvas/engine/run"
)

func sampleCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sample", "-run DIR -out FILE.png|DIR/ [-n 64] [-seed S]", stdout)
	runDir := fs.String("run", "", "run `directory` to generate from (its latest checkpoint)")
	out := fs.String("out", "", "a PNG `file` for one grid, or a folder ending in / for one PNG per image")
	n := fs.Int("n", 64, "how many images")
	seed := fs.Uint64("seed", 1, "random seed of the latent vectors: the same seed gives the same images")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
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
	imgs, err := gen.Generate(z)
	if err != nil {
		return err
	}

	if strings.HasSuffix(*out, "/") || strings.HasSuffix(*out, string(filepath.Separator)) {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", *out, err)
		}
		for i, img := range imgs {
			if err := writePNG(filepath.Join(*out, fmt.Sprintf("sample-%04d.png", i)), img); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "Wrote %d images from step %d to %s\n", len(imgs), gen.Step(), *out)
		return nil
	}
	cols := int(math.Ceil(math.Sqrt(float64(len(imgs)))))
	if err := writePNG(*out, run.Grid(imgs, cols)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote a grid of %d images from step %d to %s\n", len(imgs), gen.Step(), *out)
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
