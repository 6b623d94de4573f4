package export

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"time"

	"ganvas/engine/run"
)

// ErrNoImages is returned for a grid of no images.
var ErrNoImages = errors.New("a grid needs at least one image")

// GridPNG writes images as one PNG sample grid of cols columns, laid out by
// run.Grid: a 2-pixel gap on dark grey, every cell as large as the largest
// image. cols of 0 or less makes the grid as square as possible.
func GridPNG(w io.Writer, images []image.Image, cols int) error {
	if err := gridPNG(w, images, cols); err != nil {
		return fmt.Errorf("export: write grid: %w", err)
	}
	return nil
}

func gridPNG(w io.Writer, images []image.Image, cols int) error {
	if len(images) == 0 {
		return ErrNoImages
	}
	grid := run.Grid(images, cols)
	if b := grid.Bounds(); b.Dx() > 0 && b.Dy() > maxPixels/b.Dx() {
		return fmt.Errorf("%dx%d: %w", b.Dx(), b.Dy(), ErrTooLarge)
	}
	return png.Encode(w, grid)
}

// SavePNG writes img with its recipe to the file at path, as WritePNG does.
func SavePNG(path string, img image.Image, recipe Recipe) error {
	return save(path, func(w io.Writer) error { return writePNG(w, img, recipe) })
}

// SaveGIF writes an animation to the file at path, as WriteGIF does.
func SaveGIF(path string, frames []image.Image, delay time.Duration, loop bool) error {
	return save(path, func(w io.Writer) error { return writeGIF(w, frames, delay, loop) })
}

// SaveGridPNG writes a sample grid to the file at path, as GridPNG does.
func SaveGridPNG(path string, images []image.Image, cols int) error {
	return save(path, func(w io.Writer) error { return gridPNG(w, images, cols) })
}

// save encodes a file in memory and then replaces path with it atomically:
// a failed encoding or write leaves whatever was at path untouched. Errors
// from a read-only place or a full disk wrap run.ErrReadOnly and
// run.ErrDiskFull.
func save(path string, encode func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := encode(&buf); err != nil {
		return fmt.Errorf("export: save %s: %w", path, err)
	}
	if err := run.WriteFileAtomic(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("export: %w", err) // the error names the path
	}
	return nil
}
