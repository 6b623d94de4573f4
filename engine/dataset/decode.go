package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"strings"

	// The formats the loader reads, registered with package image.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"

	"golang.org/x/image/draw"
)

var (
	errEmpty      = errors.New("the file is empty")
	errFileTooBig = errors.New("the file is too large to be an image within the pixel limit")
	errFormat     = errors.New("not a PNG, JPEG, GIF, BMP, TIFF or WebP image")
)

// decoder turns encoded images into square RGB images of one resolution. It
// keeps a scratch image between calls, so each worker owns one.
type decoder struct {
	maxPixels int
	scratch   *image.RGBA
}

func newDecoder(resolution, maxPixels int) *decoder {
	return &decoder{
		maxPixels: maxPixels,
		scratch:   image.NewRGBA(image.Rect(0, 0, resolution, resolution)),
	}
}

// decodeFile reads and decodes the image file name into out. Its error is the
// plain reason the file is skipped.
func (dec *decoder) decodeFile(t tree, name string, maxBytes int64, out []byte) error {
	data, err := readFile(t, name, maxBytes)
	switch {
	case errors.Is(err, errFileTooBig):
		return err
	case errors.Is(err, fs.ErrPermission):
		return errors.New("cannot read the file: permission denied")
	case err != nil:
		return fmt.Errorf("cannot read the file: %s", plainError(err))
	}
	return dec.decode(data, out)
}

// decode decodes one encoded image, crops its centre square, scales that to
// the decoder's resolution with a Catmull-Rom filter and writes it into out as
// row-major 8-bit RGB, transparent pixels composited on white. It refuses an
// image whose header claims more than maxPixels before allocating its pixels.
// A decoder that panics on hostile bytes costs only this file.
func (dec *decoder) decode(data []byte, out []byte) (err error) {
	if len(data) == 0 {
		return errEmpty
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the image data is damaged (the decoder failed: %v)", r)
		}
	}()

	config, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return decodeError(format, err)
	}
	if err := dec.checkSize(config.Width, config.Height); err != nil {
		return err
	}

	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil && cutShort(format, data) {
		return fmt.Errorf("the %s file is truncated (%v)", formatName(format), err)
	}
	if err != nil {
		return decodeError(format, err)
	}
	b := img.Bounds()
	if err := dec.checkSize(b.Dx(), b.Dy()); err != nil {
		return err
	}

	dec.scaleCentre(img)
	dec.flattenOnWhite(out)
	return nil
}

// checkSize refuses images too large to decode safely or too small to use.
func (dec *decoder) checkSize(width, height int) error {
	pixels := int64(width) * int64(height)
	if width < 0 || height < 0 || pixels > int64(dec.maxPixels) {
		return fmt.Errorf("the image is %dx%d pixels (%.1f megapixels), over the %.1f megapixel limit",
			width, height, float64(pixels)/1e6, float64(dec.maxPixels)/1e6)
	}
	if width < MinSide || height < MinSide {
		return fmt.Errorf("the image is %dx%d pixels, smaller than %d pixels on a side",
			width, height, MinSide)
	}
	return nil
}

// decodeError words a decoder's error as a reason to skip the file.
func decodeError(format string, err error) error {
	switch {
	case errors.Is(err, image.ErrFormat):
		return errFormat
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("the %s file is truncated (%v)", formatName(format), err)
	case strings.Contains(err.Error(), "unsupported"):
		// Each decoder has its own UnsupportedError type; all say so.
		return fmt.Errorf("the %s file uses a feature the loader does not support (%v)",
			formatName(format), err)
	}
	return fmt.Errorf("the %s data is damaged (%v)", formatName(format), err)
}

// cutShort reports whether data lacks the trailer its format always ends
// with, the mark of a file cut short by an interrupted copy or download.
func cutShort(format string, data []byte) bool {
	switch format {
	case "png":
		return !bytes.HasSuffix(data, []byte("IEND\xae\x42\x60\x82"))
	case "jpeg":
		return !bytes.HasSuffix(bytes.TrimRight(data, "\x00"), []byte{0xff, 0xd9})
	case "gif":
		return !bytes.HasSuffix(data, []byte{0x3b})
	}
	return false
}

// formatName gives the name a person knows a format by.
func formatName(format string) string {
	switch format {
	case "":
		return "image"
	case "jpeg":
		return "JPEG"
	case "webp":
		return "WebP"
	}
	b := []byte(format)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// scaleCentre crops the centre square of img and scales it into dec.scratch.
// Catmull-Rom widens its kernel when shrinking, so a large photograph becomes
// a smooth thumbnail instead of an aliased one, and it stays sharp when a
// small image is enlarged. A wide kernel over millions of pixels is slow, so
// an image more than four times the resolution is first averaged down in
// whole blocks to about twice the resolution, which loses nothing the final
// filter would keep.
func (dec *decoder) scaleCentre(img image.Image) {
	b := img.Bounds()
	res := dec.scratch.Rect.Dx()
	side := min(b.Dx(), b.Dy())
	block := side / (2 * res)
	if block >= 2 {
		side -= side % block
	}
	x0 := b.Min.X + (b.Dx()-side)/2
	y0 := b.Min.Y + (b.Dy()-side)/2
	square := image.Rect(x0, y0, x0+side, y0+side)

	if block >= 2 {
		small := shrinkBlocks(img, square, block)
		draw.CatmullRom.Scale(dec.scratch, dec.scratch.Bounds(), small, small.Bounds(), draw.Src, nil)
		return
	}
	draw.CatmullRom.Scale(dec.scratch, dec.scratch.Bounds(), img, square, draw.Src, nil)
}

// shrinkBlocks averages each block x block square of the region square of img
// (whose side block divides) into one pixel of a new premultiplied image. It
// converts one band of rows at a time, so memory stays a small multiple of
// the region's width whatever its height.
func shrinkBlocks(img image.Image, square image.Rectangle, block int) *image.RGBA {
	side := square.Dx()
	small := image.NewRGBA(image.Rect(0, 0, side/block, side/block))
	band := image.NewRGBA(image.Rect(0, 0, side, block))
	sums := make([]uint32, side/block*4)
	area := uint32(block * block)

	for row := 0; row < side/block; row++ {
		top := image.Pt(square.Min.X, square.Min.Y+row*block)
		draw.Draw(band, band.Rect, img, top, draw.Src)

		clear(sums)
		for y := 0; y < block; y++ {
			line := band.Pix[y*band.Stride : y*band.Stride+side*4]
			for column := 0; column < side/block; column++ {
				s := sums[column*4 : column*4+4]
				cell := line[column*block*4 : (column+1)*block*4]
				for p := 0; p+3 < len(cell); p += 4 {
					s[0] += uint32(cell[p])
					s[1] += uint32(cell[p+1])
					s[2] += uint32(cell[p+2])
					s[3] += uint32(cell[p+3])
				}
			}
		}
		out := small.Pix[row*small.Stride : row*small.Stride+len(sums)]
		for i, sum := range sums {
			out[i] = uint8((sum + area/2) / area)
		}
	}
	return small
}

// flattenOnWhite writes dec.scratch as RGB into out, compositing each pixel
// on white. The scratch holds premultiplied colour, so white shows through
// by the missing alpha: c + (255 - a).
func (dec *decoder) flattenOnWhite(out []byte) {
	pix := dec.scratch.Pix
	out = out[:len(pix)/4*3]
	for i, o := 0, 0; i+3 < len(pix) && o+2 < len(out); i, o = i+4, o+3 {
		under := 255 - int(pix[i+3])
		out[o] = uint8(min(int(pix[i])+under, 255))
		out[o+1] = uint8(min(int(pix[i+1])+under, 255))
		out[o+2] = uint8(min(int(pix[i+2])+under, 255))
	}
}
