package quality

import (
	"errors"
	"image"
	"math"
	"slices"
	"testing"
)

// The sets below are small so the tests stay fast; the benchmarks use 256.
const testImages = 64

func swdMean(t *testing.T, a, b []image.Image, opt SWDOptions) float64 {
	t.Helper()
	r, err := SWD(a, b, opt)
	if err != nil {
		t.Fatalf("SWD: %v", err)
	}
	return r.Mean
}

func TestSWDOfASetWithItselfIsZero(t *testing.T) {
	a := set(testImages, 64, 1, shapes)
	b := set(testImages, 64, 2, shapes)
	r, err := SWD(a, a, Quick())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Levels, []int{64, 32, 16}) {
		t.Errorf("levels %v, want [64 32 16]", r.Levels)
	}
	for l, v := range r.PerLevel {
		if v != 0 {
			t.Errorf("level %d: SWD of a set with itself = %g, want 0", r.Levels[l], v)
		}
	}

	// Two draws of one style differ only by sampling, yet clearly more
	// than nothing: the self value must not be a floor that hides that.
	if halves := swdMean(t, a, b, Quick()); !(halves > 1) {
		t.Errorf("SWD between two draws of the style = %g, want clearly above 0", halves)
	}
}

func TestSWDGrowsWithNoise(t *testing.T) {
	a := set(testImages, 32, 3, shapes)
	sigmas := []float64{1, 3, 8, 20, 50} // in 0-255 grey levels
	prev := 0.0
	for _, sigma := range sigmas {
		got := swdMean(t, a, noisy(a, sigma, 4), Quick())
		if !(got > prev) {
			t.Errorf("noise σ=%g: SWD %g, not above %g for less noise", sigma, got, prev)
		}
		prev = got
	}
}

func TestSWDSeparatesStyles(t *testing.T) {
	// Two halves of one dataset must be much closer to each other than
	// either is to a different kind of image: that is what lets a person
	// read a falling SWD as "learning the style".
	style := set(2*testImages, 64, 5, shapes)
	first, second := style[:testImages], style[testImages:]
	halves := swdMean(t, first, second, Quick())
	for _, other := range []struct {
		name   string
		images []image.Image
	}{
		{"noise images", set(testImages, 64, 6, noiseImage)},
		{"solid colours", set(testImages, 64, 7, solid)},
		{"noisy copies", noisy(second, 12, 8)},
	} {
		t.Run(other.name, func(t *testing.T) {
			d := swdMean(t, first, other.images, Quick())
			if !(d > 4*halves) {
				t.Errorf("SWD to %s = %.1f, halves of the style = %.1f; want more than 4×",
					other.name, d, halves)
			}
		})
	}
}

func TestSWDPresetsAgree(t *testing.T) {
	// Quick is meant to track Full: on the same comparisons the two rank
	// alike and stay within a third of each other.
	a := set(testImages/2, 32, 9, shapes)
	b := set(testImages/2, 32, 10, shapes)
	n := noisy(a, 5, 11)
	quickHalves, quickNoisy := swdMean(t, a, b, Quick()), swdMean(t, a, n, Quick())
	fullHalves, fullNoisy := swdMean(t, a, b, Full()), swdMean(t, a, n, Full())
	if !(quickHalves < quickNoisy && fullHalves < fullNoisy) {
		t.Errorf("rankings differ: quick %.1f < %.1f, full %.1f < %.1f",
			quickHalves, quickNoisy, fullHalves, fullNoisy)
	}
	t.Logf("halves: quick %.1f, full %.1f; noisy: quick %.1f, full %.1f",
		quickHalves, fullHalves, quickNoisy, fullNoisy)
	for _, p := range [][2]float64{{quickHalves, fullHalves}, {quickNoisy, fullNoisy}} {
		if math.Abs(p[0]-p[1]) > p[1]/3 {
			t.Errorf("quick %.1f against full %.1f: more than a third apart", p[0], p[1])
		}
	}
}

func TestSWDIsDeterministic(t *testing.T) {
	a := set(testImages, 32, 12, shapes)
	b := set(testImages+16, 32, 13, shapes)
	opt := Quick()
	opt.Seed = 42
	want, err := SWD(a, b, opt)
	if err != nil {
		t.Fatal(err)
	}

	for _, workers := range []int{1, 2, 3} {
		o := opt
		o.Workers = workers
		got, err := SWD(a, b, o)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.PerLevel, want.PerLevel) {
			t.Errorf("%d workers: %v, want %v", workers, got.PerLevel, want.PerLevel)
		}
	}

	swapped, err := SWD(b, a, opt)
	if err != nil {
		t.Fatal(err)
	}
	if swapped.Mean != want.Mean {
		t.Errorf("SWD(b, a) = %g, SWD(a, b) = %g; want equal", swapped.Mean, want.Mean)
	}

	// Another seed draws other patches and directions: a nearby value.
	opt.Seed = 43
	other, err := SWD(a, b, opt)
	if err != nil {
		t.Fatal(err)
	}
	if other.Mean == want.Mean || math.Abs(other.Mean-want.Mean) > want.Mean/5 {
		t.Errorf("seed 43 gives %g, seed 42 %g; want different but within a fifth",
			other.Mean, want.Mean)
	}
}

func TestSWDFloatMatchesImages(t *testing.T) {
	a := set(testImages, 32, 14, shapes)
	b := set(testImages/2, 32, 15, shapes)
	want, err := SWD(a, b, Quick())
	if err != nil {
		t.Fatal(err)
	}
	got, err := SWDFloat(nhwc(a), nhwc(b), 32, 3, Quick())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.PerLevel, want.PerLevel) || !slices.Equal(got.Levels, []int{32, 16}) {
		t.Errorf("SWDFloat %v at %v, SWD %v at %v; want equal",
			got.PerLevel, got.Levels, want.PerLevel, want.Levels)
	}
}

func TestSWDFloatGrey(t *testing.T) {
	// One-channel batches work the same way: a grey style against its
	// own other half is far closer than against grey noise.
	grey := func(images []image.Image) []float32 {
		rgb := nhwc(images)
		out := make([]float32, len(rgb)/3)
		for i := range out {
			out[i] = (rgb[3*i] + rgb[3*i+1] + rgb[3*i+2]) / 3
		}
		return out
	}
	a := grey(set(testImages, 32, 16, shapes))
	b := grey(set(testImages, 32, 17, shapes))
	n := grey(set(testImages, 32, 18, noiseImage))
	halves, err := SWDFloat(a, b, 32, 1, Quick())
	if err != nil {
		t.Fatal(err)
	}
	noise, err := SWDFloat(a, n, 32, 1, Quick())
	if err != nil {
		t.Fatal(err)
	}
	if !(noise.Mean > 4*halves.Mean) {
		t.Errorf("grey: noise %.1f, halves %.1f; want noise more than 4× halves",
			noise.Mean, halves.Mean)
	}
}

func TestSWDRejectsBadInput(t *testing.T) {
	good := set(4, 32, 19, shapes)
	small := set(2, 16, 20, shapes)
	wide := []image.Image{image.NewRGBA(image.Rect(0, 0, 32, 16))}
	tiny := set(2, 5, 21, shapes)
	tests := []struct {
		name string
		a, b []image.Image
		opt  SWDOptions
		want error
	}{
		{"empty first set", nil, good, Quick(), ErrNoImages},
		{"empty second set", good, []image.Image{}, Quick(), ErrNoImages},
		{"sizes differ between sets", good, small, Quick(), ErrImageSize},
		{"sizes differ within a set", append(good[:2:2], small[0]), good, Quick(), ErrImageSize},
		{"not square", wide, wide, Quick(), ErrImageSize},
		{"smaller than a patch", tiny, tiny, Quick(), ErrImageSize},
		{"negative patches", good, good, SWDOptions{PatchesPerImage: -1}, ErrBadOptions},
		{"patch of 2", good, good, SWDOptions{PatchSize: 2, MinResolution: 4}, ErrBadOptions},
		{"negative projections", good, good, SWDOptions{Projections: -3}, ErrBadOptions},
		{"levels below the patch", good, good, SWDOptions{MinResolution: 4}, ErrBadOptions},
		{"negative workers", good, good, SWDOptions{Workers: -1}, ErrBadOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SWD(tt.a, tt.b, tt.opt)
			if !errors.Is(err, tt.want) {
				t.Fatalf("SWD error %v, want %v", err, tt.want)
			}
			t.Log(err)
		})
	}
}

func TestSWDFloatRejectsBadBatches(t *testing.T) {
	good := nhwc(set(2, 16, 22, shapes))
	withNaN := slices.Clone(good)
	withNaN[100] = float32(math.NaN())
	withInf := slices.Clone(good)
	withInf[7] = float32(math.Inf(-1))
	tests := []struct {
		name           string
		a, b           []float32
		size, channels int
		want           error
	}{
		{"length not whole images", good[:len(good)-1], good, 16, 3, ErrBatchShape},
		{"zero size", good, good, 0, 3, ErrBatchShape},
		{"zero channels", good, good, 16, 0, ErrBatchShape},
		{"NaN", withNaN, good, 16, 3, ErrNotFinite},
		{"infinity", good, withInf, 16, 3, ErrNotFinite},
		{"empty", nil, good, 16, 3, ErrNoImages},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SWDFloat(tt.a, tt.b, tt.size, tt.channels, Quick())
			if !errors.Is(err, tt.want) {
				t.Fatalf("SWDFloat error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSWDComparesSetsOfDifferentSizes(t *testing.T) {
	// A small generated batch can be measured against a larger real set.
	// The distance then compares quantiles rather than pairs, and must
	// still tell the style from noise.
	real := set(2*testImages, 32, 23, shapes)
	fake := set(testImages/2, 32, 24, shapes)
	noise := set(testImages/2, 32, 25, noiseImage)
	near := swdMean(t, real, fake, Quick())
	far := swdMean(t, real, noise, Quick())
	if !(far > 3*near) {
		t.Errorf("style %.1f, noise %.1f; want noise more than 3× style", near, far)
	}

	// More real images only sharpen the reference: the distance to the
	// whole real set is below that to an equal-sized part of it.
	if part := swdMean(t, real[:len(fake)], fake, Quick()); !(near < part) {
		t.Errorf("against all %d real images %.1f, against %d of them %.1f; want less",
			len(real), near, len(fake), part)
	}
}
