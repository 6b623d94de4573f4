package ui

import (
	"context"
	"image"
	"time"
)

// Backend is what the studio needs from a trainer. The app package implements
// it on top of the engine; tests implement it with a fake.
//
// The studio calls every method except Updates from a worker goroutine, never
// from the Fyne main goroutine, so a method may block on disk or on the
// trainer. The studio does not call the training methods (StartTraining,
// ContinueTraining, Pause, Resume, SaveCheckpoint, Stop) concurrently with each
// other; the reading methods (ScanFolder, RecentRuns, OpenRun, ListSamples,
// ReadMetrics) may run at any time, also during training.
//
// Errors are shown to the person in a dialog, so they should say in plain
// words what failed and carry the operation, as in
// "load dataset: open /home/ana/ink: permission denied". A backend that cannot
// honour a setting (such as Augment) returns an error wrapping
// errors.ErrUnsupported, or trains without it and sends a Warning.
type Backend interface {
	// Updates returns the channel on which the backend reports training. It is
	// the same channel for the life of the backend, and every training session
	// ends with a Done on it. The backend must not block training on a slow
	// reader: it may coalesce Progress and drop all but the newest Samples.
	// Closing the channel tells the studio the backend is gone.
	Updates() <-chan Update

	// ScanFolder looks at a style folder without loading it for training and
	// reports how many images it holds, a few thumbnails and the files it
	// cannot use. The folder "" is the style embedded in the program.
	ScanFolder(ctx context.Context, folder string) (FolderScan, error)

	// StartTraining starts a new run with the settings and returns once
	// training is under way in the background. The run is described by the
	// returned RunInfo; what happens next arrives on Updates, starting with
	// DatasetLoaded and ending with Done.
	StartTraining(settings Settings) (RunInfo, error)

	// ContinueTraining loads the newest checkpoint of the run in runDir and
	// trains on from there until the run reaches steps (counted from the start
	// of the run; 0 means until stopped). A checkpoint that cannot be loaded is
	// an error, and nothing is started.
	ContinueTraining(runDir string, steps int) (RunInfo, error)

	// Pause holds training after the current step; Resume carries on. Both
	// are no-ops in the state they ask for. Progress reports the new state.
	Pause() error
	Resume() error

	// SaveCheckpoint writes a checkpoint of the training session now and
	// returns once it is safely on disk; CheckpointSaved also reports it.
	SaveCheckpoint() error

	// Stop ends the training session after saving a checkpoint, and returns
	// once training has stopped. Done follows on Updates. If the checkpoint
	// cannot be written, Stop returns the error and leaves training paused,
	// so nothing is lost and the caller may save or stop again. Stop with no
	// session running returns nil.
	Stop() error

	// RecentRuns lists earlier runs, newest first.
	RecentRuns(ctx context.Context) ([]RunInfo, error)

	// OpenRun describes the run in runDir, for a run named on the command
	// line. It fails in plain words when runDir holds no run.
	OpenRun(ctx context.Context, runDir string) (RunInfo, error)

	// ListSamples lists the sample grids saved in a run, oldest first. The
	// studio decodes each Path itself (PNG or JPEG) when it is shown.
	ListSamples(ctx context.Context, runDir string) ([]SampleFrame, error)

	// ReadMetrics returns the logged progress of a run, oldest first, for
	// drawing its curves and its statistics. Only the step, epoch, training
	// time, losses, D(real), D(fake) and SWD fields are used.
	ReadMetrics(ctx context.Context, runDir string) ([]Progress, error)
}

// Settings are the choices that start a new run. The zero value is not
// useful; start from DefaultSettings.
type Settings struct {
	Folder       string  // style folder; "" for the style embedded in the program
	Resolution   int     // side of the square training images in pixels: 32, 64 or 128
	Width        int     // model width: the base channel count of both networks
	BatchSize    int     // real images per training step
	LearningRate float64 // Adam learning rate of both networks
	Steps        int     // step budget; 0 trains until stopped
	Augment      bool    // vary real and generated images at random while training
	// Conditional trains one class per subfolder of Folder, so the
	// explorer can ask for a class; it needs a folder of two or more, and
	// the studio chooses it whenever a folder has them.
	Conditional bool
}

// DefaultSettings returns the settings the studio starts with: small enough
// to show progress on a laptop within minutes, good enough for most styles.
func DefaultSettings() Settings {
	return Settings{
		Resolution:   64,   // detailed enough to see a style, fast on a CPU
		Width:        32,   // the DCGAN width that trains stably at 64 pixels
		BatchSize:    64,   // the DCGAN paper's batch; smaller is noisier
		LearningRate: 2e-4, // the DCGAN paper's rate with Adam beta1 0.5
		Steps:        5000, // enough to see shapes form; raise it to go on
		Augment:      true, // adaptive: strong only once the discriminator overfits
		Conditional:  true, // a class per subfolder, when the folder has them
	}
}

// withDefaults returns the settings with every unset size and rate taken
// from DefaultSettings; all unset means all defaults. A step budget of 0
// stays 0, since it means "until stopped".
func (s Settings) withDefaults() Settings {
	d := DefaultSettings()
	if s == (Settings{}) {
		return d
	}
	if s.Resolution == 0 {
		s.Resolution = d.Resolution
	}
	if s.Width == 0 {
		s.Width = d.Width
	}
	if s.BatchSize == 0 {
		s.BatchSize = d.BatchSize
	}
	if s.LearningRate == 0 {
		s.LearningRate = d.LearningRate
	}
	return s
}

// Resolutions are the image sizes a run can train at.
var Resolutions = []int{32, 64, 128}

// RunInfo describes a run: a folder on disk with its settings, metrics,
// sample grids and checkpoints.
type RunInfo struct {
	Dir           string    // the run's folder, which identifies it
	Name          string    // a short name to show, such as the folder's base name
	Settings      Settings  // the settings the run was started with
	Step          int       // steps trained so far
	Updated       time.Time // when the run last wrote anything
	HasCheckpoint bool      // whether training can continue from a checkpoint
}

// FolderScan is what ScanFolder found in a style folder.
type FolderScan struct {
	Folder     string        // the folder scanned, "" for the embedded style
	Images     int           // images that can be trained on
	Thumbnails []image.Image // a few of them, small, for a preview strip
	Skipped    int           // files that cannot be used
	First      []SkippedFile // the first few skipped files with reasons
	Classes    []string      // the subfolders that hold images, when two or more do
}

// SkippedFile names a file that cannot be trained on and says why.
type SkippedFile struct {
	Path   string
	Reason string
}

// SampleFrame is one saved sample grid of a run.
type SampleFrame struct {
	Step int    // the step the grid was drawn at
	Path string // the image file
}
