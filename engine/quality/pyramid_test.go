package quality

import (
	"image"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestPyramidSizes(t *testing.T) {
	tests := []struct {
		size, min int
		want      []int
	}{
		{64, 16, []int{64, 32, 16}},
		{128, 16, []int{128, 64, 32, 16}},
		{32, 16, []int{32, 16}},
		{16, 16, []int{16}},
		{8, 16, []int{8}},       // smaller than the coarsest level: one level
		{48, 16, []int{48, 24}}, // 12 would be below 16
		{63, 16, []int{63, 32, 16}},
		{100, 7, []int{100, 50, 25, 13, 7}},
	}
	for _, tt := range tests {
		if got := pyramidSizes(tt.size, tt.min); !slices.Equal(got, tt.want) {
			t.Errorf("pyramidSizes(%d, %d) = %v, want %v", tt.size, tt.min, got, tt.want)
		}
	}
}

// pyramidOf builds the Laplacian pyramid of one image.
func pyramidOf(img image.Image, minSide int) ([][]float32, []int) {
	pixels := nhwc([]image.Image{img})
	size := img.Bounds().Dx()
	sizes := pyramidSizes(size, minSide)
	levels := make([][]float32, len(sizes))
	for l, s := range sizes {
		levels[l] = make([]float32, 3*s*s)
	}
	laplacian(levels, pixels, sizes, 3, newPyramidScratch(size, 3))
	return levels, sizes
}

// reconstruct adds the levels back up from the coarsest, returning planar
// channels of the finest size.
func reconstruct(levels [][]float32, sizes []int, channels int) []float32 {
	img := slices.Clone(levels[len(levels)-1])
	for l := len(sizes) - 2; l >= 0; l-- {
		s := sizes[l]
		up := make([]float32, channels*s*s)
		tmp := make([]float32, s*halfSize(s))
		d := sizes[l+1]
		for c := range channels {
			pyrUp(up[c*s*s:(c+1)*s*s], img[c*d*d:(c+1)*d*d], tmp, s)
		}
		for i := range up {
			up[i] += levels[l][i]
		}
		img = up
	}
	return img
}

func TestLaplacianReconstructs(t *testing.T) {
	tests := []struct {
		name string
		img  *image.RGBA
	}{
		{"shapes 64", shapes(rand.New(rand.NewPCG(1, 1)), 64)},
		{"noise 64", noiseImage(rand.New(rand.NewPCG(2, 1)), 64)},
		{"shapes 48", shapes(rand.New(rand.NewPCG(3, 1)), 48)},
		{"odd 37", shapes(rand.New(rand.NewPCG(4, 1)), 37)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			levels, sizes := pyramidOf(tt.img, 8)
			if len(sizes) < 3 {
				t.Fatalf("only %d levels %v; the test wants band-pass levels", len(sizes), sizes)
			}
			got := reconstruct(levels, sizes, 3)
			pixels := nhwc([]image.Image{tt.img})
			s := sizes[0]
			var worst float64
			for c := range 3 {
				for i := range s * s {
					want := pixels[3*i+c]
					worst = max(worst, math.Abs(float64(got[c*s*s+i]-want)))
				}
			}
			// One grey level is 2/255 ≈ 0.008 in [-1, 1].
			if worst > 1e-5 {
				t.Errorf("reconstruction differs from the image by up to %g", worst)
			}
		})
	}
}

func TestLaplacianOfConstantImage(t *testing.T) {
	// A flat image has no detail at any scale: every band-pass level is
	// zero and the low-pass level keeps the colour. This holds only if the
	// filters sum to one at the borders and upsampling restores the gain.
	img := solid(rand.New(rand.NewPCG(5, 1)), 64)
	levels, sizes := pyramidOf(img, 16)
	pixels := nhwc([]image.Image{img})
	for l, level := range levels {
		s := sizes[l]
		for c := range 3 {
			want := float32(0)
			if l == len(levels)-1 {
				want = pixels[c]
			}
			for _, v := range level[c*s*s : (c+1)*s*s] {
				if math.Abs(float64(v-want)) > 1e-6 {
					t.Fatalf("level %d (%d px) channel %d holds %g, want %g", l, s, c, v, want)
				}
			}
		}
	}
}

func TestPyramidFiltersKeepRamps(t *testing.T) {
	// The binomial filter is symmetric and centred, so away from the
	// borders halving a linear ramp samples it at even pixels and doubling
	// it back gives the ramp again. A shifted or lopsided filter fails.
	const s = 32
	ramp := make([]float32, s*s)
	for y := range s {
		for x := range s {
			ramp[y*s+x] = 0.03*float32(x) - 0.02*float32(y)
		}
	}
	d := halfSize(s)
	low := make([]float32, d*d)
	tmp := make([]float32, s*d)
	pyrDown(low, ramp, tmp, s)
	for y := 1; y < d-1; y++ {
		for x := 1; x < d-1; x++ {
			if got, want := low[y*d+x], ramp[2*y*s+2*x]; math.Abs(float64(got-want)) > 1e-5 {
				t.Fatalf("down at (%d,%d) = %g, want %g", x, y, got, want)
			}
		}
	}

	up := make([]float32, s*s)
	pyrUp(up, low, tmp, s)
	for y := 3; y < s-4; y++ {
		for x := 3; x < s-4; x++ {
			if got, want := up[y*s+x], ramp[y*s+x]; math.Abs(float64(got-want)) > 1e-5 {
				t.Fatalf("up at (%d,%d) = %g, want %g", x, y, got, want)
			}
		}
	}
}

func TestBandsHoldDetail(t *testing.T) {
	// The finest band of a noise image carries far more energy than that
	// of a smooth gradient; the low-pass level of both carries the mean.
	energy := func(img image.Image) float64 {
		levels, _ := pyramidOf(img, 16)
		var e float64
		for _, v := range levels[0] {
			e += float64(v) * float64(v)
		}
		return e / float64(len(levels[0]))
	}
	smooth := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			i := smooth.PixOffset(x, y)
			smooth.Pix[i], smooth.Pix[i+1], smooth.Pix[i+2], smooth.Pix[i+3] =
				uint8(4*x), uint8(4*y), 128, 255
		}
	}
	rough := noiseImage(rand.New(rand.NewPCG(6, 1)), 64)
	es, er := energy(smooth), energy(rough)
	if !(er > 100*es) {
		t.Errorf("finest band energy: noise %g, gradient %g; want noise ≫ gradient", er, es)
	}
}
