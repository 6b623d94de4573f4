// Package latent moves through a generator's latent space: it draws latents
// from the prior, truncates them, interpolates between them, breeds children
// from two parents, and finds GANSpace directions that sliders can follow.
//
// Latents are plain []float32 slices of the generator's latent length. The
// package never calls a network itself: the generator arrives as a
// GenerateFunc and its first layer as an ActivationFunc, so it knows nothing
// of any training framework or user interface.
//
// The prior is the standard normal distribution, whose mean is the zero
// vector; Truncate pulls latents towards that mean.
package latent
