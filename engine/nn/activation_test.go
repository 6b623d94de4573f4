package nn

import (
	"math"
	"testing"
)

// TestActivationMatchesDefinition checks the branch-free loops against the
// definitions, on both sides of zero and at zero of either sign.
func TestActivationMatchesDefinition(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	inputs := []float32{-3, -0.5, -1e-30, negZero, 0, 1e-30, 0.5, 3}
	type def struct {
		value func(x float32) float32
		slope func(y float32) float32 // the derivative, from the output
	}
	defs := map[Activation]def{
		Linear: {func(x float32) float32 { return x }, func(float32) float32 { return 1 }},
		ReLU: {func(x float32) float32 { return float32(math.Max(float64(x), 0)) },
			func(y float32) float32 {
				if y > 0 {
					return 1
				}
				return 0
			}},
		LeakyReLU: {func(x float32) float32 {
			if x < 0 {
				return 0.2 * x
			}
			return x
		}, func(y float32) float32 {
			if y > 0 {
				return 1
			}
			return 0.2
		}},
		Tanh: {func(x float32) float32 { return float32(math.Tanh(float64(x))) },
			func(y float32) float32 { return 1 - y*y }},
	}
	for a, d := range defs {
		y := append([]float32(nil), inputs...)
		a.activate(y)
		dy := make([]float32, len(y))
		for i := range dy {
			dy[i] = float32(i) - 2.5
		}
		dx := make([]float32, len(y))
		a.gradient(dx, y, dy)
		for i, x := range inputs {
			if want := d.value(x); math.Abs(float64(y[i]-want)) > 1e-6 {
				t.Errorf("%v(%v) = %v, want %v", a, x, y[i], want)
			}
			if want := dy[i] * d.slope(y[i]); math.Abs(float64(dx[i]-want)) > 1e-6 {
				t.Errorf("%v gradient at %v: %v, want %v", a, x, dx[i], want)
			}
		}
	}
}
