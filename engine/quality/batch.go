package quality

import (
	"fmt"
	"image"
	"math"
	"runtime"
	"sync"
)

// batch is a set of square images of one size, either float32 values laid
// out NHWC in [-1, 1] or image.Image values converted as they are needed,
// so a set of images is never copied whole.
type batch struct {
	pixels   []float32     // NHWC values, or nil when images holds the set
	images   []image.Image // RGB images when pixels is nil
	n        int           // images
	size     int           // side in pixels
	channels int
}

// imageLen is the number of values in one image.
func (b batch) imageLen() int { return b.size * b.size * b.channels }

// load returns image i as NHWC values in [-1, 1]: a view into the batch's
// values, or the image converted into buf, which must hold imageLen values.
func (b batch) load(i int, buf []float32) []float32 {
	if b.pixels != nil {
		return b.pixels[i*b.imageLen() : (i+1)*b.imageLen()]
	}
	writeRGB(buf, b.images[i])
	return buf
}

// newBatch checks that pixels holds whole images of the given shape with
// finite values and wraps it without copying.
func newBatch(pixels []float32, size, channels int) (batch, error) {
	if size < 1 || channels < 1 {
		return batch{}, fmt.Errorf("size %d and channels %d must be positive: %w",
			size, channels, ErrBatchShape)
	}
	per := size * size * channels
	if len(pixels)%per != 0 {
		return batch{}, fmt.Errorf("%d values are not a whole number of %d×%d×%d images: %w",
			len(pixels), size, size, channels, ErrBatchShape)
	}
	for i, v := range pixels {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return batch{}, fmt.Errorf("image %d holds %v: %w", i/per, v, ErrNotFinite)
		}
	}
	return batch{pixels: pixels, n: len(pixels) / per, size: size, channels: channels}, nil
}

// batchFromImages wraps images as an RGB batch after checking they are all
// square and of one size. Transparent pixels will be taken as composited
// over black, as image.Image reports them.
func batchFromImages(images []image.Image) (batch, error) {
	if len(images) == 0 {
		return batch{}, nil
	}
	size := images[0].Bounds().Dx()
	for i, img := range images {
		r := img.Bounds()
		if r.Dx() != r.Dy() || r.Dx() != size || size == 0 {
			return batch{}, fmt.Errorf("image %d is %d×%d, want %d×%d: %w",
				i, r.Dx(), r.Dy(), size, size, ErrImageSize)
		}
	}

	return batch{images: images, n: len(images), size: size, channels: 3}, nil
}

// writeRGB stores img as interleaved RGB in [-1, 1].
func writeRGB(dst []float32, img image.Image) {
	r := img.Bounds()
	const scale16, scale8 = 2.0 / 65535, 2.0 / 255
	if rgba, ok := img.(*image.RGBA); ok {
		for y := 0; y < r.Dy(); y++ {
			row := rgba.Pix[rgba.PixOffset(r.Min.X, r.Min.Y+y):]
			out := dst[y*r.Dx()*3:]
			for x := 0; x < r.Dx(); x++ {
				out[3*x] = float32(row[4*x])*scale8 - 1
				out[3*x+1] = float32(row[4*x+1])*scale8 - 1
				out[3*x+2] = float32(row[4*x+2])*scale8 - 1
			}
		}
		return
	}

	// RGBA64At avoids an allocation per pixel; every image type of the
	// standard library has it.
	fast, hasFast := img.(image.RGBA64Image)
	i := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			var cr, cg, cb uint32
			if hasFast {
				c := fast.RGBA64At(x, y)
				cr, cg, cb = uint32(c.R), uint32(c.G), uint32(c.B)
			} else {
				cr, cg, cb, _ = img.At(x, y).RGBA()
			}
			dst[i] = float32(cr)*scale16 - 1
			dst[i+1] = float32(cg)*scale16 - 1
			dst[i+2] = float32(cb)*scale16 - 1
			i += 3
		}
	}
}

// defaultWorkers is the number of goroutines used when the caller asks for
// 0: two, the cores of the laptop this runs beside training on, or fewer if
// the process is limited to fewer.
func defaultWorkers(asked int) int {
	if asked > 0 {
		return asked
	}
	return min(2, runtime.GOMAXPROCS(0))
}

// parallel calls work(worker, i) for every i in [0, n) on up to workers
// goroutines and returns when all calls have returned. Items are handed
// out in order; worker identifies the goroutine so it can own scratch
// buffers.
func parallel(n, workers int, work func(worker, i int)) {
	workers = min(workers, n)
	if workers <= 1 {
		for i := range n {
			work(0, i)
		}
		return
	}

	var (
		mu   sync.Mutex
		next int
		wg   sync.WaitGroup
	)
	for w := range workers {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				work(w, i)
			}
		})
	}
	wg.Wait()
}
