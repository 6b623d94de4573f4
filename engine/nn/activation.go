package nn

import (
	"math"

	"github.com/chewxy/math32"
)

// Activation is the non-linearity a layer applies to its output.
type Activation int

// The activations the GAN layers use.
const (
	Linear    Activation = iota // no activation
	ReLU                        // max(0, x)
	LeakyReLU                   // x for x > 0, else 0.2x
	Tanh                        // tanh(x), for images in [-1, 1]
)

// leakySlope is the negative slope of LeakyReLU, as in DCGAN.
const leakySlope = 0.2

var activationNames = [...]string{"linear", "relu", "leaky", "tanh"}

func (a Activation) String() string { return activationNames[a] }

// activate applies a to y in place. The loops avoid branches on the sign,
// which a CPU mispredicts half the time on activations.
func (a Activation) activate(y []float32) {
	switch a {
	case ReLU:
		for i, v := range y {
			y[i] = max(v, 0)
		}
	case LeakyReLU:
		for i, v := range y {
			y[i] = max(v, v*leakySlope)
		}
	case Tanh:
		for i, v := range y {
			y[i] = math32.Tanh(v)
		}
	}
}

// gradientInto returns the gradient before the activation as gradient
// computes it: dy itself for Linear, otherwise written into the start of dst.
func (a Activation) gradientInto(dst, y, dy []float32) []float32 {
	if a == Linear {
		return dy
	}
	dst = dst[:len(dy)]
	a.gradient(dst, y, dy)
	return dst
}

// gradient writes into dst the gradient before the activation, given the
// activated output y and the gradient dy after it. All three activations
// can be differentiated from their output alone, so the input need not be
// kept. ReLU and LeakyReLU pass dy where y > 0.
func (a Activation) gradient(dst, y, dy []float32) {
	dst, dy = dst[:len(y)], dy[:len(y)]
	switch a {
	case Linear:
		copy(dst, dy)
	case ReLU:
		for i, v := range y {
			dst[i] = math.Float32frombits(math.Float32bits(dy[i]) & positive(v))
		}
	case LeakyReLU:
		for i, v := range y {
			m, g := positive(v), dy[i]
			dst[i] = math.Float32frombits(math.Float32bits(g)&m | math.Float32bits(g*leakySlope)&^m)
		}
	case Tanh:
		for i, v := range y {
			dst[i] = dy[i] * (1 - v*v)
		}
	}
}

// positive returns all ones if v > 0 and zero if v ≤ 0 (-0 included),
// computed on the bits of v without a branch. A NaN counts as positive when
// its sign bit is clear.
func positive(v float32) uint32 {
	b := int32(math.Float32bits(v))
	return uint32((-b &^ b) >> 31)
}

// activateLike applies to the pre-activations y the slopes a has where like
// holds another pass's activated outputs: as if each unit kept the side of
// zero it had in that pass. ReLU and LeakyReLU are linear on either side, so
// a pass that follows another's masks is smooth in its inputs and weights.
func (a Activation) activateLike(y, like []float32) {
	like = like[:len(y)]
	switch a {
	case ReLU:
		for i, v := range y {
			y[i] = math.Float32frombits(math.Float32bits(v) & positive(like[i]))
		}
	case LeakyReLU:
		for i, v := range y {
			m := positive(like[i])
			y[i] = math.Float32frombits(math.Float32bits(v)&m | math.Float32bits(v*leakySlope)&^m)
		}
	}
}

// piecewiseLinear reports whether a is linear on either side of zero, so
// that another pass's masks can stand in for its own.
func (a Activation) piecewiseLinear() bool { return a == ReLU || a == LeakyReLU }
