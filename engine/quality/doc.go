// Package quality measures how well a generator has learned a style, with
// no downloaded networks.
//
// SWD is the sliced Wasserstein distance of the progressive GAN paper
// (Karras et al. 2018): it compares the statistics of small 7×7 patches
// drawn from every level of a Laplacian pyramid, so it sees both fine
// texture and coarse layout. Lower is better; two samples of the same
// image set give a small value that sets the noise floor. Full has the
// paper's settings, Quick is cheap enough to run while training, and a
// Reference prepares the real images once for repeated measurements.
//
// Diversity is the mean multi-scale SSIM (Wang et al. 2003) over random
// pairs of images. A generator that has collapsed onto a few outputs makes
// pairs that look alike, so its value rises towards 1; Collapsed compares
// it with the diversity of the real images.
//
// Every entry point takes either image.Image values or the float32 NHWC
// batches in [-1, 1] that the trainer produces. Results depend only on the
// inputs and the seed, never on how many goroutines did the work.
package quality

import "errors"

// Errors a caller can test for with errors.Is. Each is wrapped with the
// operation and the detail, for example "quality: swd: second set: image 3
// is 32×32, want 64×64: images differ in size or are too small".
var (
	// ErrNoImages means a set of images was empty or too small to measure.
	ErrNoImages = errors.New("not enough images")
	// ErrImageSize means images differ in size, are not square, or are too
	// small for the measure.
	ErrImageSize = errors.New("images differ in size or are too small")
	// ErrBatchShape means a float32 batch does not hold a whole number of
	// images of the stated size and channels.
	ErrBatchShape = errors.New("batch length does not match its shape")
	// ErrNotFinite means a batch holds NaN or infinite values, as a
	// diverged generator can produce.
	ErrNotFinite = errors.New("batch holds NaN or infinite values")
	// ErrBadOptions means an option is out of range.
	ErrBadOptions = errors.New("option out of range")
)
