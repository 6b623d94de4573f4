package dataset

import (
	"context"
	"image"
	"image/color"
	"testing"

	"golang.org/x/image/tiff"
)

// TestLoadFormats loads one file of each format and colour model and checks
// the colour of its top and bottom halves after cropping and scaling to 16x16.
func TestLoadFormats(t *testing.T) {
	greyAlpha := make([][]byte, 32)
	for y := range greyAlpha {
		row := make([]byte, 64)
		for x := 0; x < 32; x++ {
			if y < 16 {
				row[2*x], row[2*x+1] = 60, 255
			}
		}
		greyAlpha[y] = row
	}
	palette := image.NewPaletted(image.Rect(0, 0, 32, 32), color.Palette{red, blue})
	convert(halves(32, 32, red, blue), palette)
	frameTwo := image.NewPaletted(image.Rect(0, 0, 32, 32), color.Palette{green})
	seeThrough := image.NewPaletted(image.Rect(0, 0, 32, 32), color.Palette{red, transparent})
	convert(halves(32, 32, red, transparent), seeThrough)

	grey := func(v uint8) color.NRGBA { return color.NRGBA{v, v, v, 255} }
	halfBlack := color.NRGBA{0, 0, 0, 128}
	orange := color.NRGBA{255, 128, 0, 255}
	webGreen := color.NRGBA{0, 160, 0, 255}

	tests := []struct {
		name        string
		data        func(t *testing.T) []byte
		top, bottom color.NRGBA
		tolerance   int
	}{
		{"rgba.png", func(t *testing.T) []byte {
			return encodePNG(t, halves(32, 32, red, blue))
		}, red, blue, 2},
		{"alpha.png", func(t *testing.T) []byte {
			return encodePNG(t, halves(32, 32, green, transparent))
		}, green, white, 2},
		{"half-transparent.png", func(t *testing.T) []byte {
			return encodePNG(t, halves(32, 32, halfBlack, black))
		}, grey(127), black, 2},
		{"grey.png", func(t *testing.T) []byte {
			return encodePNG(t, convert(halves(32, 32, black, white), image.NewGray(palette.Rect)))
		}, black, white, 2},
		{"palette.png", func(t *testing.T) []byte {
			return encodePNG(t, palette)
		}, red, blue, 2},
		{"deep.png", func(t *testing.T) []byte {
			return encodePNG(t, convert(halves(32, 32, red, blue), image.NewNRGBA64(palette.Rect)))
		}, red, blue, 2},
		{"grey16.png", func(t *testing.T) []byte {
			return encodePNG(t, convert(halves(32, 32, white, black), image.NewGray16(palette.Rect)))
		}, white, black, 2},
		{"grey-alpha.png", func(t *testing.T) []byte {
			return rawPNG(32, 32, 8, 4, greyAlpha)
		}, grey(60), white, 2},
		{"photo.jpg", func(t *testing.T) []byte {
			return encodeJPEG(t, halves(32, 32, red, blue))
		}, red, blue, 30},
		{"grey.jpeg", func(t *testing.T) []byte {
			return encodeJPEG(t, convert(halves(32, 32, black, white), image.NewGray(palette.Rect)))
		}, black, white, 8},
		{"cmyk.jpg", func(t *testing.T) []byte {
			return readTestdata(t, "cmyk.jpg")
		}, red, red, 20},
		{"animated.gif", func(t *testing.T) []byte {
			return encodeGIF(t, palette, frameTwo)
		}, red, blue, 2},
		{"transparent.gif", func(t *testing.T) []byte {
			return encodeGIF(t, seeThrough)
		}, red, white, 2},
		{"image.bmp", func(t *testing.T) []byte {
			return encodeBMP(t, halves(32, 32, red, blue))
		}, red, blue, 2},
		{"image.tiff", func(t *testing.T) []byte {
			return encodeTIFF(t, halves(32, 32, green, transparent), tiff.Deflate)
		}, green, white, 2},
		{"deep.tif", func(t *testing.T) []byte {
			img := convert(halves(32, 32, blue, red), image.NewRGBA64(palette.Rect))
			return encodeTIFF(t, img, tiff.Uncompressed)
		}, blue, red, 2},
		{"alpha-lossless.webp", func(t *testing.T) []byte {
			return readTestdata(t, "alpha-lossless.webp")
		}, blue, white, 2},
		{"lossy.webp", func(t *testing.T) []byte {
			return readTestdata(t, "lossy.webp")
		}, webGreen, webGreen, 20},
		{"lossy-alpha.webp", func(t *testing.T) []byte {
			return readTestdata(t, "lossy-alpha.webp")
		}, orange, white, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, tt.name, tt.data(t))

			d, err := Load(context.Background(), dir, Options{Resolution: 16})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(d.Paths) != 1 || len(d.Skipped) != 0 {
				t.Fatalf("loaded %d, skipped %v; want 1 loaded, none skipped",
					len(d.Paths), d.Skipped)
			}
			if got := pixelAt(d, 0, 8, 3); !near(got, tt.top, tt.tolerance) {
				t.Errorf("top half is %v, want %v", got, tt.top)
			}
			if got := pixelAt(d, 0, 8, 12); !near(got, tt.bottom, tt.tolerance) {
				t.Errorf("bottom half is %v, want %v", got, tt.bottom)
			}
		})
	}
}

// TestCMYKTIFFIsSkippedAsUnsupported pins a known gap: the TIFF decoder has
// no CMYK support, so such a file is skipped with a reason saying so rather
// than called damaged.
func TestCMYKTIFFIsSkippedAsUnsupported(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "cmyk.tif", cmykTIFF(16, 16, 0, 255, 255, 0))
	writeFile(t, dir, "fine.png", encodePNG(t, halves(16, 16, red, red)))

	d, err := Load(context.Background(), dir, Options{Resolution: 16})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(d.Skipped) != 1 || !contains(d.Skipped[0].Reason, "not support") {
		t.Fatalf("skipped %v, want cmyk.tif as not supported", d.Skipped)
	}
}
