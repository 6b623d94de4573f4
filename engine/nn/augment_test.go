package nn

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// augmentOf returns the kernel behind a node Augment built.
func augmentOf(n *G.Node) *augment { return n.Op().(*forwardOp).k.(*augment) }

func TestAugmentGradients(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy AugmentPolicy
		shape  []int
	}{
		{"colour", AugmentPolicy{Colour: true, Strength: 1}, []int{3, 6, 6, 3}},
		{"translation", AugmentPolicy{Translation: true, Strength: 1}, []int{3, 8, 8, 3}},
		{"cutout", AugmentPolicy{Cutout: true, Strength: 1}, []int{3, 6, 6, 3}},
		{"all of DiffAugment", DiffAugment, []int{4, 8, 8, 3}},
		{"all at half strength", AugmentPolicy{true, true, true, 0.5}, []int{4, 8, 8, 3}},
		{"non-square grey", DiffAugment, []int{3, 5, 9, 1}},
	} {
		checkGradients(t, gradCase{
			name:   tc.name,
			shapes: [][]int{tc.shape},
			build: func(in []*G.Node) (*G.Node, error) {
				policy := tc.policy
				out, err := Augment(in[0], &policy, rand.New(rand.NewPCG(5, 6)), true)
				if err != nil {
					return nil, err
				}
				// The check runs the graph many times: keep the first draws.
				augmentOf(out).replay = true
				return out, nil
			},
		})
	}
}

// referenceAugment applies the paper's operations one after another, in
// float64, with the parameters the layer drew.
func referenceAugment(a *augment, x []float32) []float32 {
	h, w, c := a.h, a.w, a.c
	size := h * w * c
	out := make([]float32, 0, len(x))
	for b, d := range a.draws {
		img := make([]float64, size)
		for i, v := range x[b*size : (b+1)*size] {
			img[i] = float64(v) + float64(d.brightness)
		}
		for p := 0; p < size; p += c {
			var m float64
			for _, v := range img[p : p+c] {
				m += v / float64(c)
			}
			for ch := p; ch < p+c; ch++ {
				img[ch] = (img[ch]-m)*float64(d.saturation) + m
			}
		}
		var mu float64
		for _, v := range img {
			mu += v / float64(size)
		}
		for i := range img {
			img[i] = (img[i]-mu)*float64(d.contrast) + mu
		}
		for y := 0; y < h; y++ {
			for xx := 0; xx < w; xx++ {
				sy, sx := y+d.shiftY, xx+d.shiftX
				inside := sy >= 0 && sy < h && sx >= 0 && sx < w
				cut := d.cut && y >= d.cutY && y < d.cutY+a.cutH && xx >= d.cutX && xx < d.cutX+a.cutW
				for ch := 0; ch < c; ch++ {
					var v float64
					if inside && !cut {
						v = img[(sy*w+sx)*c+ch]
					}
					out = append(out, float32(v))
				}
			}
		}
	}
	return out
}

func TestAugmentMatchesPaper(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for _, tc := range []struct {
		name   string
		policy AugmentPolicy
		shape  []int
	}{
		{"DiffAugment 16×16 RGB", DiffAugment, []int{6, 16, 16, 3}},
		{"colour only", AugmentPolicy{Colour: true, Strength: 1}, []int{4, 8, 8, 3}},
		{"odd sides", DiffAugment, []int{6, 7, 11, 3}},
		{"grey at 0.6", AugmentPolicy{true, true, true, 0.6}, []int{8, 8, 8, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := randomTensor(rng, 0.5, tc.shape...)
			g := G.NewGraph()
			out, err := Augment(node(g, x), &tc.policy, rng, false)
			if err != nil {
				t.Fatal(err)
			}
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			assertClose(t, data(out.Value().(*tensor.Dense)), referenceAugment(augmentOf(out), data(x)))
		})
	}
}

// TestAugmentStrength checks what Strength promises: each operation
// reaches a fraction p of the images, and p = 0 changes nothing.
func TestAugmentStrength(t *testing.T) {
	const n, side = 4000, 16
	x := randomTensor(rand.New(rand.NewPCG(21, 22)), 0.5, n, side, side, 1)
	for _, p := range []float64{0, 0.3, 1} {
		policy := AugmentPolicy{true, true, true, p}
		k, need := layerKernel(t, func(in []*G.Node) (*G.Node, error) {
			return Augment(in[0], &policy, rand.New(rand.NewPCG(23, 24)), false)
		}, x)
		out, err := k.forward([]*tensor.Dense{x})
		if err != nil {
			t.Fatal(err)
		}
		_ = need
		if p == 0 && !equalFloats(data(out.(*tensor.Dense)), data(x)) {
			t.Error("strength 0 changed the images")
		}
		var bright, sat, contrast, shifted, cut int
		for _, d := range k.(*augment).draws {
			if d.brightness != 0 {
				bright++
			}
			if d.saturation != 1 {
				sat++
			}
			if d.contrast != 1 {
				contrast++
			}
			if d.shiftY != 0 || d.shiftX != 0 {
				shifted++
			}
			if d.cut {
				cut++
			}
		}
		// A 16-pixel side shifts by -2..2 on each axis: 1 in 25 draws is no shift.
		for _, tc := range []struct {
			op    string
			count int
			want  float64
		}{
			{"brightness", bright, p},
			{"saturation", sat, p},
			{"contrast", contrast, p},
			{"translation", shifted, p * 24 / 25},
			{"cutout", cut, p},
		} {
			if got := float64(tc.count) / n; math.Abs(got-tc.want) > 0.03 {
				t.Errorf("strength %v: %s reached %.3f of the images, want %.3f", p, tc.op, got, tc.want)
			}
		}
	}
}

// TestAugmentRanges checks the magnitudes the paper gives, on 64×64
// images: shifts up to 8 pixels, a cut square of 32.
func TestAugmentRanges(t *testing.T) {
	const n, side = 2000, 64
	policy := DiffAugment
	k, _ := layerKernel(t, func(in []*G.Node) (*G.Node, error) {
		return Augment(in[0], &policy, rand.New(rand.NewPCG(25, 26)), false)
	}, tensor.New(tensor.WithShape(n, side, side, 1), tensor.Of(tensor.Float32)))
	a := k.(*augment)
	a.draw()
	if a.maxShiftY != 8 || a.cutH != 32 {
		t.Fatalf("64-pixel side: largest shift %d, cut side %d; want 8 and 32", a.maxShiftY, a.cutH)
	}
	lo := augmentDraw{brightness: 1, saturation: 3, contrast: 3, shiftY: 99, cutY: 99}
	hi := augmentDraw{brightness: -1, saturation: -1, contrast: -1, shiftY: -99, cutY: -99}
	for _, d := range a.draws {
		lo.brightness, hi.brightness = min(lo.brightness, d.brightness), max(hi.brightness, d.brightness)
		lo.saturation, hi.saturation = min(lo.saturation, d.saturation), max(hi.saturation, d.saturation)
		lo.contrast, hi.contrast = min(lo.contrast, d.contrast), max(hi.contrast, d.contrast)
		lo.shiftY, hi.shiftY = min(lo.shiftY, d.shiftY, d.shiftX), max(hi.shiftY, d.shiftY, d.shiftX)
		lo.cutY, hi.cutY = min(lo.cutY, d.cutY, d.cutX), max(hi.cutY, d.cutY, d.cutX)
	}
	for _, tc := range []struct {
		what           string
		lo, hi         float64
		wantLo, wantHi float64
		slack          float64
	}{
		{"brightness", float64(lo.brightness), float64(hi.brightness), -0.5, 0.5, 0.01},
		{"saturation", float64(lo.saturation), float64(hi.saturation), 0, 2, 0.01},
		{"contrast", float64(lo.contrast), float64(hi.contrast), 0.5, 1.5, 0.01},
		{"shift", float64(lo.shiftY), float64(hi.shiftY), -8, 8, 0},
		// The centre runs over 0..64, the corner 16 pixels before it.
		{"cut corner", float64(lo.cutY), float64(hi.cutY), -16, 48, 0},
	} {
		if tc.lo < tc.wantLo || tc.hi > tc.wantHi ||
			tc.lo > tc.wantLo+tc.slack || tc.hi < tc.wantHi-tc.slack {
			t.Errorf("%s drawn in [%v, %v], want [%v, %v]", tc.what, tc.lo, tc.hi, tc.wantLo, tc.wantHi)
		}
	}
}

// TestAugmentGeometry checks, on images of ones, what a person sees: a
// shift leaves a zero border as wide as the shift, a cut leaves a square
// hole clipped by the image.
func TestAugmentGeometry(t *testing.T) {
	const n, side = 64, 16
	ones := tensor.New(tensor.WithShape(n, side, side, 1), tensor.Of(tensor.Float32))
	for i := range data(ones) {
		data(ones)[i] = 1
	}
	rng := rand.New(rand.NewPCG(27, 28))
	for _, tc := range []struct {
		name   string
		policy AugmentPolicy
		kept   func(d augmentDraw) int
	}{
		{"translation", AugmentPolicy{Translation: true, Strength: 1}, func(d augmentDraw) int {
			return (side - abs(d.shiftY)) * (side - abs(d.shiftX))
		}},
		{"cutout", AugmentPolicy{Cutout: true, Strength: 1}, func(d augmentDraw) int {
			rows := min(d.cutY+side/2, side) - max(d.cutY, 0)
			cols := min(d.cutX+side/2, side) - max(d.cutX, 0)
			if rows < side/4 || cols < side/4 {
				t.Errorf("cut of %d×%d: less than a quarter of the square's side is inside", rows, cols)
			}
			return side*side - rows*cols
		}},
	} {
		g := G.NewGraph()
		out, err := Augment(node(g, ones), &tc.policy, rng, false)
		if err != nil {
			t.Fatal(err)
		}
		vm := G.NewTapeMachine(g)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		y := data(out.Value().(*tensor.Dense))
		for b, d := range augmentOf(out).draws {
			kept := 0
			for _, v := range y[b*side*side : (b+1)*side*side] {
				if v == 1 {
					kept++
				}
			}
			if want := tc.kept(d); kept != want {
				t.Errorf("%s of image %d by %+v kept %d pixels, want %d", tc.name, b, d, kept, want)
			}
		}
		vm.Close()
	}
}

func abs(v int) int { return max(v, -v) }

// TestAugmentResumes checks that the output depends on the rng state only:
// restoring a saved state replays the same augmentations bit for bit, and
// real and fake batches in one graph draw in a fixed order.
func TestAugmentResumes(t *testing.T) {
	x := randomTensor(rand.New(rand.NewPCG(29, 30)), 0.5, 8, 16, 16, 3)
	source := rand.NewPCG(31, 32)
	rng := rand.New(source)
	policy := AugmentPolicy{true, true, true, 0.7}

	g := G.NewGraph()
	real, err := Augment(node(g, x), &policy, rng, false)
	if err != nil {
		t.Fatal(err)
	}
	fake, err := Augment(node(g, x), &policy, rng, true)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	step := func() []float32 {
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		defer vm.Reset()
		out := append([]float32(nil), data(real.Value().(*tensor.Dense))...)
		return append(out, data(fake.Value().(*tensor.Dense))...)
	}

	step()
	saved, err := source.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	first, second := step(), step()
	if equalFloats(first, second) {
		t.Fatal("two steps drew the same augmentations")
	}
	if err := source.UnmarshalBinary(saved); err != nil {
		t.Fatal(err)
	}
	if again := step(); !equalFloats(again, first) {
		t.Error("a restored rng state did not replay the same step")
	}
}

// TestAugmentStrengthIsRead checks that a change of Strength between runs
// takes effect without rebuilding the graph, and a bad one fails the run.
func TestAugmentStrengthIsRead(t *testing.T) {
	x := randomTensor(rand.New(rand.NewPCG(33, 34)), 0.5, 4, 8, 8, 3)
	policy := DiffAugment
	g := G.NewGraph()
	out, err := Augment(node(g, x), &policy, rand.New(rand.NewPCG(35, 36)), false)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	policy.Strength = 0
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if !equalFloats(data(out.Value().(*tensor.Dense)), data(x)) {
		t.Error("strength set to 0 after building still changed the images")
	}
	vm.Reset()
	policy.Strength = math.NaN()
	if err := vmCause(vm.RunAll()); !errors.Is(err, ErrAugmentStrength) {
		t.Errorf("strength NaN: got %v, want ErrAugmentStrength", err)
	}
}

func TestAugmentErrors(t *testing.T) {
	g := G.NewGraph()
	images := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 8, 8, 3))
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		name     string
		x        *G.Node
		strength float64
		rng      *rand.Rand
		sentinel error
	}{
		{"strength above 1", images, 1.5, rng, ErrAugmentStrength},
		{"negative strength", images, -0.1, rng, ErrAugmentStrength},
		{"no rng", images, 1, nil, nil},
		{"not NHWC", G.NewTensor(g, tensor.Float32, 2, G.WithShape(2, 192)), 1, rng, nil},
	} {
		policy := AugmentPolicy{Colour: true, Strength: tc.strength}
		_, err := Augment(tc.x, &policy, tc.rng, false)
		if err == nil || (tc.sentinel != nil && !errors.Is(err, tc.sentinel)) {
			t.Errorf("%s: got %v", tc.name, err)
		}
	}
}

// The task's size: a batch of 64 RGB images of 64×64, every operation.
func BenchmarkAugment(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	policy := DiffAugment
	benchLayer(b, func(in []*G.Node) (*G.Node, error) {
		return Augment(in[0], &policy, rng, true)
	}, randomTensor(rng, 0.5, 64, 64, 64, 3))
}
