package dataset

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// The test corpus is made here, in each test's own temporary folder, except
// for the WebP and CMYK JPEG files in testdata/ that Go cannot encode.

var (
	red         = color.NRGBA{255, 0, 0, 255}
	green       = color.NRGBA{0, 200, 0, 255}
	blue        = color.NRGBA{0, 0, 255, 255}
	black       = color.NRGBA{0, 0, 0, 255}
	white       = color.NRGBA{255, 255, 255, 255}
	transparent = color.NRGBA{0, 0, 0, 0}
)

// halves returns a w x h image whose top half is top and bottom half bottom.
func halves(w, h int, top, bottom color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		c := top
		if y >= h/2 {
			c = bottom
		}
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// sides returns a w x h image whose left half is left and right half right.
func sides(w, h int, left, right color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := left
			if x >= w/2 {
				c = right
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// convert redraws img in another colour model, such as *image.Gray.
func convert[T settable](img image.Image, dst T) T {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			dst.Set(x, y, img.At(x, y))
		}
	}
	return dst
}

type settable interface {
	image.Image
	Set(x, y int, c color.Color)
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeGIF(t testing.TB, frames ...*image.Paletted) []byte {
	t.Helper()
	var buf bytes.Buffer
	anim := &gif.GIF{Image: frames, Delay: make([]int, len(frames))}
	if err := gif.EncodeAll(&buf, anim); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeBMP(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := bmp.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeTIFF(t testing.TB, img image.Image, compression tiff.CompressionType) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := tiff.Encode(&buf, img, &tiff.Options{Compression: compression}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawPNG writes a PNG by hand from IHDR fields and unfiltered rows, for the
// cases Go's encoder never writes: grey with alpha, and lying headers.
func rawPNG(width, height uint32, bitDepth, colourType byte, rows [][]byte) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		var word [4]byte
		binary.BigEndian.PutUint32(word[:], uint32(len(data)))
		out.Write(word[:])
		crc := crc32.NewIEEE()
		crc.Write([]byte(kind))
		crc.Write(data)
		out.WriteString(kind)
		out.Write(data)
		binary.BigEndian.PutUint32(word[:], crc.Sum32())
		out.Write(word[:])
	}

	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], width)
	binary.BigEndian.PutUint32(ihdr[4:], height)
	ihdr[8], ihdr[9] = bitDepth, colourType
	chunk("IHDR", ihdr)

	var idat bytes.Buffer
	z := zlib.NewWriter(&idat)
	for _, row := range rows {
		z.Write([]byte{0}) // filter type None
		z.Write(row)
	}
	z.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

// cmykTIFF writes an uncompressed CMYK (separated) TIFF by hand.
func cmykTIFF(width, height int, c, m, y, k byte) []byte {
	type entry struct {
		tag, kind uint16
		count     uint32
		value     uint32
	}
	const short, long = 3, 4
	const entries = 10
	ifdSize := 2 + entries*12 + 4
	bitsAt := uint32(8 + ifdSize)
	pixelsAt := bitsAt + 8
	tags := []entry{
		{256, short, 1, uint32(width)},
		{257, short, 1, uint32(height)},
		{258, short, 4, bitsAt},
		{259, short, 1, 1},
		{262, short, 1, 5},
		{273, long, 1, pixelsAt},
		{277, short, 1, 4},
		{278, short, 1, uint32(height)},
		{279, long, 1, uint32(width * height * 4)},
		{284, short, 1, 1},
	}

	var out bytes.Buffer
	le := binary.LittleEndian
	out.WriteString("II*\x00")
	binary.Write(&out, le, uint32(8))
	binary.Write(&out, le, uint16(len(tags)))
	for _, e := range tags {
		binary.Write(&out, le, e.tag)
		binary.Write(&out, le, e.kind)
		binary.Write(&out, le, e.count)
		if e.kind == short && e.count == 1 {
			binary.Write(&out, le, uint16(e.value))
			binary.Write(&out, le, uint16(0))
		} else {
			binary.Write(&out, le, e.value)
		}
	}
	binary.Write(&out, le, uint32(0))
	binary.Write(&out, le, [4]uint16{8, 8, 8, 8})
	for range width * height {
		out.Write([]byte{c, m, y, k})
	}
	return out.Bytes()
}

// writeFile writes data to dir/name, making folders as needed.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// pixelAt returns the RGB of pixel (x, y) of image i in the dataset.
func pixelAt(d *Dataset, i, x, y int) [3]int {
	c := d.Image(i).RGBAAt(x, y)
	return [3]int{int(c.R), int(c.G), int(c.B)}
}

// near reports whether two colours differ by at most tolerance per channel.
func near(got [3]int, want color.NRGBA, tolerance int) bool {
	w := [3]int{int(want.R), int(want.G), int(want.B)}
	for i := range got {
		if d := got[i] - w[i]; d > tolerance || d < -tolerance {
			return false
		}
	}
	return true
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func colorGrey(v uint8) color.NRGBA { return color.NRGBA{v, v, v, 255} }
