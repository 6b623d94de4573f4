package engine

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"ganvas/engine/run"
)

// testTimeout bounds every wait in these tests: a deadlock fails the test
// instead of hanging it.
const testTimeout = 30 * time.Second

// session is a Trainer running in a test, with its messages collected by a
// goroutine of the test, which is what a window or the command line does.
type watched struct {
	t      *testing.T
	tr     *Trainer
	cancel context.CancelFunc
	errc   chan error    // Run's result
	closed chan struct{} // closed when Messages is closed

	mu   sync.Mutex
	msgs []Message
	step int           // step of the newest Progress
	wake chan struct{} // closed and replaced on every message
}

// watch starts a Trainer on the run at dir.
func watch(t *testing.T, dir string, cfg Config) *watched {
	t.Helper()
	tr, err := NewTrainer(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &watched{t: t, tr: tr, cancel: cancel, errc: make(chan error, 1),
		closed: make(chan struct{}), wake: make(chan struct{})}
	go func() { w.errc <- tr.Run(ctx) }()
	go w.collect()
	t.Cleanup(func() {
		cancel()
		w.wait()
	})
	return w
}

func (w *watched) collect() {
	defer close(w.closed)
	for m := range w.tr.Messages() {
		w.mu.Lock()
		w.msgs = append(w.msgs, m)
		if p, ok := m.(Progress); ok {
			w.step = p.Step
		}
		close(w.wake)
		w.wake = make(chan struct{})
		w.mu.Unlock()
	}
}

// until waits for a message that satisfies ok, looking at every message
// received so far and then at each new one.
func (w *watched) until(what string, ok func(Message) bool) Message {
	w.t.Helper()
	deadline := time.After(testTimeout)
	seen := 0
	for {
		w.mu.Lock()
		msgs, wake := w.msgs[seen:], w.wake
		seen = len(w.msgs)
		w.mu.Unlock()
		for _, m := range msgs {
			if ok(m) {
				return m
			}
		}
		select {
		case <-wake:
		case <-w.closed:
			w.t.Fatalf("training ended before %s: %v", what, w.last())
		case <-deadline:
			w.t.Fatalf("no %s after %v", what, testTimeout)
		}
	}
}

// untilStep waits for training to report step n or later.
func (w *watched) untilStep(n int) {
	w.t.Helper()
	w.until("step "+itoa(n), func(m Message) bool {
		p, ok := m.(Progress)
		return ok && p.Step >= n
	})
}

// currentStep is the step of the newest Progress.
func (w *watched) currentStep() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.step
}

// wait waits for Run to return and every message to be taken, and returns
// Run's error.
func (w *watched) wait() error {
	w.t.Helper()
	select {
	case <-w.closed:
	case <-time.After(testTimeout):
		w.t.Fatalf("Run did not end within %v of being stopped", testTimeout)
	}
	err := <-w.errc
	w.errc <- err // for a second wait
	return err
}

// stop cancels training and returns Run's error once it has ended.
func (w *watched) stop() error {
	w.t.Helper()
	w.cancel()
	return w.wait()
}

func (w *watched) last() Message {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.msgs) == 0 {
		return nil
	}
	return w.msgs[len(w.msgs)-1]
}

// warnings returns the text of every Warning so far.
func (w *watched) warnings() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var texts []string
	for _, m := range w.msgs {
		if m, ok := m.(Warning); ok {
			texts = append(texts, m.Text)
		}
	}
	return texts
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// checkRunIntact opens the run at dir as a person resuming it would, and
// fails the test if anything in it is damaged: the config must load and
// validate, the newest checkpoint must load (when there is one), metrics
// rows must have strictly increasing steps, and every sample grid must be
// listed. It returns the newest checkpoint's step, or -1 without one.
func checkRunIntact(t *testing.T, dir string) int {
	t.Helper()
	d, err := run.Open(dir)
	if err != nil {
		t.Fatalf("the run no longer opens: %v", err)
	}
	var cfg Config
	if err := d.LoadConfig(&cfg); err != nil {
		t.Fatalf("config.json: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config.json holds a config that does not validate: %v", err)
	}
	step := -1
	c, warning, err := d.LatestCheckpoint()
	switch {
	case errors.Is(err, run.ErrNoCheckpoint):
	case err != nil:
		t.Fatalf("no checkpoint loads: %v", err)
	case warning != "":
		t.Fatalf("the newest checkpoint is damaged: %s", warning)
	default:
		step = c.Step
	}
	m, err := d.ReadMetrics()
	if err != nil {
		t.Fatalf("metrics.csv: %v", err)
	}
	steps := m.Column("step")
	for i := 1; i < len(steps); i++ {
		if steps[i] <= steps[i-1] {
			t.Fatalf("metrics.csv: step %v follows step %v", steps[i], steps[i-1])
		}
	}
	return step
}

// TestStartAndStopAtOnce starts training and stops it straight away, twenty
// times over two runs, at moments from before the first image loads to the
// first steps: every Run must end promptly, without error, with Done as its
// last message, leave both runs whole, and leave no goroutine behind.
func TestStartAndStopAtOnce(t *testing.T) {
	data := writeShapes(t, 12)
	runs := []string{filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")}
	cfg := tinyConfig(data, 0)

	// One session first, so that goroutines the numeric libraries keep for
	// the life of the process exist before the leak check starts counting.
	w := watch(t, runs[0], cfg)
	w.untilStep(1)
	if err := w.stop(); err != nil {
		t.Fatal(err)
	}
	ignore := goleak.IgnoreCurrent()

	delays := []time.Duration{0, 0, time.Millisecond, 5 * time.Millisecond,
		20 * time.Millisecond, 60 * time.Millisecond, 150 * time.Millisecond}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		w := watch(t, runs[i%2], cfg)
		time.Sleep(delays[rng.IntN(len(delays))])
		if err := w.stop(); err != nil {
			t.Errorf("session %d: stopping gave %v, want nil", i, err)
		}
		if done, ok := w.last().(Done); !ok || done.Err != nil {
			t.Errorf("session %d: last message %#v, want Done without error", i, w.last())
		}
	}
	for _, dir := range runs {
		checkRunIntact(t, dir)
	}
	goleak.VerifyNone(t, ignore)
}

// TestControlStorm pauses, resumes and saves from four goroutines at once
// while training runs, then stops training in the middle of a second storm.
// Every call must return (no deadlock), every SaveNow must succeed while
// training runs, and the run must end with a checkpoint of its last step.
func TestControlStorm(t *testing.T) {
	data := writeShapes(t, 12)
	dir := filepath.Join(t.TempDir(), "run")
	cfg := tinyConfig(data, 0)
	cfg.CheckpointSeconds = 0.2 // scheduled saves mixed into requested ones

	w := watch(t, dir, cfg)
	w.untilStep(1)
	ignore := goleak.IgnoreCurrent()

	// storm runs fn on four goroutines and returns their errors once all
	// have ended, failing the test if they do not end in time.
	storm := func(fn func(rng *rand.Rand) error) []error {
		errs := make(chan error, 4)
		for g := range 4 {
			go func() { errs <- fn(rand.New(rand.NewPCG(uint64(g), 7))) }()
		}
		var failures []error
		for range 4 {
			select {
			case err := <-errs:
				if err != nil {
					failures = append(failures, err)
				}
			case <-time.After(testTimeout):
				t.Fatalf("a control goroutine is stuck after %v", testTimeout)
			}
		}
		return failures
	}
	control := func(rng *rand.Rand) error {
		switch rng.IntN(3) {
		case 0:
			w.tr.Pause()
		case 1:
			w.tr.Resume()
		default:
			return saveNow(t, w)
		}
		time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
		return nil
	}

	// While training: every call succeeds, and each goroutine saves twice.
	failures := storm(func(rng *rand.Rand) error {
		for i := range 10 {
			if err := control(rng); err != nil {
				return err
			}
			if i%5 == 4 {
				if err := saveNow(t, w); err != nil {
					return err
				}
			}
		}
		return nil
	})
	for _, err := range failures {
		t.Errorf("a call during training failed: %v", err)
	}

	// While stopping: calls go on until the trainer says it has stopped.
	w.tr.Resume()
	w.untilStep(w.currentStep() + 1)
	var stopOnce sync.Once
	failures = storm(func(rng *rand.Rand) error {
		for i := 0; ; i++ {
			if i == 8 {
				stopOnce.Do(w.cancel)
			}
			err := control(rng)
			if errors.Is(err, ErrNotTraining) {
				return nil
			}
			if err != nil {
				return err
			}
			if i > 10_000 {
				return errors.New("training did not stop")
			}
		}
	})
	for _, err := range failures {
		t.Errorf("a call while stopping failed: %v", err)
	}
	if err := w.wait(); err != nil {
		t.Fatalf("stopping during the storm: %v", err)
	}

	done, ok := w.last().(Done)
	if !ok || done.Err != nil {
		t.Fatalf("last message %#v, want Done without error", w.last())
	}
	if step := checkRunIntact(t, dir); step != done.Step {
		t.Errorf("the newest checkpoint is of step %d, training stopped at %d", step, done.Step)
	}
	goleak.VerifyNone(t, ignore)
}

// TestSaveNowBeforeTraining asks for a checkpoint right after Run starts,
// while the images load and the model is built: nothing has been trained
// yet, and SaveNow must say so at once rather than wait for loading to end,
// which for a large folder takes minutes.
func TestSaveNowBeforeTraining(t *testing.T) {
	w := watch(t, filepath.Join(t.TempDir(), "run"), tinyConfig(writeShapes(t, 12), 0))

	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	err := w.tr.SaveNow(ctx)
	if !errors.Is(err, ErrNotStarted) {
		t.Fatalf("SaveNow before training began: %v, want ErrNotStarted", err)
	}
	if !strings.Contains(err.Error(), "not begun") {
		t.Errorf("error %q does not say training has not begun", err)
	}
	if err := w.stop(); err != nil {
		t.Fatalf("stopping before training began: %v, want nil", err)
	}
}
