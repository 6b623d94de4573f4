package app

import (
	"image"
	"image/draw"
	"image/gif"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func pixels(img image.Image) []uint8 {
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	return rgba.Pix
}

func sameImage(a, b image.Image) bool {
	pa, pb := pixels(a), pixels(b)
	if a.Bounds().Size() != b.Bounds().Size() || len(pa) != len(pb) {
		return false
	}
	for i := range pa {
		if pa[i] != pb[i] {
			return false
		}
	}
	return true
}

// crop returns cell i of a one-row strip of square images with 2-px gaps.
func cell(img image.Image, i, size int) image.Image {
	x := 2 + i*(size+2)
	return img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(image.Rect(x, 2, x+size, 2+size))
}

func TestExportedImagesComeBackExactly(t *testing.T) {
	data := writeFolder(t, 10)
	runDir := filepath.Join(t.TempDir(), "run")
	train := func(steps string) {
		t.Helper()
		if code, _, stderr := ganvas("train", "-run", runDir, "-data", data, "-steps", steps,
			"-res", "32", "-width", "8", "-batch", "8"); code != 0 {
			t.Fatalf("train: %s", stderr)
		}
	}
	train("4")
	each := filepath.Join(t.TempDir(), "each") + "/"
	if code, _, stderr := ganvas("sample", "-run", runDir, "-n", "2", "-seed", "5", "-out", each); code != 0 {
		t.Fatalf("sample: %s", stderr)
	}
	first, second := filepath.Join(each, "sample-0000.png"), filepath.Join(each, "sample-0001.png")

	// Training on prunes step 4's checkpoint from the newest two; the
	// exported image keeps it.
	train("8")
	train("12")

	again := filepath.Join(t.TempDir(), "again.png")
	if code, _, stderr := ganvas("sample", "-from", first, "-out", again); code != 0 {
		t.Fatalf("sample -from: %s", stderr)
	}
	if !sameImage(decode(t, first), decode(t, again)) {
		t.Fatal("the image made again from its recipe differs from the original")
	}

	strip := filepath.Join(t.TempDir(), "strip.png")
	if code, _, stderr := ganvas("interpolate", "-from", first, "-to", second, "-frames", "5",
		"-out", strip); code != 0 {
		t.Fatalf("interpolate: %s", stderr)
	}
	s := decode(t, strip)
	if !sameImage(cell(s, 0, 32), decode(t, first)) || !sameImage(cell(s, 4, 32), decode(t, second)) {
		t.Error("the interpolation does not start at A and end at B")
	}
	if sameImage(cell(s, 2, 32), decode(t, first)) {
		t.Error("the middle of the interpolation equals its start")
	}

	anim := filepath.Join(t.TempDir(), "walk.gif")
	if code, _, stderr := ganvas("interpolate", "-from", first, "-to", second, "-frames", "6",
		"-out", anim); code != 0 {
		t.Fatalf("interpolate to GIF: %s", stderr)
	}
	if n := gifFrames(t, anim); n != 6 {
		t.Errorf("the interpolation GIF has %d frames, want 6", n)
	}

	lapse := filepath.Join(t.TempDir(), "lapse.gif")
	if code, _, stderr := ganvas("timelapse", "-run", runDir, "-out", lapse); code != 0 {
		t.Fatalf("timelapse: %s", stderr)
	}
	// Grids at step 0 and at each run's end (4, 8, 12).
	if n := gifFrames(t, lapse); n != 4 {
		t.Errorf("the timelapse has %d frames, want the 4 saved grids", n)
	}

	// A PNG without a recipe gets a plain answer.
	plainPNG := filepath.Join(t.TempDir(), "plain.png")
	os.WriteFile(plainPNG, mustRead(t, filepath.Join(runDir, "samples", "step-000000.png")), 0o644)
	if code, _, stderr := ganvas("sample", "-from", plainPNG, "-out", again); code == 0 ||
		!strings.Contains(stderr, "no ganvas recipe") {
		t.Errorf("a PNG without a recipe: exit %d, %q", code, stderr)
	}
}

func gifFrames(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := gif.DecodeAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return len(g.Image)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
