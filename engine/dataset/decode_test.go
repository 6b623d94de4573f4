package dataset

import (
	"image"
	"image/color"
	"testing"

	"golang.org/x/image/draw"
)

// BenchmarkDecodePhoto measures one camera-sized image (3000x2000 JPEG, six
// megapixels) decoded, cropped and scaled to 64x64: the cost per file that
// dominates loading a folder of photographs.
func BenchmarkDecodePhoto(b *testing.B) {
	photo := image.NewRGBA(image.Rect(0, 0, 3000, 2000))
	for y := 0; y < 2000; y++ {
		for x := 0; x < 3000; x++ {
			photo.SetRGBA(x, y, color.RGBA{uint8(x / 12), uint8(y / 8), uint8((x ^ y) & 0xff), 255})
		}
	}
	data := encodeJPEG(b, photo)
	dec := newDecoder(64, DefaultMaxPixels)
	out := make([]byte, 64*64*3)

	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := dec.decode(data, out); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBlockAveragingMatchesDirectFilter checks that averaging a large image
// in blocks before the final filter gives what the filter alone gives, on a
// smooth image with varying transparency.
func TestBlockAveragingMatchesDirectFilter(t *testing.T) {
	const side, res = 400, 32
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			img.SetNRGBA(x, y, color.NRGBA{
				uint8(x * 255 / side), uint8(y * 255 / side), 128, uint8(255 - y*200/side),
			})
		}
	}

	viaBlocks := make([]byte, res*res*3)
	dec := newDecoder(res, DefaultMaxPixels)
	dec.scaleCentre(img)
	dec.flattenOnWhite(viaBlocks)

	direct := make([]byte, res*res*3)
	draw.CatmullRom.Scale(dec.scratch, dec.scratch.Bounds(), img, img.Bounds(), draw.Src, nil)
	dec.flattenOnWhite(direct)

	for i := range direct {
		if d := int(viaBlocks[i]) - int(direct[i]); d > 3 || d < -3 {
			t.Fatalf("byte %d (pixel %d,%d): %d through blocks, %d directly",
				i, i/3%res, i/3/res, viaBlocks[i], direct[i])
		}
	}
}
