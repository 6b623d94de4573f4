package assets_test

import (
	"context"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"ganvas/assets"
	"ganvas/engine/dataset"
)

// TestStyleLoads loads the embedded default style as the trainer will and
// checks a new user gets every picture, one class per folder, on white.
func TestStyleLoads(t *testing.T) {
	d, err := dataset.LoadFS(context.Background(), assets.Style, ".", dataset.Options{Resolution: 64})
	if err != nil {
		t.Fatalf("loading the default style: %v", err)
	}
	if len(d.Paths) < 300 {
		t.Errorf("the default style has %d images, want at least 300", len(d.Paths))
	}
	if len(d.Skipped) != 0 {
		t.Errorf("the default style skipped %d files, e.g. %v", len(d.Skipped), d.Skipped[0])
	}
	if want := []string{"animals", "food", "plants", "sky"}; !slices.Equal(d.Classes, want) {
		t.Errorf("classes %v, want %v", d.Classes, want)
	}

	// The emoji stand on transparent backgrounds: their corners must come out
	// white, not black, or the generator would learn black frames.
	white := 0
	for i := range d.Paths {
		img := d.Image(i)
		corners := 0
		for _, p := range [][2]int{{0, 0}, {63, 0}, {0, 63}, {63, 63}} {
			c := img.RGBAAt(p[0], p[1])
			if c.R > 245 && c.G > 245 && c.B > 245 {
				corners++
			}
		}
		if corners == 4 {
			white++
		}
	}
	if white < len(d.Paths)*9/10 {
		t.Errorf("only %d of %d images have white corners", white, len(d.Paths))
	}
}

// TestStyleSizeAndLicence checks the style stays small in the binary and
// carries its licence and source.
func TestStyleSizeAndLicence(t *testing.T) {
	var total int64
	pictures := 0
	err := fs.WalkDir(assets.Style, ".", func(p string, entry fs.DirEntry, err error) error {
		if err != nil || entry.IsDir() {
			return err
		}
		info, err := entry.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		if strings.HasSuffix(p, ".png") {
			pictures++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total > 5<<20 {
		t.Errorf("the default style is %d bytes, want under 5 MB", total)
	}

	licence, err := fs.ReadFile(assets.Style, "LICENSE")
	if err != nil || !strings.Contains(string(licence), "Apache License") {
		t.Errorf("style/LICENSE should hold the Apache License: %v", err)
	}
	source, err := fs.ReadFile(assets.Style, "SOURCE.md")
	if err != nil {
		t.Fatal(err)
	}
	// SOURCE.md lists every picture, so none arrives without its origin.
	if listed := strings.Count(string(source), ".png` |"); listed != pictures {
		t.Errorf("SOURCE.md lists %d pictures, the style holds %d", listed, pictures)
	}
	if assets.StyleName == "" || !strings.Contains(assets.StyleCredit, "Apache") {
		t.Errorf("StyleName %q and StyleCredit %q should name the style and its licence",
			assets.StyleName, assets.StyleCredit)
	}
}
