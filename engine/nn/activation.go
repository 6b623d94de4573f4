package nn

import "github.com/chewxy/math32"

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

// activate applies a to y in place.
func (a Activation) activate(y []float32) {
	switch a {
	case ReLU:
		for i, v := range y {
			if v < 0 {
				y[i] = 0
			}
		}
	case LeakyReLU:
		for i, v := range y {
			if v < 0 {
				y[i] = v * leakySlope
			}
		}
	case Tanh:
		for i, v := range y {
			y[i] = math32.Tanh(v)
		}
	}
}

// gradient writes into dst the gradient before the activation, given the
// activated output y and the gradient dy after it. All three activations
// can be differentiated from their output alone, so the input need not be
// kept.
func (a Activation) gradient(dst, y, dy []float32) {
	switch a {
	case Linear:
		copy(dst, dy)
	case ReLU:
		for i, v := range y {
			if v > 0 {
				dst[i] = dy[i]
			} else {
				dst[i] = 0
			}
		}
	case LeakyReLU:
		for i, v := range y {
			if v > 0 {
				dst[i] = dy[i]
			} else {
				dst[i] = dy[i] * leakySlope
			}
		}
	case Tanh:
		for i, v := range y {
			dst[i] = dy[i] * (1 - v*v)
		}
	}
}
