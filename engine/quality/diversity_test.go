package quality

import (
	"errors"
	"image"
	"math"
	"testing"
)

func diversityOf(t *testing.T, images []image.Image, pairs int, seed uint64) float64 {
	t.Helper()
	v, err := Diversity(images, pairs, seed)
	if err != nil {
		t.Fatalf("Diversity: %v", err)
	}
	return v
}

func TestCollapseFlagsWhatAPersonWouldCallCollapse(t *testing.T) {
	// The cases that fix CollapseThreshold. Real images are one draw of
	// the test style; each case imitates a generator.
	const n, pairs = 64, 200
	realImages := set(n, 64, 1, shapes)
	real := diversityOf(t, realImages, pairs, 1)
	fresh := set(n, 64, 2, shapes)
	tests := []struct {
		name      string
		generated []image.Image
		collapsed bool
	}{
		{"identical images", modes(1, n, 64, 3, 0), true},
		{"one output with noise", modes(1, n, 64, 4, 4), true},
		{"one layout in varied colours", recoloured(n, 64, 5), true},
		{"two outputs with noise", modes(2, n, 64, 6, 4), true},
		{"a fresh draw of the style", fresh, false},
		{"the same draw blurred", blurred(fresh), false},
		{"the same draw with noise", noisy(fresh, 8, 7), false},
		{"eight outputs with noise", modes(8, n, 64, 8, 4), false},
		{"noise images", set(n, 64, 9, noiseImage), false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := diversityOf(t, tt.generated, pairs, uint64(10+i))
			t.Logf("mean MS-SSIM %.3f against real %.3f: score %.2f", g, real, CollapseScore(g, real))
			if got := Collapsed(g, real); got != tt.collapsed {
				t.Errorf("generated %.3f, real %.3f, score %.2f: collapsed %v, want %v",
					g, real, CollapseScore(g, real), got, tt.collapsed)
			}
		})
	}
}

func TestDiversityOfIdenticalImagesIsOne(t *testing.T) {
	same := modes(1, 6, 32, 10, 0)
	if got := diversityOf(t, same, 15, 1); math.Abs(got-1) > 1e-5 {
		t.Errorf("diversity of identical images = %.7f, want 1", got)
	}
	varied := set(6, 32, 11, shapes)
	if got := diversityOf(t, varied, 15, 1); !(got < 0.9) {
		t.Errorf("diversity of varied images = %.3f, want clearly below 1", got)
	}
}

func TestDiversityUsesEveryPairWhenAskedForAll(t *testing.T) {
	// Five images make ten pairs. Asking for ten or more uses each once,
	// so the seed does not matter and the value is the plain mean.
	images := set(5, 32, 12, shapes)
	var want float64
	for i := range images {
		for j := i + 1; j < len(images); j++ {
			want += msssim(t, images[i], images[j])
		}
	}
	want /= 10
	for _, tt := range []struct {
		pairs int
		seed  uint64
	}{{10, 1}, {10, 2}, {500, 3}} {
		if got := diversityOf(t, images, tt.pairs, tt.seed); math.Abs(got-want) > 1e-9 {
			t.Errorf("%d pairs, seed %d: %.9f, want %.9f", tt.pairs, tt.seed, got, want)
		}
	}
}

func TestDiversityIsDeterministic(t *testing.T) {
	images := set(40, 32, 13, shapes)
	a := diversityOf(t, images, 50, 7)
	b := diversityOf(t, images, 50, 7)
	if a != b {
		t.Errorf("same seed: %g then %g", a, b)
	}
	if c := diversityOf(t, images, 50, 8); c == a {
		t.Errorf("seeds 7 and 8 both give %g; want other pairs drawn", a)
	}
}

func TestDiversityFloatMatchesImages(t *testing.T) {
	images := set(12, 32, 14, shapes)
	want := diversityOf(t, images, 30, 5)
	got, err := DiversityFloat(nhwc(images), 32, 3, 30, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("DiversityFloat %g, Diversity %g; want equal", got, want)
	}
}

func TestDiversityRejectsBadInput(t *testing.T) {
	two := set(2, 32, 15, shapes)
	small := set(3, 10, 16, shapes)
	nan := nhwc(two)
	nan[5] = float32(math.NaN())
	tests := []struct {
		name    string
		measure func() (float64, error)
		want    error
	}{
		{"one image", func() (float64, error) { return Diversity(two[:1], 10, 1) }, ErrNoImages},
		{"no pairs", func() (float64, error) { return Diversity(two, 0, 1) }, ErrBadOptions},
		{"under 11 pixels", func() (float64, error) { return Diversity(small, 3, 1) }, ErrImageSize},
		{"mixed sizes", func() (float64, error) {
			return Diversity(append(two[:1:1], small[0]), 1, 1)
		}, ErrImageSize},
		{"NaN", func() (float64, error) { return DiversityFloat(nan, 32, 3, 1, 1) }, ErrNotFinite},
		{"short batch", func() (float64, error) {
			return DiversityFloat(nhwc(two)[1:], 32, 3, 1, 1)
		}, ErrBatchShape},
	}
	for _, tt := range tests {
		if _, err := tt.measure(); !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestCollapseScore(t *testing.T) {
	tests := []struct {
		generated, real, score float64
		collapsed              bool
	}{
		{0.5, 0.5, 0, false},
		{1, 0.5, 1, true},
		{0.25, 0.5, -0.5, false},
		{0.6, 0.5, 0.2, false},
		{0.65, 0.5, 0.3, true},
		{0.2, 0.2, 0, false},
		{0.9, 0.2, 0.875, true},
		{1, 1, 0, false}, // real images all alike: nothing to judge
	}
	for _, tt := range tests {
		score := CollapseScore(tt.generated, tt.real)
		if math.Abs(score-tt.score) > 1e-12 {
			t.Errorf("CollapseScore(%g, %g) = %g, want %g", tt.generated, tt.real, score, tt.score)
		}
		if got := Collapsed(tt.generated, tt.real); got != tt.collapsed {
			t.Errorf("Collapsed(%g, %g) = %v, want %v", tt.generated, tt.real, got, tt.collapsed)
		}
	}
}

func TestChoosePairs(t *testing.T) {
	for _, n := range []int{2, 3, 9} {
		for _, want := range []int{1, 5, 40} {
			list := choosePairs(n, want, 1)
			all := n * (n - 1) / 2
			if len(list) != min(want, all) {
				t.Errorf("n=%d want=%d: %d pairs", n, want, len(list))
			}
			for _, p := range list {
				if p[0] == p[1] || p[0] < 0 || p[1] < 0 || p[0] >= n || p[1] >= n {
					t.Errorf("n=%d: bad pair %v", n, p)
				}
			}
		}
	}
	// Random pairs cover the set evenly enough that no image is left out.
	for seed := range uint64(20) {
		seen := make([]int, 10)
		for _, p := range choosePairs(10, 40, seed) {
			seen[p[0]]++
			seen[p[1]]++
		}
		for i, c := range seen {
			if c == 0 {
				t.Errorf("seed %d: image %d never drawn in 40 pairs", seed, i)
			}
		}
	}
}
