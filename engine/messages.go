package engine

import (
	"image"
	"time"
)

// Message is anything a Trainer reports. The concrete types are Loading,
// Progress, Samples, DatasetLoaded, CheckpointSaved, Warning and Done.
type Message interface {
	isMessage()
}

// Progress reports the state of training after a step. Consecutive Progress
// messages may be coalesced: a listener sees the latest, not every step.
type Progress struct {
	Step         int           // steps completed in the run, across resumes
	Steps        int           // the step budget of this run, 0 for none
	Epoch        int           // passes over the dataset so far
	LossD        float64       // discriminator loss of the last step
	LossG        float64       // generator loss of the last step
	DReal        float64       // mean D(x) on the real batch, in [0,1]
	DFake        float64       // mean D(G(z)) on the fake batch, in [0,1]
	ImagesPerSec float64       // real images consumed per second, recent average
	Elapsed      time.Duration // training time in the run, across resumes
	Paused       bool          // whether the trainer is paused now
	SWD          float64       // latest sliced Wasserstein distance ×1e3 to the data; 0 before the first
}

// Samples carries a grid of images generated from the run's fixed latent
// batch. Only the newest grid matters; older ones may be dropped.
type Samples struct {
	Step int
	Grid image.Image
}

// Loading reports how far loading the training images has gone: Done of
// Total image files read. It comes before DatasetLoaded, at most a few times
// a second, and consecutive ones may be coalesced like Progress.
type Loading struct {
	Done  int
	Total int
}

// SkippedFile names a file the dataset loader could not use and why.
type SkippedFile struct {
	Path   string
	Reason string
}

// DatasetLoaded reports the images found in the training folder.
type DatasetLoaded struct {
	Folder  string        // the folder, or "" for the embedded default style
	Images  int           // images loaded (before flips)
	Skipped int           // files that could not be used
	First   []SkippedFile // the first few skipped files with reasons
	Classes []string      // the classes trained, one per subfolder; nil when unconditional
}

// CheckpointSaved reports a checkpoint written to disk.
type CheckpointSaved struct {
	Step int
	Path string
}

// Warning is something the person should know that does not stop training.
type Warning struct {
	Text string
}

// Done is the last message of a training session. Err is nil when training
// stopped because it was asked to or reached its step budget.
type Done struct {
	Step int
	Err  error
}

func (Loading) isMessage()         {}
func (Progress) isMessage()        {}
func (Samples) isMessage()         {}
func (DatasetLoaded) isMessage()   {}
func (CheckpointSaved) isMessage() {}
func (Warning) isMessage()         {}
func (Done) isMessage()            {}
