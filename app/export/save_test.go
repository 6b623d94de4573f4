package export

import (
	"bytes"
	"errors"
	"image"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"ganvas/engine/run"
)

func TestSaveFiles(t *testing.T) {
	dir := t.TempDir()
	img := testImage(6, 5)

	pngPath := filepath.Join(dir, "favourite.png")
	if err := SavePNG(pngPath, img, sampleRecipe()); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	recipe, err := ReadRecipe(f)
	f.Close()
	want := sampleRecipe()
	want.Version = want.version()
	if err != nil || !reflect.DeepEqual(recipe, want) {
		t.Errorf("saved recipe %+v, %v; want %+v", recipe, err, want)
	}

	gifPath := filepath.Join(dir, "walk.gif")
	if err := SaveGIF(gifPath, walkFrames(6, 16), 80*time.Millisecond, true); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(gifPath)
	if err != nil {
		t.Fatal(err)
	}
	if animation, err := gif.DecodeAll(bytes.NewReader(data)); err != nil ||
		len(animation.Image) != 6 {
		t.Errorf("saved GIF does not hold 6 frames: %v", err)
	}

	gridPath := filepath.Join(dir, "grid.png")
	images := []image.Image{img, img, img, img, img}
	if err := SaveGridPNG(gridPath, images, 3); err != nil {
		t.Fatal(err)
	}
	data, err = os.ReadFile(gridPath)
	if err != nil {
		t.Fatal(err)
	}
	grid, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	// 3 columns and 2 rows of 6×5 cells with a 2-pixel gap around each.
	if got, want := grid.Bounds().Size(), image.Pt(3*6+4*2, 2*5+3*2); got != want {
		t.Errorf("grid is %v, want %v", got, want)
	}
	if err := SaveGridPNG(gridPath, nil, 3); !errors.Is(err, ErrNoImages) {
		t.Errorf("empty grid: error %v, want ErrNoImages", err)
	}
}

func TestFailedSaveKeepsTheOldFile(t *testing.T) {
	old := []byte("the export made yesterday")
	setup := func(t *testing.T) (dir, path string) {
		dir = t.TempDir()
		path = filepath.Join(dir, "art.png")
		if err := os.WriteFile(path, old, 0o644); err != nil {
			t.Fatal(err)
		}
		return dir, path
	}
	badRecipe := sampleRecipe()
	badRecipe.Latent = nil

	tests := []struct {
		name string
		save func(t *testing.T, dir, path string) error
		want error
	}{
		{"read-only directory", func(t *testing.T, dir, path string) error {
			lockDir(t, dir)
			return SavePNG(path, testImage(4, 4), sampleRecipe())
		}, run.ErrReadOnly},
		{"read-only directory, GIF", func(t *testing.T, dir, path string) error {
			lockDir(t, dir)
			return SaveGIF(path, walkFrames(2, 4), time.Second, true)
		}, run.ErrReadOnly},
		{"encoding fails", func(t *testing.T, dir, path string) error {
			return SavePNG(path, testImage(4, 4), badRecipe)
		}, ErrBadRecipe},
		{"frames differ", func(t *testing.T, dir, path string) error {
			return SaveGIF(path, []image.Image{testImage(2, 2), testImage(3, 3)}, time.Second, true)
		}, ErrFrameSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, path := setup(t)
			err := tt.save(t, dir, path)
			if !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, old) {
				t.Errorf("the old file now holds %q", got)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("the directory holds %d entries, want only the old file", len(entries))
			}
		})
	}
}

func TestSaveIntoAMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no such folder", "art.png")
	err := SavePNG(path, testImage(2, 2), sampleRecipe())
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v, want one saying the folder does not exist", err)
	}
}
