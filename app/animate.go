package app

import (
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ganvas/app/export"
	"ganvas/engine/latent"
	"ganvas/engine/run"
)

func interpolateCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("interpolate", "-from A.png -to B.png -out FILE.gif|FILE.png [-frames 24] [-delay 80ms]", stdout)
	runDir := fs.String("run", "", "run `directory` of the images (default: the one their recipes name)")
	from := fs.String("from", "", "the first `image`, one ganvas exported")
	to := fs.String("to", "", "the last `image`, from the same run")
	out := fs.String("out", "", "an animated GIF, or a PNG strip of the frames")
	frames := fs.Int("frames", 24, "frames along the path, both ends included")
	delay := fs.Duration("delay", 80*time.Millisecond, "time each GIF frame shows")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *from == "" || *to == "" || *out == "":
		return errors.New("-from, -to and -out are required")
	case *frames < 2 || *frames > 1000:
		return fmt.Errorf("-frames %d: ask for 2 to 1000 frames", *frames)
	}
	a, err := readRecipe(*from)
	if err != nil {
		return err
	}
	b, err := readRecipe(*to)
	if err != nil {
		return err
	}
	dir, err := recipeRun(a, *runDir)
	if err != nil {
		return err
	}
	za, err := recipeLatent(a, dir)
	if err != nil {
		return err
	}
	zb, err := recipeLatent(b, dir)
	if err != nil {
		return err
	}
	if len(za) != len(zb) {
		return errors.New("the two images come from generators with different latent sizes")
	}
	imgs, err := renderRecipes(dir, a.Step, latent.Path(za, zb, *frames), classesOf(a, *frames))
	if err != nil {
		return err
	}
	if err := saveAnimation(*out, imgs, *delay); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote %d frames from %s to %s into %s\n", len(imgs), *from, *to, *out)
	return nil
}

func timelapseCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("timelapse", "-run DIR -out FILE.gif [-frames N] [-delay 120ms]", stdout)
	runDir := fs.String("run", "", "run `directory` whose saved sample grids make the frames")
	out := fs.String("out", "", "the animated GIF to write")
	frames := fs.Int("frames", 0, "use at most this many grids, evenly spread (0: all)")
	delay := fs.Duration("delay", 120*time.Millisecond, "time each frame shows")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *runDir == "" || *out == "" {
		return errors.New("-run and -out are required")
	}
	d, err := run.Open(*runDir)
	if err != nil {
		return err
	}
	samples, err := d.ListSamples()
	if err != nil {
		return err
	}
	if len(samples) == 0 {
		return fmt.Errorf("%s has no saved sample grids yet", *runDir)
	}
	if *frames > 0 && *frames < len(samples) {
		picked := make([]run.StepFile, *frames)
		for i := range picked {
			picked[i] = samples[i*(len(samples)-1)/max(*frames-1, 1)]
		}
		samples = picked
	}
	var imgs []image.Image
	for _, s := range samples {
		img, err := decodeFile(s.Path)
		if err != nil {
			return err
		}
		imgs = append(imgs, img)
	}
	if err := export.SaveGIF(*out, imgs, *delay, true); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote %d grids, steps %d to %d, into %s\n", len(imgs),
		samples[0].Step, samples[len(samples)-1].Step, *out)
	return nil
}

// saveAnimation writes frames as an animated GIF, or as a PNG strip when
// path ends in .png.
func saveAnimation(path string, frames []image.Image, delay time.Duration) error {
	if strings.EqualFold(filepath.Ext(path), ".png") {
		return export.SaveGridPNG(path, frames, len(frames))
	}
	return export.SaveGIF(path, frames, delay, true)
}

func decodeFile(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	return img, nil
}
