package ui

import (
	"fmt"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// statsBar shows where training stands: step, epoch, speed, time spent,
// and with a step budget a progress bar and the time left.
type statsBar struct {
	step, epoch, speed, elapsed, left *widget.Label
	progress                          *widget.ProgressBar
	content                           fyne.CanvasObject
}

func newStatsBar() *statsBar {
	b := &statsBar{
		step:     widget.NewLabel(""),
		epoch:    widget.NewLabel(""),
		speed:    widget.NewLabel(""),
		elapsed:  widget.NewLabel(""),
		left:     widget.NewLabel(""),
		progress: widget.NewProgressBar(),
	}
	b.step.TextStyle.Bold = true
	b.progress.TextFormatter = func() string {
		return fmt.Sprintf("%.0f%%", 100*b.progress.Value)
	}
	figures := container.NewHBox(b.step, b.epoch, b.speed, b.elapsed)
	row := container.NewBorder(nil, nil, figures, b.left, b.progress)
	b.content = container.NewVBox(widget.NewSeparator(), row)
	b.clear()
	return b
}

// show fills the bar from a Progress; batchSize turns the speed into the
// time left.
func (b *statsBar) show(p Progress, batchSize int) {
	if p.Steps > 0 {
		setLabel(b.step, tr("stats.step_of", map[string]any{"Step": p.Step, "Steps": p.Steps}))
	} else {
		setLabel(b.step, tr("stats.step", map[string]any{"Step": p.Step}))
	}
	setLabel(b.epoch, tr("stats.epoch", map[string]any{"Epoch": p.Epoch}))
	setLabel(b.elapsed, tr("stats.elapsed", map[string]any{"Time": formatDuration(p.Elapsed)}))
	b.showBudget(p, batchSize)

	// Speed and time left mean nothing while nothing runs.
	if p.Paused || p.ImagesPerSec <= 0 {
		setLabel(b.speed, "")
		setLabel(b.left, "")
		return
	}
	setLabel(b.speed, tr("stats.speed", map[string]any{"Rate": formatRate(p.ImagesPerSec)}))
}

// showBudget shows how far the step budget is used and how long the rest
// will take, or hides both when there is no budget.
func (b *statsBar) showBudget(p Progress, batchSize int) {
	if p.Steps <= 0 {
		b.progress.Hide()
		setLabel(b.left, "")
		return
	}
	b.progress.Show()
	b.progress.SetValue(math.Min(float64(p.Step)/float64(p.Steps), 1))
	if left, ok := timeLeft(p, batchSize); ok {
		setLabel(b.left, tr("stats.left", map[string]any{"Time": formatDuration(left)}))
	} else {
		setLabel(b.left, "")
	}
}

// showRun fills the bar for an open run that is not training, from its
// last logged progress.
func (b *statsBar) showRun(run RunInfo, metrics []Progress) {
	p := Progress{Step: run.Step, Steps: run.Settings.Steps}
	if len(metrics) > 0 {
		last := metrics[len(metrics)-1]
		p.Epoch, p.Elapsed = last.Epoch, last.Elapsed
	}
	b.show(p, 0)
}

// stopped drops the figures that only mean something while training runs.
func (b *statsBar) stopped() {
	setLabel(b.speed, "")
	setLabel(b.left, "")
}

// clear empties the bar, for a new run.
func (b *statsBar) clear() {
	setLabel(b.step, tr("stats.not_started"))
	setLabel(b.epoch, "")
	setLabel(b.speed, "")
	setLabel(b.elapsed, "")
	setLabel(b.left, "")
	b.progress.SetValue(0)
	b.progress.Hide()
}

// timeLeft estimates how long the rest of the step budget takes: from the
// recent speed when the batch size is known, else from the average so far.
func timeLeft(p Progress, batchSize int) (time.Duration, bool) {
	if p.Steps <= 0 || p.Step <= 0 || p.Step >= p.Steps {
		return 0, false
	}
	remaining := float64(p.Steps - p.Step)
	if p.ImagesPerSec > 0 && batchSize > 0 {
		seconds := remaining * float64(batchSize) / p.ImagesPerSec
		return time.Duration(seconds * float64(time.Second)), true
	}
	if p.Elapsed > 0 {
		perStep := float64(p.Elapsed) / float64(p.Step)
		return time.Duration(remaining * perStep), true
	}
	return 0, false
}

// formatDuration writes a duration as hours, minutes and seconds: 1:02:03,
// or 2:03 under an hour.
func formatDuration(d time.Duration) string {
	total := int64(d.Round(time.Second) / time.Second)
	h, m, s := total/3600, total/60%60, total%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}

// formatRate writes a speed with about three significant digits.
func formatRate(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
