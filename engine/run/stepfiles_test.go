package run

import (
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestParseStepFileName(t *testing.T) {
	tests := []struct {
		name string
		step int
		ok   bool
	}{
		{"step-000000.png", 0, true},
		{"step-000120.png", 120, true},
		{"step-1234567.png", 1234567, true},
		{"step-120.png", 0, false},        // not the canonical name of step 120
		{"step-0000120.png", 0, false},    // nor is this
		{"step-000120.PNG", 0, false},     // another extension
		{"step--00120.png", 0, false},     // a sign
		{"step-+00120.png", 0, false},     // a sign
		{"step-000120.png.tmp", 0, false}, // a leftover
		{".step-000120.png.tmp-42", 0, false},
		{"favourite.png", 0, false},
		{"step-99999999999999999999.png", 0, false}, // overflows int
	}
	for _, tt := range tests {
		step, ok := parseStepFileName(tt.name, sampleExt)
		if step != tt.step || ok != tt.ok {
			t.Errorf("parseStepFileName(%q) = %d, %v; want %d, %v", tt.name, step, ok,
				tt.step, tt.ok)
		}
	}
}

func TestSamples(t *testing.T) {
	d := newRun(t)
	if samples, err := d.ListSamples(); err != nil || len(samples) != 0 {
		t.Fatalf("new run lists samples %v, %v", samples, err)
	}

	grid := func(step int) image.Image {
		img := image.NewRGBA(image.Rect(0, 0, 3, 2))
		img.SetRGBA(1, 1, color.RGBA{R: uint8(step), G: 7, B: 9, A: 255})
		return img
	}
	// Saved out of order, and past six digits, to prove sorting by number.
	for _, step := range []int{1000, 50, 1000000, 999999, 0} {
		if _, err := d.SaveSample(step, grid(step%256)); err != nil {
			t.Fatal(err)
		}
	}
	// A leftover of a crash and a stray file are not samples.
	writeFile(t, filepath.Join(d.Path, samplesDir, ".step-002000.png.tmp-9"), "half")
	writeFile(t, filepath.Join(d.Path, samplesDir, "notes.txt"), "mine")

	samples, err := d.ListSamples()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(d.Path, samplesDir)
	want := []StepFile{
		{0, filepath.Join(dir, "step-000000.png")},
		{50, filepath.Join(dir, "step-000050.png")},
		{1000, filepath.Join(dir, "step-001000.png")},
		{999999, filepath.Join(dir, "step-999999.png")},
		{1000000, filepath.Join(dir, "step-1000000.png")},
	}
	if !reflect.DeepEqual(samples, want) {
		t.Fatalf("samples %v, want %v", samples, want)
	}

	// The file is the grid, pixel for pixel.
	f, err := os.Open(samples[2].Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := color.RGBAModel.Convert(img.At(1, 1)); got != (color.RGBA{R: 1000 % 256, G: 7,
		B: 9, A: 255}) {
		t.Errorf("pixel (1,1) = %v", got)
	}
}

func TestSaveSampleReadOnly(t *testing.T) {
	d := newRun(t)
	if _, err := d.SaveSample(10, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	makeReadOnly(t, filepath.Join(d.Path, samplesDir))

	_, err := d.SaveSample(20, image.NewRGBA(image.Rect(0, 0, 2, 2)))
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("error %v, want ErrReadOnly", err)
	}
	samples, err := d.ListSamples()
	if err != nil || len(samples) != 1 || samples[0].Step != 10 {
		t.Errorf("samples %v, %v; want only step 10", samples, err)
	}
}
