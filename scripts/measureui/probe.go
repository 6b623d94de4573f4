package main

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// probeLog is what the window's probe (GANVAS_UI_PROBE, app/uiprobe.go)
// has written so far.
type probeLog struct {
	pid     int
	window  uint64          // the X11 window, 0 until known
	button  image.Rectangle // the Pause button in window pixels, empty until known
	waits   []wait
	batches []batch
	summary []string // the lines after '#', written when the window closed

	// timeline and grid are the timeline slider, empty until it can move,
	// and the sample grid's picture, in window pixels.
	timeline, grid image.Rectangle
}

// wait is one turn of the main goroutine: asked for at a time, begun after
// a while.
type wait struct {
	at     time.Time
	waited time.Duration
}

// batch is one batch of updates the window put on screen.
type batch struct {
	at      time.Time
	updates int
	grid    bool
}

// errBadProbeLine reports a line the probe does not write.
var errBadProbeLine = errors.New("not a probe line")

// parseProbe reads a probe file. A last line without its newline is still
// being written and is left for the next read.
func parseProbe(r io.Reader) (probeLog, error) {
	var log probeLog
	in := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := in.ReadString('\n')
		if err == io.EOF {
			return log, nil
		}
		if err != nil {
			return log, fmt.Errorf("measureui: read probe: %w", err)
		}
		if err := log.add(strings.TrimSuffix(line, "\n")); err != nil {
			return log, fmt.Errorf("measureui: probe line %d %q: %w", n, line, err)
		}
	}
}

// add takes one line of the probe.
func (l *probeLog) add(line string) error {
	if rest, ok := strings.CutPrefix(line, "# "); ok {
		l.summary = append(l.summary, rest)
		return nil
	}
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return errBadProbeLine
	}
	numbers := make([]int64, len(fields)-1)
	for i, f := range fields[1:] {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return errBadProbeLine
		}
		numbers[i] = v
	}
	want := map[string]int{"pid": 1, "window": 1, "button": 5, "timeline": 5, "grid": 5,
		"wait": 2, "batch": 3}[fields[0]]
	if want == 0 || len(numbers) != want {
		return errBadProbeLine
	}

	switch fields[0] {
	case "pid":
		l.pid = int(numbers[0])
	case "window":
		l.window = uint64(numbers[0])
	case "button", "timeline", "grid":
		r := image.Rectangle{image.Pt(int(numbers[1]), int(numbers[2])),
			image.Pt(int(numbers[3]), int(numbers[4]))}
		if r.Empty() || r.Min.X < 0 || r.Min.Y < 0 || r.Dx() > 10000 || r.Dy() > 10000 {
			return errBadProbeLine
		}
		switch fields[0] {
		case "button":
			l.button = r
		case "timeline":
			l.timeline = r
		default:
			l.grid = r
		}
	case "wait":
		l.waits = append(l.waits, wait{at: time.Unix(0, numbers[0]), waited: time.Duration(numbers[1])})
	case "batch":
		l.batches = append(l.batches, batch{at: time.Unix(0, numbers[0]), updates: int(numbers[1]),
			grid: numbers[2] != 0})
	}
	return nil
}

// waitsBetween returns how long the turns asked for in [from, to) waited.
func (l *probeLog) waitsBetween(from, to time.Time) []time.Duration {
	var out []time.Duration
	for _, w := range l.waits {
		if !w.at.Before(from) && w.at.Before(to) {
			out = append(out, w.waited)
		}
	}
	return out
}

// waitsNearGrids splits the turns asked for in [from, to) in two: those
// asked within a while after a new sample grid was put on screen, and the
// rest. It shows what a new grid costs the main goroutine.
func (l *probeLog) waitsNearGrids(from, to time.Time, within time.Duration) (near, rest []time.Duration) {
	var grids []time.Time
	for _, b := range l.batches {
		if b.grid {
			grids = append(grids, b.at)
		}
	}
	g := 0
	for _, w := range l.waits {
		if w.at.Before(from) || !w.at.Before(to) {
			continue
		}
		for g+1 < len(grids) && !grids[g+1].After(w.at) {
			g++
		}
		if len(grids) > 0 && !grids[g].After(w.at) && w.at.Sub(grids[g]) < within {
			near = append(near, w.waited)
		} else {
			rest = append(rest, w.waited)
		}
	}
	return near, rest
}

// redraws counts the batches and sample grids put on screen in [from, to),
// and the most batches in any one second of it.
func (l *probeLog) redraws(from, to time.Time) (batches, grids, busiestSecond int) {
	var times []time.Time
	for _, b := range l.batches {
		if b.at.Before(from) || !b.at.Before(to) {
			continue
		}
		batches++
		if b.grid {
			grids++
		}
		times = append(times, b.at)
	}
	start := 0
	for end := range times {
		for times[end].Sub(times[start]) >= time.Second {
			start++
		}
		busiestSecond = max(busiestSecond, end-start+1)
	}
	return batches, grids, busiestSecond
}

// spread is the median, 95th percentile and largest of some durations.
type spread struct {
	n                int
	median, p95, max time.Duration
	over             int // how many exceed the target
}

func spreadOf(values []time.Duration, target time.Duration) spread {
	if len(values) == 0 {
		return spread{}
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	s := spread{n: len(sorted), median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95),
		max: sorted[len(sorted)-1]}
	for _, v := range sorted {
		if v > target {
			s.over++
		}
	}
	return s
}

func (s spread) String() string {
	if s.n == 0 {
		return "no measurements"
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return fmt.Sprintf("n %d, median %.1f ms, p95 %.1f ms, max %.1f ms, %d over 100 ms",
		s.n, ms(s.median), ms(s.p95), ms(s.max), s.over)
}

// quantile returns the q-quantile of sorted values by the nearest rank.
func quantile(sorted []time.Duration, q float64) time.Duration {
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}
