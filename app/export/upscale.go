package export

import (
	"errors"
	"fmt"
	"image"
	"image/draw"

	xdraw "golang.org/x/image/draw"
)

// maxPixels bounds the images Upscale and Grid make: 2^28 pixels are 1 GiB
// of RGBA, far beyond any export a person asks for on purpose.
const maxPixels = 1 << 28

// Errors Upscale returns.
var (
	ErrBadFactor = errors.New("upscale factor must be 1, 2, 4 or 8")
	ErrTooLarge  = errors.New("the image would be too large")
)

// Upscale returns img enlarged factor times, with its top-left corner at
// (0,0). factor is 1, 2, 4 or 8.
//
// Without smooth every source pixel becomes a factor×factor block of exactly
// its colour, which keeps the crisp look of small generator output; the
// result has the same pixel type as img when that is *image.RGBA,
// *image.NRGBA or *image.Gray, and is *image.RGBA64 otherwise, so no colour
// is rounded. With smooth the image is resampled with a Catmull-Rom filter
// into an *image.RGBA.
func Upscale(img image.Image, factor int, smooth bool) (image.Image, error) {
	switch factor {
	case 1, 2, 4, 8:
	default:
		return nil, fmt.Errorf("export: upscale by %d: %w", factor, ErrBadFactor)
	}
	b := img.Bounds()
	if b.Dx()*factor > 0 && b.Dy()*factor > maxPixels/(b.Dx()*factor) {
		return nil, fmt.Errorf("export: upscale %dx%d by %d: %w", b.Dx(), b.Dy(), factor,
			ErrTooLarge)
	}
	size := image.Rect(0, 0, b.Dx()*factor, b.Dy()*factor)

	if smooth {
		out := image.NewRGBA(size)
		if factor == 1 {
			draw.Draw(out, size, img, b.Min, draw.Src)
		} else {
			xdraw.CatmullRom.Scale(out, size, img, b, xdraw.Src, nil)
		}
		return out, nil
	}

	switch src := img.(type) {
	case *image.RGBA:
		out := image.NewRGBA(size)
		replicate(out.Pix, out.Stride, src.Pix[src.PixOffset(b.Min.X, b.Min.Y):], src.Stride,
			b.Dx(), b.Dy(), 4, factor)
		return out, nil
	case *image.NRGBA:
		out := image.NewNRGBA(size)
		replicate(out.Pix, out.Stride, src.Pix[src.PixOffset(b.Min.X, b.Min.Y):], src.Stride,
			b.Dx(), b.Dy(), 4, factor)
		return out, nil
	case *image.Gray:
		out := image.NewGray(size)
		replicate(out.Pix, out.Stride, src.Pix[src.PixOffset(b.Min.X, b.Min.Y):], src.Stride,
			b.Dx(), b.Dy(), 1, factor)
		return out, nil
	}
	wide := image.NewRGBA64(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(wide, wide.Bounds(), img, b.Min, draw.Src)
	out := image.NewRGBA64(size)
	replicate(out.Pix, out.Stride, wide.Pix, wide.Stride, b.Dx(), b.Dy(), 8, factor)
	return out, nil
}

// replicate copies a width×height block of pixels of bpp bytes each from src
// to dst, each pixel repeated factor times across and down.
func replicate(dst []byte, dstStride int, src []byte, srcStride, width, height, bpp,
	factor int) {
	for y := range height {
		row := src[y*srcStride : y*srcStride+width*bpp]
		first := dst[y*factor*dstStride : y*factor*dstStride+width*factor*bpp]
		for x := range width {
			pixel := row[x*bpp : (x+1)*bpp]
			for i := range factor {
				copy(first[(x*factor+i)*bpp:], pixel)
			}
		}
		for i := 1; i < factor; i++ {
			copy(dst[(y*factor+i)*dstStride:], first)
		}
	}
}
