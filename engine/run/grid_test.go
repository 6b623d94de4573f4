package run

import (
	"image"
	"image/color"
	"testing"
)

// solid returns a w×h image of one colour whose bounds start at (x0, y0),
// so the test also covers images that do not start at the origin.
func solid(x0, y0, w, h int, c color.RGBA) image.Image {
	img := image.NewRGBA(image.Rect(x0, y0, x0+w, y0+h))
	for y := y0; y < y0+h; y++ {
		for x := x0; x < x0+w; x++ {
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func TestGridSize(t *testing.T) {
	tile := solid(0, 0, 8, 6, color.RGBA{R: 255, A: 255})
	tiles := func(n int) []image.Image {
		out := make([]image.Image, n)
		for i := range out {
			out[i] = tile
		}
		return out
	}

	tests := []struct {
		name          string
		images        []image.Image
		cols          int
		width, height int
	}{
		{"none", nil, 4, 0, 0},
		{"one", tiles(1), 4, 8 + 2*GridGap, 6 + 2*GridGap},
		{"full rows", tiles(6), 3, 3*8 + 4*GridGap, 2*6 + 3*GridGap},
		{"last row short", tiles(7), 3, 3*8 + 4*GridGap, 3*6 + 4*GridGap},
		{"cols above count", tiles(2), 8, 2*8 + 3*GridGap, 6 + 2*GridGap},
		{"auto square", tiles(9), 0, 3*8 + 4*GridGap, 3*6 + 4*GridGap},
		{"auto not square", tiles(5), -1, 3*8 + 4*GridGap, 2*6 + 3*GridGap},
		{"all nil", []image.Image{nil, nil}, 2, 3 * GridGap, 2 * GridGap},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Grid(tt.images, tt.cols).Bounds()
			if got.Min != (image.Point{}) || got.Dx() != tt.width || got.Dy() != tt.height {
				t.Errorf("bounds %v, want (0,0)-(%d,%d)", got, tt.width, tt.height)
			}
		})
	}
}

func TestGridPlacement(t *testing.T) {
	red := color.RGBA{R: 255, A: 255}
	green := color.RGBA{G: 255, A: 255}
	blue := color.RGBA{B: 255, A: 255}
	clear := color.RGBA{}

	// A 4×4 red, a 2×2 green that starts away from the origin, a nil, and a
	// fully transparent 4×4, in two columns: cells are 4×4.
	images := []image.Image{
		solid(0, 0, 4, 4, red),
		solid(10, 20, 2, 2, green),
		nil,
		solid(0, 0, 4, 4, clear),
		solid(0, 0, 4, 4, blue),
	}
	grid := Grid(images, 2)

	cell := func(col, row int) image.Point {
		return image.Pt(GridGap+col*(4+GridGap), GridGap+row*(4+GridGap))
	}
	tests := []struct {
		name string
		at   image.Point
		want color.RGBA
	}{
		{"top-left margin", image.Pt(0, 0), GridBackground},
		{"margin before first cell", image.Pt(GridGap-1, GridGap), GridBackground},
		{"first cell corner", cell(0, 0), red},
		{"first cell far corner", cell(0, 0).Add(image.Pt(3, 3)), red},
		{"gap between columns", cell(0, 0).Add(image.Pt(4, 0)), GridBackground},
		{"small image padding", cell(1, 0), GridBackground},
		{"small image centred", cell(1, 0).Add(image.Pt(1, 1)), green},
		{"small image far corner", cell(1, 0).Add(image.Pt(2, 2)), green},
		{"small image right padding", cell(1, 0).Add(image.Pt(3, 3)), GridBackground},
		{"gap between rows", cell(0, 0).Add(image.Pt(0, 4)), GridBackground},
		{"nil image cell", cell(0, 1).Add(image.Pt(2, 2)), GridBackground},
		{"transparent image", cell(1, 1).Add(image.Pt(2, 2)), GridBackground},
		{"third row", cell(0, 2), blue},
		{"empty last cell", cell(1, 2).Add(image.Pt(1, 1)), GridBackground},
		{"bottom-right margin", image.Pt(grid.Bounds().Dx()-1, grid.Bounds().Dy()-1),
			GridBackground},
	}
	for _, tt := range tests {
		if got := grid.RGBAAt(tt.at.X, tt.at.Y); got != tt.want {
			t.Errorf("%s: pixel %v is %v, want %v", tt.name, tt.at, got, tt.want)
		}
	}
}
