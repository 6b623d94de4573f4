package ui

import (
	"image"
	"time"
)

// Update is anything a Backend reports on its Updates channel. The concrete
// types are Loading, Progress, Samples, DatasetLoaded, CheckpointSaved,
// Warning and Done; they mirror the engine's messages field for field.
type Update interface {
	isUpdate()
}

// Progress reports the state of training after a step. The studio draws every
// Progress it receives as a point on the curves, so a backend that coalesces
// them should still send one every few steps.
type Progress struct {
	Step         int           // steps completed in the run, across resumes
	Steps        int           // the step budget of the run, 0 for none
	Epoch        int           // passes over the dataset so far
	LossD        float64       // discriminator loss of the last step
	LossG        float64       // generator loss of the last step
	DReal        float64       // mean D(x) on the real batch, in [0,1]
	DFake        float64       // mean D(G(z)) on the fake batch, in [0,1]
	ImagesPerSec float64       // real images consumed per second, recent average
	Elapsed      time.Duration // training time in the run, across resumes
	Paused       bool          // whether training is paused now

	// SWD is the sliced Wasserstein distance between generated and real
	// images, lower is better. It is measured now and then, not every step:
	// HasSWD says whether this Progress carries it.
	SWD    float64
	HasSWD bool
}

// Samples carries a grid of images generated from the run's fixed latent
// batch. Only the newest grid matters; the studio drops older ones.
type Samples struct {
	Step int
	Grid image.Image
}

// Loading reports how far reading the training images has gone while a
// session starts: Done of Total image files. A large folder takes a while,
// and the window counts it up instead of looking stuck.
type Loading struct {
	Done  int
	Total int
}

// DatasetLoaded reports the images found in the training folder when a
// session starts.
type DatasetLoaded struct {
	Folder  string        // the folder, or "" for the embedded style
	Images  int           // images loaded
	Skipped int           // files that could not be used
	First   []SkippedFile // the first few skipped files with reasons
}

// CheckpointSaved reports a checkpoint written to disk.
type CheckpointSaved struct {
	Step int
	Path string
}

// Warning is something the person should know that does not stop training,
// in plain words.
type Warning struct {
	Text string
}

// Done is the last update of a training session. Err is nil when training
// stopped because it was asked to or reached its step budget; otherwise the
// studio shows it in a dialog.
type Done struct {
	Step int
	Err  error
}

func (Loading) isUpdate()         {}
func (Progress) isUpdate()        {}
func (Samples) isUpdate()         {}
func (DatasetLoaded) isUpdate()   {}
func (CheckpointSaved) isUpdate() {}
func (Warning) isUpdate()         {}
func (Done) isUpdate()            {}
