package latent

import (
	"context"
	"errors"
	"image"
	"math"
	"math/rand/v2"
	"testing"
)

func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 1))
}

func dot(a, b []float32) float64 {
	sum := 0.0
	for i := range a {
		sum += float64(a[i]) * float64(b[i])
	}
	return sum
}

// same reports whether a and b hold the same bits.
func same(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func angle(a, b []float32) float64 {
	return math.Acos(min(max(dot(a, b)/(norm(a)*norm(b)), -1), 1))
}

func TestNormalMatchesThePrior(t *testing.T) {
	z := Normal(newRand(1), 20000)
	mean, meanSquare := 0.0, 0.0
	for _, v := range z {
		mean += float64(v)
		meanSquare += float64(v) * float64(v)
	}
	mean /= float64(len(z))
	meanSquare /= float64(len(z))
	if math.Abs(mean) > 0.03 || math.Abs(meanSquare-1) > 0.05 {
		t.Errorf("mean %.3f and mean square %.3f, want about 0 and 1", mean, meanSquare)
	}
}

func TestTruncate(t *testing.T) {
	z := []float32{2, -4, 0.5}
	tests := []struct {
		psi  float64
		want []float32
	}{
		{psi: 0, want: []float32{0, 0, 0}},
		{psi: 0.5, want: []float32{1, -2, 0.25}},
		{psi: 1, want: []float32{2, -4, 0.5}},
		{psi: -3, want: []float32{0, 0, 0}},
		{psi: 7, want: []float32{2, -4, 0.5}},
	}
	for _, tt := range tests {
		got := Truncate(z, tt.psi)
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("Truncate(%v, %g) = %v, want %v", z, tt.psi, got, tt.want)
				break
			}
		}
	}
	if z[0] != 2 {
		t.Errorf("Truncate changed its input to %v", z)
	}
}

func TestSlerpEndpointsAreExact(t *testing.T) {
	rng := newRand(2)
	tests := []struct {
		name string
		a, b []float32
	}{
		{"random", Normal(rng, 128), Normal(rng, 128)},
		{"parallel", []float32{1, 2, 3}, []float32{2, 4, 6}},
		{"opposite", []float32{1, 2, 3}, []float32{-1, -2, -3}},
		{"zero", []float32{0, 0, 0}, []float32{0.1, 1e-30, 3e38}},
		{"tiny and huge", []float32{1e-38, -2e-45, 5}, []float32{3.4e38, 7, -1e-7}},
	}
	for _, tt := range tests {
		for _, end := range []struct {
			t    float64
			want []float32
		}{{0, tt.a}, {1, tt.b}} {
			if got := Slerp(tt.a, tt.b, end.t); !same(got, end.want) {
				t.Errorf("%s: Slerp at t=%g gives %v, want %v", tt.name, end.t, got, end.want)
			}
		}
	}
}

func TestSlerpKeepsTheLengthOfEqualLatents(t *testing.T) {
	rng := newRand(3)
	for trial := range 20 {
		a, b := Normal(rng, 64), Normal(rng, 64)
		scale := float32(norm(a) / norm(b))
		for i := range b {
			b[i] *= scale
		}
		for _, at := range []float64{0.1, 0.25, 0.5, 0.9} {
			got := norm(Slerp(a, b, at))
			if math.Abs(got-norm(a)) > 1e-4*norm(a) {
				t.Errorf("trial %d, t=%g: length %g, want %g", trial, at, got, norm(a))
			}
		}
	}
}

func TestSlerpFollowsTheArc(t *testing.T) {
	a := []float32{1, 0, 0}
	b := []float32{0, 1, 0}
	got := Slerp(a, b, 0.5)
	want := float32(math.Sqrt(0.5))
	if math.Abs(float64(got[0]-want)) > 1e-6 || math.Abs(float64(got[1]-want)) > 1e-6 ||
		got[2] != 0 {
		t.Errorf("Slerp of two axes at 0.5 = %v, want [%g %g 0]", got, want, want)
	}
}

func TestSlerpOfParallelLatentsIsLinear(t *testing.T) {
	got := Slerp([]float32{1, 1}, []float32{3, 3}, 0.5)
	if got[0] != 2 || got[1] != 2 {
		t.Errorf("Slerp of parallel latents at 0.5 = %v, want [2 2]", got)
	}
}

func TestPath(t *testing.T) {
	rng := newRand(4)
	a, b := Normal(rng, 32), Normal(rng, 32)
	for _, frames := range []int{0, 1, 2, 5, 30} {
		path := Path(a, b, frames)
		if len(path) != frames {
			t.Fatalf("Path with %d frames gives %d", frames, len(path))
		}
		if frames == 0 {
			continue
		}
		if !same(path[0], a) {
			t.Errorf("%d frames: first frame is not a", frames)
		}
		if frames > 1 && !same(path[frames-1], b) {
			t.Errorf("%d frames: last frame is not b", frames)
		}

		// Evenly spaced: every step turns by the same angle, and the length
		// moves linearly from a's to b's.
		for i, frame := range path[1:] {
			at := float64(i+1) / float64(frames-1)
			want := (1-at)*norm(a) + at*norm(b)
			if math.Abs(norm(frame)-want) > 1e-4*want {
				t.Errorf("%d frames: frame %d has length %g, want %g", frames, i+1, norm(frame), want)
			}
		}
		for i := 2; i < frames; i++ {
			first, this := angle(path[0], path[1]), angle(path[i-1], path[i])
			if math.Abs(this-first) > 1e-3 {
				t.Errorf("%d frames: step %d turns %.4f rad, step 1 %.4f", frames, i, this, first)
			}
		}
	}
}

func TestTour(t *testing.T) {
	rng := newRand(5)
	keys := [][]float32{Normal(rng, 8), Normal(rng, 8), Normal(rng, 8)}
	tests := []struct {
		closed     bool
		wantFrames int
		keyFrames  []int
	}{
		{closed: false, wantFrames: 9, keyFrames: []int{0, 4, 8}},
		{closed: true, wantFrames: 12, keyFrames: []int{0, 4, 8}},
	}
	for _, tt := range tests {
		tour := Tour(keys, 4, tt.closed)
		if len(tour) != tt.wantFrames {
			t.Fatalf("closed=%v: %d frames, want %d", tt.closed, len(tour), tt.wantFrames)
		}
		for k, frame := range tt.keyFrames {
			if !same(tour[frame], keys[k]) {
				t.Errorf("closed=%v: frame %d is not key %d", tt.closed, frame, k)
			}
		}
		for i := 1; i < len(tour); i++ {
			if same(tour[i], tour[i-1]) {
				t.Errorf("closed=%v: frames %d and %d are the same", tt.closed, i-1, i)
			}
		}
	}
	if got := Tour(keys[:1], 4, true); len(got) != 1 {
		t.Errorf("a tour of one key has %d frames, want 1", len(got))
	}
}

func TestBreedWithoutVariationStaysBetweenParents(t *testing.T) {
	rng := newRand(6)
	a, b := Normal(rng, 128), Normal(rng, 128)
	between := angle(a, b)
	children := Breed(a, b, 8, 0, rng)
	if len(children) != 8 {
		t.Fatalf("%d children, want 8", len(children))
	}
	for i, child := range children {
		toA, toB := angle(child, a), angle(child, b)
		if math.Abs(toA+toB-between) > 1e-3 {
			t.Errorf("child %d is off the arc: %.3f + %.3f rad from the parents, who are %.3f apart",
				i, toA, toB, between)
		}
		if toA < 0.1*between || toB < 0.1*between {
			t.Errorf("child %d is a near copy of a parent: %.3f and %.3f rad", i, toA, toB)
		}
	}

	// The litter spreads from a's likeness to b's.
	first, last := children[0], children[len(children)-1]
	if angle(first, a) > angle(first, b) || angle(last, b) > angle(last, a) {
		t.Errorf("children do not run from parent a to parent b")
	}
}

// offPlane returns the angle between v and the plane through a and b.
func offPlane(v, a, b []float32) float64 {
	unitA := make([]float64, len(a))
	unitB := make([]float64, len(a))
	for i := range a {
		unitA[i] = float64(a[i]) / norm(a)
	}
	alongA := dot(b, a) / norm(a)
	for i := range b {
		unitB[i] = float64(b[i]) - alongA*unitA[i]
	}
	lengthB := 0.0
	for _, x := range unitB {
		lengthB += x * x
	}
	lengthB = math.Sqrt(lengthB)

	onA, onB := 0.0, 0.0
	for i := range v {
		onA += float64(v[i]) * unitA[i]
		onB += float64(v[i]) * unitB[i] / lengthB
	}
	inPlane := math.Hypot(onA, onB)
	return math.Acos(min(inPlane/norm(v), 1))
}

func TestBreedVariation(t *testing.T) {
	rng := newRand(7)
	a, b := Normal(rng, 512), Normal(rng, 512)
	parentLength := (norm(a) + norm(b)) / 2
	tests := []struct {
		variation float64
		minAngle  float64 // radians the children stray from the parents' plane
		maxAngle  float64
	}{
		{variation: 0, minAngle: 0, maxAngle: 1e-3},
		{variation: 0.3, minAngle: 0.2, maxAngle: 0.4},
		{variation: 1, minAngle: 1.3, maxAngle: math.Pi / 2},
	}
	for _, tt := range tests {
		for i, child := range Breed(a, b, 16, tt.variation, rng) {
			off := offPlane(child, a, b)
			if off < tt.minAngle || off > tt.maxAngle {
				t.Errorf("variation %g, child %d: %.3f rad off the parents' plane, want %.2f to %.2f",
					tt.variation, i, off, tt.minAngle, tt.maxAngle)
			}
			if math.Abs(norm(child)/parentLength-1) > 0.15 {
				t.Errorf("variation %g, child %d: length %.1f, parents' %.1f",
					tt.variation, i, norm(child), parentLength)
			}
		}
	}
}

func TestBreedOfTruncatedParentsStaysSmall(t *testing.T) {
	rng := newRand(8)
	a, b := Truncate(Normal(rng, 256), 0.5), Truncate(Normal(rng, 256), 0.5)
	for i, child := range Breed(a, b, 4, 0.5, rng) {
		if ratio := norm(child) / norm(a); ratio < 0.8 || ratio > 1.2 {
			t.Errorf("child %d is %.2f times as long as its truncated parent", i, ratio)
		}
	}
}

func TestRender(t *testing.T) {
	var batches []int
	gen := func(z [][]float32) ([]image.Image, error) {
		batches = append(batches, len(z))
		images := make([]image.Image, len(z))
		for i, v := range z {
			images[i] = image.NewGray(image.Rect(0, 0, int(v[0]), 1))
		}
		return images, nil
	}
	latents := make([][]float32, 7)
	for i := range latents {
		latents[i] = []float32{float32(i + 1)}
	}

	images, err := Render(context.Background(), gen, latents, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, img := range images {
		if img.Bounds().Dx() != i+1 {
			t.Errorf("image %d came from latent %d", i, img.Bounds().Dx()-1)
		}
	}
	if len(batches) != 3 || batches[0] != 3 || batches[2] != 1 {
		t.Errorf("batches %v, want [3 3 1]", batches)
	}

	short := func(z [][]float32) ([]image.Image, error) { return nil, nil }
	if _, err := Render(context.Background(), short, latents, 3); err == nil {
		t.Error("a generator returning too few images was not reported")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Render(ctx, gen, latents, 3); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled render returned %v", err)
	}
}
