// Package engine trains generative adversarial networks on a folder of images.
//
// A Trainer runs in its own goroutine under a context and reports what happens
// as typed messages (Progress, Samples, CheckpointSaved, Warning, Done) on a
// channel. The listener may be slow: progress is coalesced and sample grids are
// latest-wins, so training never waits for a window to redraw.
//
// The package knows nothing of any user interface; the window and the command
// line both drive it through the same Trainer.
package engine
