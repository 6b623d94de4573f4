package app

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"math"
	"os"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"

	"ganvas/ui"
)

// uiProbeEnv names the environment variable that turns the probe on: it
// holds the file the probe writes. scripts/measure-ui.sh sets it.
const uiProbeEnv = "GANVAS_UI_PROBE"

// probeInterval is how often the probe asks the main goroutine for a turn.
const probeInterval = 50 * time.Millisecond

// runStudio opens the studio window and runs the app until the window
// closes. With GANVAS_UI_PROBE set, a uiProbe records meanwhile how the
// window answers.
func runStudio(a fyne.App, backend ui.Backend, opts ui.Options) error {
	path := os.Getenv(uiProbeEnv)
	if path == "" {
		ui.Run(a, backend, opts)
		return nil
	}
	probe, err := newUIProbe(path)
	if err != nil {
		return err
	}
	opts.Applied = probe.applied
	studio := ui.NewStudio(a, backend, opts)

	// The probe's goroutine ends when the window has closed; it never
	// waits on the main goroutine after that.
	ctx, cancel := context.WithCancel(context.Background())
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		probe.watch(ctx, studio)
	}()
	studio.Window().ShowAndRun()
	cancel()
	<-watching
	return probe.close()
}

// uiProbe records how the window answers while it runs, one event a line,
// times in Unix nanoseconds and durations in nanoseconds:
//
//	pid PID
//	window XID                 the X11 window, once shown
//	button T X0 Y0 X1 Y1       the Pause button in window pixels, when it moves
//	timeline T X0 Y0 X1 Y1     the timeline slider, likewise, once it can move
//	grid T X0 Y0 X1 Y1         the sample grid's picture, likewise
//	wait T WAITED              a function handed to fyne.Do at T began WAITED later
//	batch T UPDATES GRID       updates put on screen at T; GRID 1 with a new sample grid
//
// At the end it adds a summary, in lines starting with '#'. The lines are
// flushed about once a second, so a process that is killed loses at most
// the last second.
type uiProbe struct {
	start time.Time

	mu      sync.Mutex
	file    *os.File
	out     *bufio.Writer
	flushed time.Time
	err     error // the first write error
	waits   []time.Duration
	batches int
	grids   int
}

func newUIProbe(path string) (*uiProbe, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", uiProbeEnv, err)
	}
	p := &uiProbe{start: time.Now(), file: f, out: bufio.NewWriter(f)}
	p.line("pid %d", os.Getpid())
	return p, nil
}

// line writes one event line.
func (p *uiProbe) line(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writeLocked(format, args...)
}

func (p *uiProbe) writeLocked(format string, args ...any) {
	if _, err := fmt.Fprintf(p.out, format+"\n", args...); err != nil && p.err == nil {
		p.err = err
	}
	if time.Since(p.flushed) >= time.Second {
		if err := p.out.Flush(); err != nil && p.err == nil {
			p.err = err
		}
		p.flushed = time.Now()
	}
}

// applied is the studio's Options.Applied: it runs on the main goroutine
// after each batch of updates is put on screen.
func (p *uiProbe) applied(updates int, grid bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.batches++
	flag := 0
	if grid {
		p.grids++
		flag = 1
	}
	p.writeLocked("batch %d %d %d", time.Now().UnixNano(), updates, flag)
}

// turn is what one probe call learns on the main goroutine.
type turn struct {
	waited                 time.Duration
	button, timeline, grid image.Rectangle
	window                 uintptr
}

// watch asks the main goroutine for a turn every probeInterval until ctx
// ends, and records how long each request waited. Once a second the turn
// also looks where the window, the Pause button, the timeline slider and the
// sample grid are.
func (p *uiProbe) watch(ctx context.Context, studio *ui.Studio) {
	tick := time.NewTicker(probeInterval)
	defer tick.Stop()
	var button, timeline, grid image.Rectangle
	var window uintptr
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}

		asked := time.Now()
		look := n%int(time.Second/probeInterval) == 0
		answer := make(chan turn, 1)
		fyne.Do(func() {
			t := turn{waited: time.Since(asked)}
			if look {
				t.button = studio.PauseButtonBounds()
				t.timeline = studio.TimelineBounds()
				t.grid = studio.SampleGridBounds()
				t.window = x11Window(studio.Window())
			}
			answer <- t
		})
		var t turn
		select {
		case <-ctx.Done():
			return
		case t = <-answer:
		}

		p.mu.Lock()
		p.waits = append(p.waits, t.waited)
		p.writeLocked("wait %d %d", asked.UnixNano(), t.waited.Nanoseconds())
		p.mu.Unlock()
		if look && t.window != 0 && t.window != window {
			window = t.window
			p.line("window %d", window)
		}
		if look {
			p.moved("button", t.button, &button)
			p.moved("timeline", t.timeline, &timeline)
			p.moved("grid", t.grid, &grid)
		}
	}
}

// moved writes where the thing named is now drawn, when that is somewhere
// and not where it was known to be, and remembers it.
func (p *uiProbe) moved(name string, now image.Rectangle, known *image.Rectangle) {
	if now.Empty() || now == *known {
		return
	}
	*known = now
	p.line("%s %d %d %d %d %d", name, time.Now().UnixNano(),
		now.Min.X, now.Min.Y, now.Max.X, now.Max.Y)
}

// x11Window returns the X11 window behind w, or 0 on other systems.
func x11Window(w fyne.Window) uintptr {
	native, ok := w.(driver.NativeWindow)
	if !ok {
		return 0
	}
	var handle uintptr
	native.RunNative(func(ctx any) {
		if x, ok := ctx.(driver.X11WindowContext); ok {
			handle = x.WindowHandle
		}
	})
	return handle
}

// close writes the summary and closes the file.
func (p *uiProbe) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	seconds := time.Since(p.start).Seconds()
	p.writeLocked("# %s", summariseWaits(p.waits))
	p.writeLocked("# %d batches put on screen in %.0f s (%.1f a second), %d with a new sample grid (%.2f a second)",
		p.batches, seconds, float64(p.batches)/seconds, p.grids, float64(p.grids)/seconds)
	if err := p.out.Flush(); err != nil && p.err == nil {
		p.err = err
	}
	if err := p.file.Close(); err != nil && p.err == nil {
		p.err = err
	}
	if p.err != nil {
		return fmt.Errorf("%s: %w", uiProbeEnv, p.err)
	}
	return nil
}

// summariseWaits says in one line how long requests waited for the main
// goroutine: median, 95th percentile and longest.
func summariseWaits(waits []time.Duration) string {
	if len(waits) == 0 {
		return "the main goroutine was never asked for a turn"
	}
	sorted := slices.Clone(waits)
	slices.Sort(sorted)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return fmt.Sprintf("%d turns of the main goroutine waited: median %.1f ms, p95 %.1f ms, max %.1f ms",
		len(sorted), ms(quantile(sorted, 0.5)), ms(quantile(sorted, 0.95)), ms(sorted[len(sorted)-1]))
}

// quantile returns the q-quantile of sorted values by the nearest rank: the
// smallest value at least a fraction q of the values do not exceed.
func quantile(sorted []time.Duration, q float64) time.Duration {
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}
