package dataset

import (
	"bytes"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/image/tiff"
)

// fuzzMaxPixels is the pixel limit under fuzzing: one megapixel, whose
// decoding at 16 bits a channel needs 8 MB.
const fuzzMaxPixels = 1 << 20

// fuzzMaxAlloc bounds what decoding one input may allocate: the limit above
// several times over, and far below what a lying header could claim.
const fuzzMaxAlloc = 96 << 20

// FuzzDecode feeds arbitrary bytes to the single-image decode path. It must
// return an image or a reason, never panic, never allocate far past the pixel
// limit, and give the same answer twice.
func FuzzDecode(f *testing.F) {
	paletted := image.NewPaletted(image.Rect(0, 0, 12, 10), color.Palette{red, transparent})
	seeds := [][]byte{
		encodePNG(f, halves(12, 10, red, transparent)),
		encodePNG(f, convert(halves(12, 10, red, blue), image.NewGray16(image.Rect(0, 0, 12, 10)))),
		encodePNG(f, paletted),
		encodeJPEG(f, halves(12, 10, red, blue)),
		encodeGIF(f, paletted, paletted),
		encodeBMP(f, halves(12, 10, red, blue)),
		encodeTIFF(f, halves(12, 10, red, blue), tiff.Deflate),
		cmykTIFF(9, 9, 1, 2, 3, 4),
		rawPNG(50000, 50000, 8, 2, [][]byte{make([]byte, 10)}),
		rawPNG(9, 9, 8, 4, [][]byte{make([]byte, 18)}),
		nil,
		[]byte("not an image"),
	}
	testdata, err := filepath.Glob(filepath.Join("testdata", "*.*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range testdata {
		if data, err := os.ReadFile(name); err == nil && !strings.HasSuffix(name, ".md") {
			seeds = append(seeds, data)
		}
	}
	for _, s := range seeds {
		f.Add(s)
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		dec := newDecoder(16, fuzzMaxPixels)
		out := make([]byte, 16*16*3)

		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := dec.decode(data, out)
		runtime.ReadMemStats(&after)

		if grew := after.TotalAlloc - before.TotalAlloc; grew > fuzzMaxAlloc {
			t.Fatalf("decoding %d bytes allocated %d MB", len(data), grew>>20)
		}
		if err != nil && strings.Contains(err.Error(), "decoder failed") {
			t.Fatalf("a decoder panicked: %v", err)
		}
		if err != nil && err.Error() == "" {
			t.Fatal("a file was refused with no reason")
		}

		again := make([]byte, len(out))
		err2 := newDecoder(16, fuzzMaxPixels).decode(data, again)
		if (err == nil) != (err2 == nil) || (err == nil && !bytes.Equal(out, again)) {
			t.Fatalf("decoding twice differs: %v then %v", err, err2)
		}
	})
}
