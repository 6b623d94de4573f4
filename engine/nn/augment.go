package nn

import (
	"errors"
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ErrAugmentStrength is returned when an augmentation policy's strength is
// not a probability.
var ErrAugmentStrength = errors.New("nn: augmentation strength must lie in [0, 1]")

// AugmentPolicy says which differentiable augmentations Augment applies
// (Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN
// Training") and how often. Images are NHWC with values in [-1, 1].
//
// For every image of every batch, each of five operations is applied on its
// own with probability Strength, in this order:
//
//   - brightness (Colour): add b, uniform in [-0.5, 0.5), to every value;
//   - saturation (Colour): scale each pixel's deviation from the mean of
//     its channels by s, uniform in [0, 2);
//   - contrast (Colour): scale each value's deviation from the image's mean
//     by k, uniform in [0.5, 1.5);
//   - translation: shift the image by whole pixels, up to 1/8 of the side
//     (rounded) each way on each axis, filling with zeros;
//   - cutout: set to zero a square of half the side (rounded up) whose
//     centre is uniform over the image; the part of the square inside the
//     image is cut.
//
// A disabled operation is never applied.
type AugmentPolicy struct {
	// Colour enables brightness, saturation and contrast.
	Colour bool
	// Translation enables the shift.
	Translation bool
	// Cutout enables the cut square.
	Cutout bool

	// Strength is the probability p with which each enabled operation is
	// applied to each image, drawn independently per operation and image.
	// At 1 every image gets every enabled operation, as in the paper; at 0
	// the layer passes images through unchanged; in between an image gets
	// none of k enabled operations with probability (1-p)^k, Colour
	// counting as three. The random
	// magnitudes are drawn whatever p is, so changing p between steps, as
	// adaptive augmentation does, changes which operations apply and not
	// the draws that follow.
	Strength float64
}

// DiffAugment is the policy of the paper: colour, translation and cutout on
// every image. Augment reads a policy through its pointer, so give it the
// address of a copy, not of this variable.
var DiffAugment = AugmentPolicy{Colour: true, Translation: true, Cutout: true, Strength: 1}

func (p *AugmentPolicy) check() error {
	if !(p.Strength >= 0 && p.Strength <= 1) {
		return fmt.Errorf("nn: augment: strength %v: %w", p.Strength, ErrAugmentStrength)
	}
	return nil
}

// augmentDraw holds the random parameters of one image. The identity is
// brightness 0, saturation 1, contrast 1, no shift, no cut.
type augmentDraw struct {
	colour                           bool // any of the colour operations applies
	brightness, saturation, contrast float32
	shiftY, shiftX                   int  // output pixel (y, x) reads input (y+shiftY, x+shiftX)
	cut                              bool // the cut square applies
	cutY, cutX                       int  // its top-left corner, possibly outside the image
}

// augment applies random augmentations drawn per image at every forward
// pass. Given its draws it is affine in its input.
type augment struct {
	policy     *AugmentPolicy
	rng        *rand.Rand
	n, h, w, c int
	maxShiftY  int // largest shift each way
	maxShiftX  int
	cutH, cutW int // side of the cut square

	replay bool // reuse the latest draws instead of drawing: for gradient checks
	drawn  bool
	draws  []augmentDraw
	y, dx  *tensor.Dense
	grad   [1]*tensor.Dense
}

func (a *augment) name() string    { return "augment" }
func (a *augment) output() G.Value { return a.y }

// draw fills a.draws from the rng, always taking the same values in the
// same order for each image: a gate and a magnitude per operation.
func (a *augment) draw() {
	p := a.policy
	gate := func() bool { return a.rng.Float64() < p.Strength }
	for i := range a.draws {
		d := augmentDraw{saturation: 1, contrast: 1}

		on, v := gate(), a.rng.Float64()-0.5
		if on && p.Colour {
			d.brightness, d.colour = float32(v), true
		}
		on, v = gate(), 2*a.rng.Float64()
		if on && p.Colour {
			d.saturation, d.colour = float32(v), true
		}
		on, v = gate(), 0.5+a.rng.Float64()
		if on && p.Colour {
			d.contrast, d.colour = float32(v), true
		}

		on = gate()
		sy := a.rng.IntN(2*a.maxShiftY+1) - a.maxShiftY
		sx := a.rng.IntN(2*a.maxShiftX+1) - a.maxShiftX
		if on && p.Translation {
			d.shiftY, d.shiftX = sy, sx
		}

		// The centre runs over h+1 rows for an even side, h for an odd one,
		// so the square hangs over each border equally often.
		on = gate()
		cy := a.rng.IntN(a.h+1-a.cutH%2) - a.cutH/2
		cx := a.rng.IntN(a.w+1-a.cutW%2) - a.cutW/2
		if on && p.Cutout {
			d.cut, d.cutY, d.cutX = true, cy, cx
		}
		a.draws[i] = d
	}
}

func (a *augment) forward(in []*tensor.Dense) (G.Value, error) {
	if err := a.policy.check(); err != nil {
		return nil, err
	}
	if !a.replay || !a.drawn {
		a.draw()
		a.drawn = true
	}
	x, y := data(in[0]), data(a.y)
	size := a.h * a.w * a.c
	parallel(a.n, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			a.image(x[b*size:(b+1)*size], y[b*size:(b+1)*size], &a.draws[b])
		}
	})
	return a.y, nil
}

// mix returns the coefficients of the colour operations of d, which given
// the image's mean μ before any of them send a value v of a pixel whose
// channels have mean m to
//
//	k·(s·(v − m) + m − μ) + μ + b = k·s·v + k·(1−s)·m + (1−k)·μ + b,
//
// since brightness moves m and μ alike and saturation keeps each pixel's
// mean, hence the image's.
func (d *augmentDraw) mix() (own, pixel, image float32) {
	k, s := d.contrast, d.saturation
	return k * s, k * (1 - s), 1 - k
}

// image augments one image, a row at a time: each output row reads one
// source row shifted by the draw, then loses the cut square's columns.
func (a *augment) image(x, y []float32, d *augmentDraw) {
	c, rowLen := a.c, a.w*a.c
	own, pixel, image := d.mix()
	var offset float32
	if d.colour {
		var sum float64
		for _, v := range x {
			sum += float64(v)
		}
		offset = image*float32(sum/float64(len(x))) + d.brightness
	}
	x0, x1 := max(0, -d.shiftX), min(a.w, a.w-d.shiftX) // output columns with a source
	for oy := 0; oy < a.h; oy++ {
		row := y[oy*rowLen : (oy+1)*rowLen]
		sy := oy + d.shiftY
		if sy < 0 || sy >= a.h || x0 >= x1 {
			clear(row)
			continue
		}
		clear(row[:x0*c])
		clear(row[x1*c:])
		src := x[sy*rowLen+(x0+d.shiftX)*c : sy*rowLen+(x1+d.shiftX)*c]
		if d.colour {
			mixColour(row[x0*c:x1*c], src, c, own, pixel, offset)
		} else {
			copy(row[x0*c:x1*c], src)
		}
		if d.cut && oy >= d.cutY && oy < d.cutY+a.cutH {
			lo := min(max(d.cutX, 0), a.w)
			hi := max(min(d.cutX+a.cutW, a.w), lo)
			clear(row[lo*c : hi*c])
		}
	}
}

// mixColour sets each value v of dst to own·v + pixel·m + offset, where v
// and m, the mean of its pixel's c channels, are read from src; dst may be
// src.
func mixColour(dst, src []float32, c int, own, pixel, offset float32) {
	if c == 3 {
		pixel /= 3
		for i := 0; i+3 <= len(src); i += 3 {
			r, g, b := src[i], src[i+1], src[i+2]
			shared := pixel*(r+g+b) + offset
			dst[i], dst[i+1], dst[i+2] = own*r+shared, own*g+shared, own*b+shared
		}
		return
	}
	pixel /= float32(c)
	for i := 0; i+c <= len(src); i += c {
		var m float32
		for _, v := range src[i : i+c] {
			m += v
		}
		shared := pixel*m + offset
		for ch, v := range src[i : i+c] {
			dst[i+ch] = own*v + shared
		}
	}
}

func (a *augment) backward(dy []float32, _ []bool) ([]*tensor.Dense, error) {
	if a.dx == nil {
		a.dx = dense(nil, a.n, a.h, a.w, a.c)
	}
	dx := data(a.dx)
	size := a.h * a.w * a.c
	parallel(a.n, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			a.imageGradient(dy[b*size:(b+1)*size], dx[b*size:(b+1)*size], &a.draws[b])
		}
	})
	a.grad[0] = a.dx
	return a.grad[:], nil
}

// imageGradient is the transpose of image: the cut and the shift route each
// output gradient back to its source pixel, and the colour map, being
// symmetric, sends a gradient g to own·g + pixel·mean of the pixel's g +
// image·mean of the image's g.
func (a *augment) imageGradient(dy, dx []float32, d *augmentDraw) {
	c, rowLen := a.c, a.w*a.c
	x0, x1 := max(0, d.shiftX), min(a.w, a.w+d.shiftX) // source columns that are read
	for sy := 0; sy < a.h; sy++ {
		row := dx[sy*rowLen : (sy+1)*rowLen]
		oy := sy - d.shiftY
		if oy < 0 || oy >= a.h || x0 >= x1 {
			clear(row)
			continue
		}
		clear(row[:x0*c])
		clear(row[x1*c:])
		copy(row[x0*c:x1*c], dy[oy*rowLen+(x0-d.shiftX)*c:oy*rowLen+(x1-d.shiftX)*c])
		if d.cut && oy >= d.cutY && oy < d.cutY+a.cutH {
			// The cut output columns, as source columns.
			lo := min(max(d.cutX+d.shiftX, x0), x1)
			hi := max(min(d.cutX+a.cutW+d.shiftX, x1), lo)
			clear(row[lo*c : hi*c])
		}
	}
	if !d.colour {
		return
	}

	own, pixel, image := d.mix()
	var sum float64
	for _, g := range dx {
		sum += float64(g)
	}
	mixColour(dx, dx, c, own, pixel, image*float32(sum/float64(len(dx))))
}

// Augment adds differentiable augmentation of the NHWC image batch x by
// policy, which the layer reads at every forward pass: the caller may
// change policy.Strength between runs (adaptive augmentation), and a run
// fails with ErrAugmentStrength if it is not in [0, 1]. Apply it, with one
// policy, to the real and the generated batches alike right before the
// discriminator, in the discriminator's update and in the generator's.
//
// Every forward pass draws fresh parameters for every image from rng, which
// the caller owns: the same rng state and inputs give bit-identical outputs,
// so a trainer that saves and restores the rng's state resumes exactly.
// Graphs that share an rng draw in the order they run. The gradient of x is
// exact for the parameters drawn in the latest forward pass; needX says
// whether the graph uses it (true for generated images in the generator's
// update, false for real images).
func Augment(x *G.Node, policy *AugmentPolicy, rng *rand.Rand, needX bool) (*G.Node, error) {
	s := x.Shape()
	if s.Dims() != 4 {
		return nil, fmt.Errorf("nn: augment input has shape %v, want NHWC", s)
	}
	if policy == nil || rng == nil {
		return nil, fmt.Errorf("nn: augment needs a policy and a random source")
	}
	if err := policy.check(); err != nil {
		return nil, err
	}
	a := &augment{policy: policy, rng: rng, n: s[0], h: s[1], w: s[2], c: s[3],
		// side/8 and side/2 rounded half up, as the paper rounds them.
		maxShiftY: (s[1] + 4) / 8, maxShiftX: (s[2] + 4) / 8,
		cutH: (s[1] + 1) / 2, cutW: (s[2] + 1) / 2,
		draws: make([]augmentDraw, s[0]), y: dense(nil, s...)}
	return apply(a, s.Clone(), []bool{needX}, x)
}
