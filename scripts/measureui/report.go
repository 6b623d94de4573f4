package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// target is the longest a person should wait for the window to answer.
const target = 100 * time.Millisecond

// usage is a reading of the CPU time used so far, by ganvas and by the
// whole machine, and the machine's load average.
type usage struct {
	at          time.Time
	process     time.Duration // user and system time of ganvas
	machineBusy time.Duration // time all cores spent neither idle nor waiting on disk
	machineAll  time.Duration
	load        string // /proc/loadavg's first three figures
}

// clockTick is the unit of /proc's CPU times: USER_HZ, 100 on Linux.
const clockTick = 10 * time.Millisecond

func readUsage(pid int) usage {
	u := usage{at: time.Now()}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// The fields after the command name, which is in parentheses.
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i >= 0 {
			f := strings.Fields(s[i+1:])
			if len(f) > 12 {
				user, _ := strconv.ParseInt(f[11], 10, 64)
				system, _ := strconv.ParseInt(f[12], 10, 64)
				u.process = time.Duration(user+system) * clockTick
			}
		}
	}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		for i, f := range strings.Fields(line)[1:] {
			v, _ := strconv.ParseInt(f, 10, 64)
			u.machineAll += time.Duration(v) * clockTick
			if i != 3 && i != 4 { // idle, iowait
				u.machineBusy += time.Duration(v) * clockTick
			}
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(b))
		if len(f) >= 3 {
			u.load = strings.Join(f[:3], " ")
		}
	}
	return u
}

// cpuUse is how busy ganvas and the machine were between two readings, in
// cores.
type cpuUse struct {
	seconds          float64
	process, machine float64
	loadBefore       string
	loadAfter        string
}

func usageBetween(a, b usage) cpuUse {
	wall := b.at.Sub(a.at).Seconds()
	c := cpuUse{seconds: wall, loadBefore: a.load, loadAfter: b.load,
		process: (b.process - a.process).Seconds() / wall}
	if all := (b.machineAll - a.machineAll).Seconds(); all > 0 {
		c.machine = (b.machineBusy - a.machineBusy).Seconds() / all * float64(runtime.NumCPU())
	}
	return c
}

// report prints the figures as Markdown.
func report(w io.Writer, probe probeLog, cpu cpuUse, steadyFrom, steadyTo, trialsTo time.Time,
	trials []trial) {
	fmt.Fprintf(w, "\n## Untouched window while training (%.0f s)\n\n", cpu.seconds)
	fmt.Fprintf(w, "- CPU: ganvas used %.2f cores; the whole machine %.2f of its %d cores; "+
		"load average %s before, %s after\n", cpu.process, cpu.machine, runtime.NumCPU(),
		cpu.loadBefore, cpu.loadAfter)
	fmt.Fprintf(w, "- Main goroutine, waiting for a turn every %v: %v\n",
		50*time.Millisecond, spreadOf(probe.waitsBetween(steadyFrom, steadyTo), target))
	near, rest := probe.waitsNearGrids(steadyFrom, steadyTo, 300*time.Millisecond)
	fmt.Fprintf(w, "  - asked within 300 ms after a new sample grid reached the screen: %v\n",
		spreadOf(near, target))
	fmt.Fprintf(w, "  - asked at other times: %v\n", spreadOf(rest, target))
	seconds := steadyTo.Sub(steadyFrom).Seconds()
	batches, grids, busiest := probe.redraws(steadyFrom, steadyTo)
	fmt.Fprintf(w, "- Put on screen: %d batches of updates (%.1f a second, at most %d in any "+
		"second) and %d new sample grids (%.2f a second)\n",
		batches, float64(batches)/seconds, busiest, grids, float64(grids)/seconds)

	fmt.Fprintf(w, "\n## Pausing and resuming (%d inputs)\n\n", len(trials))
	fmt.Fprintf(w, "- Main goroutine during the trials: %v\n",
		spreadOf(probe.waitsBetween(steadyTo, trialsTo), target))
	fmt.Fprintln(w, "\n| input | action | inputs | first change of the button | button shows the new state |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, pause := range []bool{true, false} {
		for _, in := range []input{spaceKey, buttonClick} {
			var first, state []time.Duration
			inputs, missed, reverted := 0, 0, 0
			for _, t := range trials {
				if t.input != in || t.pause != pause {
					continue
				}
				inputs++
				if t.reverted {
					reverted++
				}
				if t.firstChange > 0 {
					first = append(first, t.firstChange)
				}
				if t.stateTimedOut {
					missed++
				} else {
					state = append(state, t.newState)
				}
			}
			note := ""
			if missed > 0 {
				note = fmt.Sprintf("; %d never within %v", missed, stateLimit)
			}
			if reverted > 0 {
				note += fmt.Sprintf("; %d went back for a while after", reverted)
			}
			fmt.Fprintf(w, "| %v | %s | %d | %v | %v%s |\n", in, verb(pause), inputs,
				spreadOf(first, target), spreadOf(state, target), note)
		}
	}
	var first, state []time.Duration
	for _, t := range trials {
		if t.firstChange > 0 {
			first = append(first, t.firstChange)
		}
		if !t.stateTimedOut {
			state = append(state, t.newState)
		}
	}
	fmt.Fprintf(w, "| all | both | %d | %v | %v |\n", len(trials), spreadOf(first, target),
		spreadOf(state, target))
	for _, line := range probe.summary {
		fmt.Fprintf(w, "\nProbe, over the whole session: %s", line)
	}
	fmt.Fprintln(w)
}

// reportTimeline prints the timeline trials.
func reportTimeline(w io.Writer, probe probeLog, from, to time.Time, moves []move) {
	fmt.Fprintf(w, "\n## Tapping the timeline slider (%d taps)\n\n", len(moves))
	if len(moves) == 0 {
		fmt.Fprintln(w, "No taps: the timeline had no earlier grid to move to.")
		return
	}
	fmt.Fprintf(w, "- Main goroutine during the taps: %v\n",
		spreadOf(probe.waitsBetween(from, to), target))
	fmt.Fprintln(w, "\n| tap | taps | slider changes | grid changes |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, back := range []bool{true, false} {
		var thumb, grid []time.Duration
		n, missed := 0, 0
		for _, mv := range moves {
			if mv.back != back {
				continue
			}
			n++
			if mv.thumb > 0 {
				thumb = append(thumb, mv.thumb)
			}
			if mv.grid > 0 {
				grid = append(grid, mv.grid)
			} else {
				missed++
			}
		}
		note := ""
		if missed > 0 {
			note = fmt.Sprintf("; %d never within %v", missed, stateLimit)
		}
		name := map[bool]string{true: "back a third of the way", false: "to the end, the live grid"}[back]
		fmt.Fprintf(w, "| %s | %d | %v | %v%s |\n", name, n, spreadOf(thumb, target),
			spreadOf(grid, target), note)
	}
}
