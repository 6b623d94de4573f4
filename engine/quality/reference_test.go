package quality

import (
	"errors"
	"image"
	"slices"
	"sync"
	"testing"
)

func TestReferenceMatchesSWD(t *testing.T) {
	// A trainer prepares its real images once; every measurement must be
	// what SWD would have said, whatever the generated set's size.
	real := set(testImages, 32, 30, shapes)
	opt := Quick()
	opt.Seed = 9
	ref, err := NewReference(real, opt)
	if err != nil {
		t.Fatal(err)
	}
	refFloat, err := NewReferenceFloat(nhwc(real), 32, 3, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		generated []image.Image
	}{
		{"same count", set(testImages, 32, 31, shapes)},
		{"fewer", set(testImages/4, 32, 32, noiseImage)},
		{"more", noisy(set(testImages+20, 32, 33, shapes), 6, 1)},
		{"the real images", real},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want, err := SWD(real, tt.generated, opt)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ref.SWD(tt.generated)
			if err != nil {
				t.Fatal(err)
			}
			gotFloat, err := refFloat.SWDFloat(nhwc(tt.generated))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.PerLevel, want.PerLevel) ||
				!slices.Equal(gotFloat.PerLevel, want.PerLevel) ||
				!slices.Equal(got.Levels, want.Levels) {
				t.Errorf("reference %v and %v, SWD %v; want equal",
					got.PerLevel, gotFloat.PerLevel, want.PerLevel)
			}
		})
	}
}

func TestReferenceIsSafeForConcurrentUse(t *testing.T) {
	ref, err := NewReference(set(testImages/2, 32, 34, shapes), Quick())
	if err != nil {
		t.Fatal(err)
	}
	generated := set(testImages/2, 32, 35, shapes)
	want, err := ref.SWD(generated)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]Result, 3)
	for i := range results {
		wg.Go(func() {
			results[i], _ = ref.SWD(generated)
		})
	}
	wg.Wait()
	for i, r := range results {
		if r.Mean != want.Mean {
			t.Errorf("goroutine %d: %g, want %g", i, r.Mean, want.Mean)
		}
	}
}

func TestReferenceRejectsBadInput(t *testing.T) {
	if _, err := NewReference(nil, Quick()); !errors.Is(err, ErrNoImages) {
		t.Errorf("empty reference: error %v, want %v", err, ErrNoImages)
	}
	_, err := NewReference(set(2, 32, 36, shapes), SWDOptions{Projections: -1})
	if !errors.Is(err, ErrBadOptions) {
		t.Errorf("bad options: error %v, want %v", err, ErrBadOptions)
	}

	ref, err := NewReference(set(4, 32, 37, shapes), Quick())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		generated func() (Result, error)
		want      error
	}{
		{"other size", func() (Result, error) { return ref.SWD(set(2, 16, 38, shapes)) }, ErrImageSize},
		{"no images", func() (Result, error) { return ref.SWD(nil) }, ErrNoImages},
		{"short batch", func() (Result, error) {
			return ref.SWDFloat(make([]float32, 32*32*3-1))
		}, ErrBatchShape},
		{"one flat image", func() (Result, error) {
			return ref.SWDFloat(make([]float32, 32*32*3))
		}, nil},
	}
	for _, tt := range tests {
		if _, err := tt.generated(); !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}
}
