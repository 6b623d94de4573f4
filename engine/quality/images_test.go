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
	out := make([]float32, b.n*b.imageLen())
	for i := range b.n {
		b.load(i, out[i*b.imageLen():(i+1)*b.imageLen()])
	}
	return out
}

// modes imitates a generator stuck on k outputs: n images, each one of k
// style images with fresh Gaussian noise of sigma grey levels.
func modes(k, n, size int, seed uint64, sigma float64) []image.Image {
	base := set(k, size, seed, shapes)
	rng := rand.New(rand.NewPCG(seed, 3))
	out := make([]image.Image, n)
	for i := range out {
		out[i] = withNoise(rng, base[i%k].(*image.RGBA), sigma)
	}
	return out
}

// recoloured imitates a generator stuck on one layout that still varies
// its colours: each image scales the channels of one picture by random
// factors in [0.8, 1.2] and adds a little noise.
func recoloured(n, size int, seed uint64) []image.Image {
	base := shapes(rand.New(rand.NewPCG(seed, 1)), size)
	rng := rand.New(rand.NewPCG(seed, 4))
	out := make([]image.Image, n)
	for i := range out {
		img := image.NewRGBA(base.Rect)
		f := [3]float64{0.8 + 0.4*rng.Float64(), 0.8 + 0.4*rng.Float64(), 0.8 + 0.4*rng.Float64()}
		for p, v := range base.Pix {
			if p%4 == 3 {
				img.Pix[p] = 255
				continue
			}
			img.Pix[p] = uint8(math.Min(255, float64(v)*f[p%4]))
		}
		out[i] = withNoise(rng, img, 3)
	}
	return out
}

// blurred softens images with a 3×3 box, as an undertrained generator's
// samples look.
func blurred(images []image.Image) []image.Image {
	out := make([]image.Image, len(images))
	for k, img := range images {
		src := img.(*image.RGBA)
		dst := image.NewRGBA(src.Rect)
		s := src.Rect.Dx()
		for y := range s {
			for x := range s {
				for c := range 4 {
					sum, count := 0, 0
					for dy := -1; dy <= 1; dy++ {
						for dx := -1; dx <= 1; dx++ {
							xx, yy := x+dx, y+dy
							if xx >= 0 && yy >= 0 && xx < s && yy < s {
								sum += int(src.Pix[src.PixOffset(xx, yy)+c])
								count++
							}
						}
					}
					dst.Pix[dst.PixOffset(x, y)+c] = uint8(sum / count)
				}
			}
		}
		out[k] = dst
	}
	return out
}
