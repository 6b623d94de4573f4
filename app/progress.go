package app

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"ganvas/engine"
)

// progressBar shows training progress on a terminal as one line redrawn in
// place a few times a second, or, when output goes to a file, as a line
// every half minute.
type progressBar struct {
	w        io.Writer
	live     bool
	interval time.Duration
	last     time.Time
	shown    bool // a live line is on screen
	saved    bool // a checkpoint was written this session
	progress engine.Progress
}

func newProgressBar(w io.Writer) *progressBar {
	b := &progressBar{w: w, interval: 30 * time.Second}
	if f, ok := w.(*os.File); ok {
		if info, err := f.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
			b.live, b.interval = true, 250*time.Millisecond
		}
	}
	return b
}

func (b *progressBar) update(p engine.Progress) {
	b.progress = p
	if time.Since(b.last) < b.interval {
		return
	}
	b.last = time.Now()
	if b.live {
		fmt.Fprintf(b.w, "\r\033[K%s", b.line(p))
		b.shown = true
	} else {
		fmt.Fprintln(b.w, b.line(p))
	}
}

// println prints a message above the live line.
func (b *progressBar) println(s string) {
	if b.shown {
		fmt.Fprint(b.w, "\r\033[K")
		b.shown = false
	}
	fmt.Fprintln(b.w, s)
	if b.live && b.progress.Step > 0 {
		fmt.Fprint(b.w, b.line(b.progress))
		b.shown = true
	}
}

// loading shows how far loading the images has gone: live, or on a line
// when loading starts and at the bar's interval after that.
func (b *progressBar) loading(m engine.Loading) {
	text := fmt.Sprintf("Loading images: %d of %d", m.Done, m.Total)
	switch {
	case b.live:
		if m.Done != 0 && time.Since(b.last) < b.interval {
			return
		}
		fmt.Fprintf(b.w, "\r\033[K%s", text)
		b.shown = true
	case m.Total < 1000: // small folders load in a blink
		return
	case m.Done == 0:
		fmt.Fprintf(b.w, "Loading %d images...\n", m.Total)
	case m.Done < m.Total && time.Since(b.last) >= b.interval:
		fmt.Fprintln(b.w, text)
	default:
		return
	}
	b.last = time.Now()
}

func (b *progressBar) checkpoint(m engine.CheckpointSaved) {
	b.saved = true
}

func (b *progressBar) finish(d engine.Done, interrupted bool, dir string) {
	if b.shown {
		fmt.Fprint(b.w, "\r\033[K")
		b.shown = false
	}
	if d.Err != nil {
		return // the caller prints the error once
	}
	if b.progress.Step > 0 {
		fmt.Fprintln(b.w, b.line(b.progress))
	}
	// Run reports a last checkpoint it could not write as an error, so a
	// stop without one has everything up to its step on disk.
	switch {
	case interrupted && !b.saved && d.Step == 0:
		fmt.Fprintln(b.w, "Stopped before training began. Run the same command to start.")
	case interrupted:
		fmt.Fprintf(b.w, "Stopped at step %d; checkpoint saved in %s. Run the same command to continue.\n",
			d.Step, dir)
	default:
		fmt.Fprintf(b.w, "Done: %d steps; checkpoint and samples in %s.\n", d.Step, dir)
	}
}

// line renders the progress of a training step.
func (b *progressBar) line(p engine.Progress) string {
	var s strings.Builder
	if p.Steps > 0 {
		frac := min(float64(p.Step)/float64(p.Steps), 1)
		const width = 20
		full := int(frac * width)
		fmt.Fprintf(&s, "step %d/%d [%s%s] %3.0f%%", p.Step, p.Steps,
			strings.Repeat("#", full), strings.Repeat(".", width-full), 100*frac)
	} else {
		fmt.Fprintf(&s, "step %d", p.Step)
	}
	fmt.Fprintf(&s, "  loss D %.3f G %.3f  D(x) %.2f D(G(z)) %.2f  %.1f img/s",
		p.LossD, p.LossG, p.DReal, p.DFake, p.ImagesPerSec)
	fmt.Fprintf(&s, "  %s", formatDuration(p.Elapsed))
	if left := timeLeft(p); left > 0 {
		fmt.Fprintf(&s, " (%s left)", formatDuration(left))
	}
	if p.Paused {
		s.WriteString("  paused")
	}
	return s.String()
}

// timeLeft estimates the time to the step budget from the current speed.
func timeLeft(p engine.Progress) time.Duration {
	if p.Steps == 0 || p.Step == 0 || p.Step >= p.Steps {
		return 0
	}
	perStep := p.Elapsed / time.Duration(p.Step)
	return perStep * time.Duration(p.Steps-p.Step)
}

func formatDuration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	}
	return fmt.Sprintf("%dm%02ds", m, s)
}
