package app

import (
	"context"
	"errors"
	"image"
	"os"
	"path/filepath"
	"sync"
	"time"

	"ganvas/engine"
	"ganvas/engine/dataset"
	"ganvas/engine/run"
	"ganvas/ui"
)

// studioBackend is the window's backend: it runs one engine.Trainer at a
// time and translates its messages into the window's updates.
//
// Goroutines: each training session has the trainer's Run goroutine and a
// forwarder that drains the trainer's messages onto updates. Stop cancels
// the session's context after a checkpoint and waits for the forwarder,
// which ends once Run has sent Done; updates itself stays open for the life
// of the backend, as the window expects. Once the window has closed,
// shutdown stops training and waits for it; forwarders then drop what
// nobody reads any more.
type studioBackend struct {
	runsRoot   string // where new runs are created
	recent     *recentRuns
	updates    chan ui.Update
	closed     chan struct{} // closed by shutdown
	closeOnce  sync.Once
	forwarders sync.WaitGroup

	mu         sync.Mutex
	session    *session // nil when nothing trains
	nextRunDir string   // the folder the next new run is created in, if set
}

// session is one training session of the window.
type session struct {
	trainer *engine.Trainer
	cancel  context.CancelFunc
	done    chan struct{} // closed when the forwarder has sent Done
}

func newStudioBackend(runsRoot string, recent *recentRuns) *studioBackend {
	return &studioBackend{runsRoot: runsRoot, recent: recent, updates: make(chan ui.Update),
		closed: make(chan struct{})}
}

func (b *studioBackend) Updates() <-chan ui.Update { return b.updates }

// ScanFolder loads the folder at thumbnail size to count what it holds.
func (b *studioBackend) ScanFolder(ctx context.Context, folder string) (ui.FolderScan, error) {
	opt := dataset.Options{Resolution: 64}
	var d *dataset.Dataset
	var err error
	if folder == "" {
		d, err = dataset.LoadFS(ctx, engine.DefaultStyle(), ".", opt)
	} else {
		d, err = dataset.Load(ctx, folder, opt)
	}
	if err != nil {
		return ui.FolderScan{}, errors.New(plain(err))
	}
	scan := ui.FolderScan{Folder: folder, Images: len(d.Paths), Skipped: len(d.Skipped)}
	scan.Classes, _ = engine.TrainedClasses(d)
	// Thumbnails spread over the folder, not just its first files.
	const thumbs = 12
	for i := 0; i < thumbs && i < len(d.Paths); i++ {
		scan.Thumbnails = append(scan.Thumbnails, image.Image(d.Image(i*len(d.Paths)/min(thumbs, len(d.Paths)))))
	}
	for _, s := range d.Skipped[:min(len(d.Skipped), 10)] {
		scan.First = append(scan.First, ui.SkippedFile{Path: s.Path, Reason: s.Reason})
	}
	return scan, nil
}

// StartTraining creates a new run with the settings and starts it.
func (b *studioBackend) StartTraining(s ui.Settings) (ui.RunInfo, error) {
	cfg := engine.DefaultConfig()
	cfg.Data = s.Folder
	cfg.Resolution = s.Resolution
	cfg.Width = s.Width
	cfg.Batch = s.BatchSize
	cfg.LearningRate = s.LearningRate
	cfg.Steps = s.Steps
	cfg.Augment = s.Augment
	cfg.Conditional = s.Conditional
	if err := cfg.Validate(); err != nil {
		return ui.RunInfo{}, errors.New(plain(err))
	}

	b.mu.Lock()
	if b.session != nil {
		b.mu.Unlock()
		return ui.RunInfo{}, errAlreadyTraining
	}
	dir := b.nextRunDir
	b.nextRunDir = ""
	b.mu.Unlock()
	if dir == "" {
		dir = newRunDir(b.runsRoot, s.Folder)
	}
	return b.start(dir, cfg)
}

// ContinueTraining trains the run in runDir on to steps. A run stopped
// before its first checkpoint starts again from step 0.
func (b *studioBackend) ContinueTraining(runDir string, steps int) (ui.RunInfo, error) {
	gen, _, err := engine.LoadGenerator(runDir)
	if err != nil && !errors.Is(err, run.ErrNoCheckpoint) {
		return ui.RunInfo{}, errors.New(plain(err))
	}
	if gen != nil {
		gen.Close()
	}
	cfg := engine.DefaultConfig()
	cfg.Steps = steps
	return b.start(runDir, cfg)
}

// errAlreadyTraining refuses a second training session.
var errAlreadyTraining = errors.New("training is already running; stop it first")

func (b *studioBackend) start(dir string, cfg engine.Config) (ui.RunInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-b.closed:
		return ui.RunInfo{}, errors.New("the studio is closing")
	default:
	}
	if b.session != nil {
		return ui.RunInfo{}, errAlreadyTraining
	}
	tr, err := engine.NewTrainer(dir, cfg)
	if err != nil {
		return ui.RunInfo{}, errors.New(plain(err))
	}
	ctx, cancel := context.WithCancel(context.Background())
	sess := &session{trainer: tr, cancel: cancel, done: make(chan struct{})}
	b.session = sess
	b.forwarders.Add(1)
	go tr.Run(ctx)
	go b.forward(sess)
	b.recent.add(dir)
	return describeRun(dir)
}

// forward translates the session's messages until the trainer closes them.
func (b *studioBackend) forward(sess *session) {
	defer b.forwarders.Done()
	defer close(sess.done)
	lastSWD := 0.0
	for m := range sess.trainer.Messages() {
		var u ui.Update
		switch m := m.(type) {
		case engine.Progress:
			p := ui.Progress{Step: m.Step, Steps: m.Steps, Epoch: m.Epoch, LossD: m.LossD,
				LossG: m.LossG, DReal: m.DReal, DFake: m.DFake, ImagesPerSec: m.ImagesPerSec,
				Elapsed: m.Elapsed, Paused: m.Paused}
			if m.SWD > 0 && m.SWD != lastSWD {
				p.SWD, p.HasSWD, lastSWD = m.SWD, true, m.SWD
			}
			u = p
		case engine.Samples:
			u = ui.Samples{Step: m.Step, Grid: m.Grid}
		case engine.DatasetLoaded:
			d := ui.DatasetLoaded{Folder: m.Folder, Images: m.Images, Skipped: m.Skipped}
			for _, f := range m.First {
				d.First = append(d.First, ui.SkippedFile{Path: f.Path, Reason: f.Reason})
			}
			u = d
		case engine.CheckpointSaved:
			u = ui.CheckpointSaved{Step: m.Step, Path: m.Path}
		case engine.Warning:
			u = ui.Warning{Text: m.Text}
		case engine.Loading:
			u = ui.Loading{Done: m.Done, Total: m.Total}
		case engine.Done:
			b.mu.Lock()
			if b.session == sess {
				b.session = nil
			}
			b.mu.Unlock()
			var err error
			if m.Err != nil {
				err = errors.New(plain(m.Err))
			}
			u = ui.Done{Step: m.Step, Err: err}
		}
		select {
		case b.updates <- u:
		case <-b.closed: // the window is gone; the trainer still needs draining
		}
	}
}

// shutdown ends the backend once the window has closed: training still
// under way stops, saving a last checkpoint, and shutdown returns when it
// has. Nothing need read Updates meanwhile.
func (b *studioBackend) shutdown() {
	b.mu.Lock()
	b.closeOnce.Do(func() { close(b.closed) })
	s := b.session
	b.mu.Unlock()
	if s != nil {
		s.cancel()
	}
	b.forwarders.Wait()
}

func (b *studioBackend) current() *session {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.session
}

func (b *studioBackend) Pause() error {
	if s := b.current(); s != nil {
		s.trainer.Pause()
	}
	return nil
}

func (b *studioBackend) Resume() error {
	if s := b.current(); s != nil {
		s.trainer.Resume()
	}
	return nil
}

func (b *studioBackend) SaveCheckpoint() error {
	s := b.current()
	if s == nil {
		return errors.New("nothing is training, so there is nothing to save")
	}
	if err := s.trainer.SaveNow(context.Background()); err != nil {
		return errors.New(plain(err))
	}
	return nil
}

// Stop pauses, saves and only then ends the session, so a failed save
// leaves training paused and nothing lost.
func (b *studioBackend) Stop() error {
	s := b.current()
	if s == nil {
		return nil
	}
	s.trainer.Pause()
	err := s.trainer.SaveNow(context.Background())
	if err != nil && !errors.Is(err, engine.ErrNotTraining) && !errors.Is(err, engine.ErrNotStarted) {
		return errors.New(plain(err))
	}
	s.cancel()
	<-s.done
	return nil
}

// RecentRuns lists the runs the window has used and those in the runs
// folder, newest first.
func (b *studioBackend) RecentRuns(ctx context.Context) ([]ui.RunInfo, error) {
	var runs []ui.RunInfo
	for _, dir := range b.recent.list(b.runsRoot) {
		if info, err := describeRun(dir); err == nil {
			runs = append(runs, info)
		}
	}
	sortRuns(runs)
	return runs, nil
}

func (b *studioBackend) OpenRun(ctx context.Context, runDir string) (ui.RunInfo, error) {
	info, err := describeRun(runDir)
	if err != nil {
		return ui.RunInfo{}, err
	}
	b.recent.add(runDir)
	return info, nil
}

func (b *studioBackend) ListSamples(ctx context.Context, runDir string) ([]ui.SampleFrame, error) {
	d, err := run.Open(runDir)
	if err != nil {
		return nil, errors.New(plain(err))
	}
	files, err := d.ListSamples()
	if err != nil {
		return nil, errors.New(plain(err))
	}
	frames := make([]ui.SampleFrame, len(files))
	for i, f := range files {
		frames[i] = ui.SampleFrame{Step: f.Step, Path: f.Path}
	}
	return frames, nil
}

func (b *studioBackend) ReadMetrics(ctx context.Context, runDir string) ([]ui.Progress, error) {
	d, err := run.Open(runDir)
	if err != nil {
		return nil, errors.New(plain(err))
	}
	m, err := d.ReadMetrics()
	if err != nil {
		return nil, errors.New(plain(err))
	}
	col := func(name string) []float64 { return m.Column(name) }
	step, lossD, lossG := col("step"), col("loss_d"), col("loss_g")
	dReal, dFake, swd := col("d_real"), col("d_fake"), col("swd")
	epoch, seconds := col("epoch"), col("seconds")
	out := make([]ui.Progress, len(step))
	for i := range step {
		out[i] = ui.Progress{Step: int(step[i]), LossD: at(lossD, i), LossG: at(lossG, i),
			DReal: at(dReal, i), DFake: at(dFake, i), Epoch: int(at(epoch, i)),
			Elapsed: time.Duration(at(seconds, i) * float64(time.Second))}
		if v := at(swd, i); v > 0 {
			out[i].SWD, out[i].HasSWD = v, true
		}
	}
	return out, nil
}

// at returns x[i], or 0 when the column is missing or the cell blank.
func at(x []float64, i int) float64 {
	if i >= len(x) || x[i] != x[i] {
		return 0
	}
	return x[i]
}

// describeRun reads what the window shows of a run.
func describeRun(dir string) (ui.RunInfo, error) {
	d, err := run.Open(dir)
	if err != nil {
		return ui.RunInfo{}, errors.New(plain(err))
	}
	var cfg engine.Config
	if err := d.LoadConfig(&cfg); err != nil {
		return ui.RunInfo{}, errors.New(plain(err))
	}
	info := ui.RunInfo{Dir: dir, Name: filepath.Base(dir), Settings: ui.Settings{
		Folder: cfg.Data, Resolution: cfg.Resolution, Width: cfg.Width, BatchSize: cfg.Batch,
		LearningRate: cfg.LearningRate, Steps: cfg.Steps, Augment: cfg.Augment,
		Conditional: cfg.Conditional}}
	if files, err := d.ListCheckpoints(); err == nil && len(files) > 0 {
		info.Step = files[len(files)-1].Step
		info.HasCheckpoint = true
	}
	info.Updated = lastWrite(dir)
	return info, nil
}

// lastWrite returns when the run last wrote metrics or its config.
func lastWrite(dir string) time.Time {
	var t time.Time
	for _, name := range []string{"metrics.csv", "config.json", "checkpoints"} {
		if info, err := os.Stat(filepath.Join(dir, name)); err == nil && info.ModTime().After(t) {
			t = info.ModTime()
		}
	}
	return t
}
