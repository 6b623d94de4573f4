package quality

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
)

// The test images are drawn here so that no test needs a download. A
// "style" is a family of images that share a look but differ in detail.

// shapes draws a picture of the test style: a two-colour diagonal
// gradient with a few soft-edged discs and bars in warm colours.
func shapes(rng *rand.Rand, size int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	top := warm(rng)
	bottom := warm(rng)
	for y := range size {
		for x := range size {
			t := float64(x+y) / float64(2*size-2)
			img.Set(x, y, mix(top, bottom, t))
		}
	}

	for range 1 + rng.IntN(3) {
		c := warm(rng)
		cx, cy := rng.Float64()*float64(size), rng.Float64()*float64(size)
		r := float64(size) * (0.08 + 0.2*rng.Float64())
		bar := rng.IntN(2) == 0
		for y := range size {
			for x := range size {
				dx, dy := float64(x)-cx, float64(y)-cy
				var inside float64
				if bar {
					inside = math.Min(r-math.Abs(dx), r/3-math.Abs(dy))
				} else {
					inside = r - math.Hypot(dx, dy)
				}
				// A one-pixel soft edge, like an antialiased drawing.
				a := math.Max(0, math.Min(1, inside+0.5))
				if a > 0 {
					img.Set(x, y, mix(img.RGBAAt(x, y), c, a))
				}
			}
		}
	}
	return img
}

// warm is a random colour with more red than blue.
func warm(rng *rand.Rand) color.RGBA {
	return color.RGBA{
		R: uint8(150 + rng.IntN(106)),
		G: uint8(40 + rng.IntN(160)),
		B: uint8(rng.IntN(90)),
		A: 255,
	}
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	f := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-t) + float64(y)*t)) }
	return color.RGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), 255}
}

// noiseImage is uniform random colour in every pixel.
func noiseImage(rng *rand.Rand, size int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.IntN(256))
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	return img
}

// solid is one random colour everywhere.
func solid(rng *rand.Rand, size int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	c := color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
	for y := range size {
		for x := range size {
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// withNoise returns a copy of img with Gaussian noise of the given
// standard deviation (in 0-255 units) added to each colour value.
func withNoise(rng *rand.Rand, img *image.RGBA, sigma float64) *image.RGBA {
	out := image.NewRGBA(img.Rect)
	for i, v := range img.Pix {
		if i%4 == 3 {
			out.Pix[i] = v
			continue
		}
		out.Pix[i] = uint8(math.Max(0, math.Min(255, math.Round(float64(v)+sigma*rng.NormFloat64()))))
	}
	return out
}

// set draws n images with draw from a generator seeded with seed.
func set(n, size int, seed uint64, draw func(*rand.Rand, int) *image.RGBA) []image.Image {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]image.Image, n)
	for i := range out {
		out[i] = draw(rng, size)
	}
	return out
}

// noisy returns copies of images with Gaussian noise of sigma added.
func noisy(images []image.Image, sigma float64, seed uint64) []image.Image {
	rng := rand.New(rand.NewPCG(seed, 2))
	out := make([]image.Image, len(images))
	for i, img := range images {
		out[i] = withNoise(rng, img.(*image.RGBA), sigma)
	}
	return out
}

// nhwc converts images to the trainer's layout, values in [-1, 1].
func nhwc(images []image.Image) []float32 {
	b, err := batchFromImages(images)
	if err != nil {
		panic(err)
	}
	return b.pixels
}
