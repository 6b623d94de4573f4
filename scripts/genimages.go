//go:build ignore

// genimages writes N small PNG images into a folder, each a different
// gradient with a disc, for measuring how ganvas loads large folders:
//
//	go run scripts/genimages.go DIR N [SIDE]
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: go run scripts/genimages.go DIR N [SIDE]")
		os.Exit(2)
	}
	dir := os.Args[1]
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "N must be a positive number")
		os.Exit(2)
	}
	side := 96
	if len(os.Args) > 3 {
		if side, err = strconv.Atoi(os.Args[3]); err != nil || side < 8 {
			fmt.Fprintln(os.Stderr, "SIDE must be a number of at least 8")
			os.Exit(2)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	img := image.NewRGBA(image.Rect(0, 0, side, side))
	var buf bytes.Buffer
	for i := range n {
		cx, cy, r := (i*7)%side, (i*13)%side, side/4+i%(side/4)
		for y := range side {
			for x := range side {
				c := color.RGBA{uint8(x * 255 / side), uint8(y * 255 / side), uint8(i), 255}
				if dx, dy := x-cx, y-cy; dx*dx+dy*dy < r*r {
					c = color.RGBA{uint8(i * 31), 40, 200, 255}
				}
				img.SetRGBA(x, y, c)
			}
		}
		buf.Reset()
		if err := png.Encode(&buf, img); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		name := filepath.Join(dir, fmt.Sprintf("image-%06d.png", i))
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
