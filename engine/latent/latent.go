package latent

import (
	"fmt"
	"image"
	"math"
)

// GenerateFunc maps latent vectors, each as long as the generator's latent
// length, to one image per latent, in order. It must not change z.
type GenerateFunc func(z [][]float32) ([]image.Image, error)

// ActivationFunc returns the generator's first-layer activations for the
// latents z: one flattened row per latent, every row the same length. It
// must not change z.
type ActivationFunc func(z [][]float32) ([][]float32, error)

// Rand is the randomness the package draws from. The *Rand types of both
// math/rand and math/rand/v2 satisfy it, so a caller can seed it to repeat a
// result exactly.
type Rand interface {
	// NormFloat64 returns a standard normal number.
	NormFloat64() float64
	// Float64 returns a uniform number in [0,1).
	Float64() float64
}

// Normal draws a latent of length dim from the standard normal prior.
func Normal(rng Rand, dim int) []float32 {
	z := make([]float32, dim)
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
	return z
}

// Truncate applies the truncation trick: it returns a new latent pulled
// towards the mean of the prior by psi, mean + psi·(z − mean). The prior is
// a standard normal, so the mean is the zero vector and the result is psi·z.
// psi 1 leaves z as it is; smaller psi trades variety for typical, cleaner
// images; 0 gives the mean latent. psi outside [0,1] is clamped to it.
func Truncate(z []float32, psi float64) []float32 {
	psi = min(max(psi, 0), 1)
	out := make([]float32, len(z))
	for i, v := range z {
		out[i] = float32(psi * float64(v))
	}
	return out
}

// parallelCosine is the cosine above which Slerp treats two latents as
// parallel and interpolates linearly: the arc is then shorter than 0.032
// radians and the two paths differ by less than a part in ten thousand.
const parallelCosine = 0.9995

// Slerp interpolates spherically from a (t = 0) to b (t = 1): the direction
// turns along the great circle through a and b at an even angular speed
// while the length changes linearly from a's to b's. Between two latents of
// equal length every point keeps that length, so the path stays where the
// prior puts its mass instead of cutting through the low-density middle.
//
// At t = 0 and t = 1 the result equals a and b exactly. When a and b are
// nearly parallel or opposite, or one is zero, the great circle is undefined
// or unstable and Slerp interpolates linearly instead. t outside [0,1]
// extrapolates. Slerp panics if a and b differ in length.
func Slerp(a, b []float32, t float64) []float32 {
	mustSameLength("Slerp", a, b)
	switch t {
	case 0:
		return clone(a)
	case 1:
		return clone(b)
	}

	normA, normB, dot := norm(a), norm(b), 0.0
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
	}
	if normA == 0 || normB == 0 {
		return lerp(a, b, t)
	}
	cos := dot / (normA * normB)
	if math.Abs(cos) > parallelCosine {
		return lerp(a, b, t)
	}

	// Turn the direction at an even angular speed and change the length
	// linearly from a's to b's.
	omega := math.Acos(cos)
	sin := math.Sin(omega)
	length := (1-t)*normA + t*normB
	weightA := math.Sin((1-t)*omega) / sin * length / normA
	weightB := math.Sin(t*omega) / sin * length / normB
	out := make([]float32, len(a))
	for i := range a {
		out[i] = float32(weightA*float64(a[i]) + weightB*float64(b[i]))
	}
	return out
}

// Path returns frames latents from a to b by Slerp, evenly spaced in t, with
// a first and b last. One frame gives just a; none gives nil.
func Path(a, b []float32, frames int) [][]float32 {
	mustSameLength("Path", a, b)
	switch {
	case frames <= 0:
		return nil
	case frames == 1:
		return [][]float32{clone(a)}
	}
	path := make([][]float32, frames)
	for i := range path {
		path[i] = Slerp(a, b, float64(i)/float64(frames-1))
	}
	return path
}

// Tour strings Paths through the key latents in order, framesPerLeg frames
// from each key to the next, without repeating the key where two legs meet.
// When closed is true the tour also returns from the last key to the first
// and leaves the first key off the end, so an animation that loops plays
// without a stutter. Tour panics if the keys differ in length.
func Tour(keys [][]float32, framesPerLeg int, closed bool) [][]float32 {
	if len(keys) == 0 || framesPerLeg <= 0 {
		return nil
	}
	if len(keys) == 1 {
		return [][]float32{clone(keys[0])}
	}

	legs := len(keys) - 1
	if closed {
		legs++
	}
	var tour [][]float32
	for leg := range legs {
		a, b := keys[leg], keys[(leg+1)%len(keys)]
		mustSameLength("Tour", a, b)
		for i := range framesPerLeg {
			tour = append(tour, Slerp(a, b, float64(i)/float64(framesPerLeg)))
		}
	}
	if !closed {
		tour = append(tour, clone(keys[len(keys)-1]))
	}
	return tour
}

// Breed returns n children of the parents a and b.
//
// Each child starts on the great circle between the parents (Slerp), at a
// point drawn from its own slice of [0.15, 0.85] so that a litter spreads
// from one parent's likeness to the other's instead of bunching up. Crossing
// over single coordinates was considered and rejected: such a child is, on
// average, as far from each parent as the parents are from each other, so it
// rarely looks like either.
//
// variation in [0,1] then blends in fresh Gaussian noise as
// √(1−v²)·child + v·s·ε, where s is the parents' mean root-mean-square
// coordinate. The blend keeps a child's length where the parents' is, so
// children stay as sharp as their parents: 0 gives pure mixes, around 0.3 a
// family likeness, 1 latents unrelated to the parents. Values outside [0,1]
// are clamped. Breed panics if a and b differ in length.
func Breed(a, b []float32, n int, variation float64, rng Rand) [][]float32 {
	mustSameLength("Breed", a, b)
	if n <= 0 {
		return nil
	}
	variation = min(max(variation, 0), 1)
	keep := math.Sqrt(1 - variation*variation)
	scale := 1.0
	if len(a) > 0 {
		scale = (norm(a) + norm(b)) / 2 / math.Sqrt(float64(len(a)))
	}
	if scale == 0 {
		scale = 1
	}

	const lo, hi = 0.15, 0.85
	children := make([][]float32, n)
	for i := range children {
		t := lo + (hi-lo)*(float64(i)+rng.Float64())/float64(n)
		child := Slerp(a, b, t)
		for j := range child {
			noise := scale * rng.NormFloat64()
			child[j] = float32(keep*float64(child[j]) + variation*noise)
		}
		children[i] = child
	}
	return children
}

// norm returns the Euclidean length of v.
func norm(v []float32) float64 {
	sum := 0.0
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	return math.Sqrt(sum)
}

// lerp interpolates linearly; at t = 1 it gives b exactly.
func lerp(a, b []float32, t float64) []float32 {
	out := make([]float32, len(a))
	for i := range a {
		out[i] = float32((1-t)*float64(a[i]) + t*float64(b[i]))
	}
	return out
}

func clone(v []float32) []float32 {
	return append([]float32(nil), v...)
}

// mustSameLength panics when two latents differ in length: that is a
// programming error, as every latent of one generator has the same length.
func mustSameLength(op string, a, b []float32) {
	if len(a) != len(b) {
		panic(fmt.Sprintf("latent: %s: latents of length %d and %d", op, len(a), len(b)))
	}
}
