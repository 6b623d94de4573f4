package run

import (
	"image"
	"image/color"
	"image/draw"
	"math"
)

// GridGap is the width in pixels of the gap between images in a Grid, and of
// the margin around them.
const GridGap = 2

// GridBackground is the neutral dark grey that shows in the gaps of a Grid
// and behind transparent or missing images.
var GridBackground = color.RGBA{R: 0x1e, G: 0x1e, B: 0x1e, A: 0xff}

// Grid lays images out left to right, top to bottom, in cols columns, with a
// GridGap-pixel gap between them and around the edge, on GridBackground.
//
// Every cell is as large as the largest image; a smaller image sits centred
// in its cell. A nil image leaves its cell empty. When cols is 0 or less the
// grid is as square as possible; cols larger than the number of images is
// reduced to it. With no images Grid returns an empty 0×0 image.
func Grid(images []image.Image, cols int) *image.RGBA {
	if len(images) == 0 {
		return image.NewRGBA(image.Rect(0, 0, 0, 0))
	}
	if cols <= 0 {
		cols = int(math.Ceil(math.Sqrt(float64(len(images)))))
	}
	cols = min(cols, len(images))
	rows := (len(images) + cols - 1) / cols

	cellW, cellH := 0, 0
	for _, img := range images {
		if img == nil {
			continue
		}
		cellW = max(cellW, img.Bounds().Dx())
		cellH = max(cellH, img.Bounds().Dy())
	}

	width := cols*cellW + (cols+1)*GridGap
	height := rows*cellH + (rows+1)*GridGap
	grid := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(grid, grid.Bounds(), image.NewUniform(GridBackground), image.Point{}, draw.Src)

	for i, img := range images {
		if img == nil {
			continue
		}
		b := img.Bounds()
		x := GridGap + (i%cols)*(cellW+GridGap) + (cellW-b.Dx())/2
		y := GridGap + (i/cols)*(cellH+GridGap) + (cellH-b.Dy())/2
		cell := image.Rect(x, y, x+b.Dx(), y+b.Dy())
		draw.Draw(grid, cell, img, b.Min, draw.Over)
	}
	return grid
}
