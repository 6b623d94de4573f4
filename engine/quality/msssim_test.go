package quality

import (
	"errors"
	"image"
	"math"
	"math/rand/v2"
	"testing"
)

func TestMSSSIMScales(t *testing.T) {
	tests := []struct{ size, want int }{
		{10, 0}, {11, 1}, {21, 1}, {22, 2}, {32, 2}, {43, 2}, {44, 3},
		{64, 3}, {88, 4}, {128, 4}, {176, 5}, {256, 5}, {1024, 5},
	}
	for _, tt := range tests {
		if got := MSSSIMScales(tt.size); got != tt.want {
			t.Errorf("MSSSIMScales(%d) = %d, want %d", tt.size, got, tt.want)
		}
	}
}

func msssim(t *testing.T, a, b image.Image) float64 {
	t.Helper()
	v, err := MSSSIM(a, b)
	if err != nil {
		t.Fatalf("MSSSIM: %v", err)
	}
	return v
}

func TestMSSSIMOfAnImageWithItselfIsOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 5))
	for _, tt := range []struct {
		name string
		img  image.Image
	}{
		{"shapes 64", shapes(rng, 64)},
		{"noise 64", noiseImage(rng, 64)},
		{"solid 32", solid(rng, 32)},
		{"shapes 128", shapes(rng, 128)},
	} {
		if got := msssim(t, tt.img, tt.img); math.Abs(got-1) > 1e-5 {
			t.Errorf("%s: MS-SSIM with itself = %.7f, want 1", tt.name, got)
		}
	}
}

func TestMSSSIMFallsWithNoise(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 5))
	img := shapes(rng, 64)
	prev := 1.0
	for _, sigma := range []float64{2, 5, 10, 20, 40, 80} {
		got := msssim(t, img, withNoise(rng, img, sigma))
		if !(got < prev) {
			t.Errorf("noise σ=%g: MS-SSIM %.4f, not below %.4f for less noise", sigma, got, prev)
		}
		prev = got
	}
	if prev > 0.5 {
		t.Errorf("heavy noise still scores %.3f; want well below 0.5", prev)
	}
}

func TestMSSSIMIsSymmetricAndBounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for range 5 {
		a, b := shapes(rng, 48), shapes(rng, 48)
		ab, ba := msssim(t, a, b), msssim(t, b, a)
		// float32 rounding differs with the order of the operands.
		if math.Abs(ab-ba) > 1e-4 {
			t.Errorf("MS-SSIM(a, b) = %g, MS-SSIM(b, a) = %g", ab, ba)
		}
		if ab < 0 || ab > 1 {
			t.Errorf("MS-SSIM %g outside [0, 1]", ab)
		}
	}
	// Flat images of different colours share structure but not light.
	if v := msssim(t, solid(rng, 32), solid(rng, 32)); !(v > 0 && v < 1) {
		t.Errorf("two flat colours: %g, want between 0 and 1", v)
	}
}

// referenceMSSSIM is a direct, slow transcription of the definition in
// float64: every 11×11 window summed in full, no separable filters, no
// cached statistics. The fast version must agree with it.
func referenceMSSSIM(a, b image.Image) float64 {
	pixels := nhwc([]image.Image{a, b})
	size := a.Bounds().Dx()
	second := pixels[len(pixels)/2:]
	n := MSSSIMScales(size)
	w := scaleWeights(n)
	var taps [ssimWindow]float64
	var tapSum float64
	for i := range taps {
		d := float64(i - ssimWindow/2)
		taps[i] = math.Exp(-d * d / (2 * ssimSigma * ssimSigma))
		tapSum += taps[i]
	}

	var total float64
	for c := range 3 {
		x := make([]float64, size*size)
		y := make([]float64, size*size)
		for i := range x {
			x[i] = (float64(pixels[3*i+c]) + 1) / 2
			y[i] = (float64(second[3*i+c]) + 1) / 2
		}
		ms := 1.0
		s := size
		for j := range n {
			var sumCS, sumSSIM float64
			v := s - ssimWindow + 1
			for r := range v {
				for q := range v {
					var ux, uy, xx, yy, xy float64
					for dr := range ssimWindow {
						for dq := range ssimWindow {
							g := taps[dr] * taps[dq] / (tapSum * tapSum)
							p, o := x[(r+dr)*s+q+dq], y[(r+dr)*s+q+dq]
							ux += g * p
							uy += g * o
							xx += g * p * p
							yy += g * o * o
							xy += g * p * o
						}
					}
					cs := (2*(xy-ux*uy) + ssimC2) / (xx - ux*ux + yy - uy*uy + ssimC2)
					l := (2*ux*uy + ssimC1) / (ux*ux + uy*uy + ssimC1)
					sumCS += cs
					sumSSIM += l * cs
				}
			}
			term := sumCS / float64(v*v)
			if j == n-1 {
				term = sumSSIM / float64(v*v)
			}
			ms *= math.Pow(math.Max(term, 0), w[j])

			h := s / 2
			nx, ny := make([]float64, h*h), make([]float64, h*h)
			for r := range h {
				for q := range h {
					i := 2*r*s + 2*q
					nx[r*h+q] = (x[i] + x[i+1] + x[i+s] + x[i+s+1]) / 4
					ny[r*h+q] = (y[i] + y[i+1] + y[i+s] + y[i+s+1]) / 4
				}
			}
			x, y, s = nx, ny, h
		}
		total += ms
	}
	return total / 3
}

func TestMSSSIMMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 5))
	base := shapes(rng, 64)
	tests := []struct {
		name string
		a, b image.Image
	}{
		{"one scale, two pictures", shapes(rng, 16), shapes(rng, 16)},
		{"two scales, odd size", shapes(rng, 27), shapes(rng, 27)},
		{"three scales, noisy copy", base, withNoise(rng, base, 15)},
		{"three scales, two pictures", base, shapes(rng, 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := msssim(t, tt.a, tt.b), referenceMSSSIM(tt.a, tt.b)
			if math.Abs(got-want) > 1e-4 {
				t.Errorf("MS-SSIM %.6f, definition %.6f", got, want)
			}
		})
	}
}

func TestMSSSIMRejectsBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	tests := []struct {
		name string
		a, b image.Image
	}{
		{"under 11 pixels", shapes(rng, 10), shapes(rng, 10)},
		{"sizes differ", shapes(rng, 32), shapes(rng, 33)},
		{"not square", image.NewRGBA(image.Rect(0, 0, 32, 31)), shapes(rng, 32)},
	}
	for _, tt := range tests {
		if _, err := MSSSIM(tt.a, tt.b); !errors.Is(err, ErrImageSize) {
			t.Errorf("%s: error %v, want %v", tt.name, err, ErrImageSize)
		}
	}
}
