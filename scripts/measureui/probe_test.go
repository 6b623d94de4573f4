package main

import (
	"errors"
	"image"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseProbe(t *testing.T) {
	text := "pid 42\n" +
		"window 2097184\n" +
		"button 1000 568 44 650 80\n" +
		"timeline 1000 300 700 900 730\n" +
		"grid 1000 300 100 900 690\n" +
		"wait 1000000000 2500000\n" +
		"batch 1100000000 3 1\n" +
		"wait 1050000000 150000000\n" +
		"batch 1200000000 1 0\n" +
		"# 2 turns of the main goroutine waited\n" +
		"wait 1100000000 1" // still being written: no newline yet
	log, err := parseProbe(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if log.pid != 42 || log.window != 2097184 || log.button != image.Rect(568, 44, 650, 80) {
		t.Errorf("pid %d, window %d, button %v", log.pid, log.window, log.button)
	}
	if log.timeline != image.Rect(300, 700, 900, 730) || log.grid != image.Rect(300, 100, 900, 690) {
		t.Errorf("timeline %v, grid %v", log.timeline, log.grid)
	}
	if len(log.waits) != 2 || log.waits[1].waited != 150*time.Millisecond ||
		!log.waits[0].at.Equal(time.Unix(1, 0)) {
		t.Errorf("waits %v, want the two complete lines", log.waits)
	}
	if len(log.batches) != 2 || !log.batches[0].grid || log.batches[0].updates != 3 || log.batches[1].grid {
		t.Errorf("batches %v", log.batches)
	}
	if len(log.summary) != 1 || log.summary[0] != "2 turns of the main goroutine waited" {
		t.Errorf("summary %q", log.summary)
	}
}

func TestParseProbeRejects(t *testing.T) {
	for _, line := range []string{
		"\n",
		"wait 1\n",
		"wait 1 2 3\n",
		"wait x 2\n",
		"frame 1 2\n",
		"button 1 10 10 5 5\n",
		"timeline 1 0 0 10\n",
		"batch 1 2\n",
	} {
		_, err := parseProbe(strings.NewReader(line))
		if !errors.Is(err, errBadProbeLine) {
			t.Errorf("%q: error %v, want errBadProbeLine", line, err)
		}
	}
}

func FuzzParseProbe(f *testing.F) {
	f.Add("pid 1\nwindow 2\nbutton 1 0 0 10 10\nwait 5 6\nbatch 7 8 1\n# done\n")
	f.Add("batch 1 -3 0\n")
	f.Fuzz(func(t *testing.T, text string) {
		log, err := parseProbe(strings.NewReader(text))
		if err != nil && !errors.Is(err, errBadProbeLine) {
			t.Fatalf("unexpected error %v", err)
		}
		if !log.button.Empty() && (log.button.Dx() > 10000 || log.button.Dy() > 10000) {
			t.Errorf("accepted button %v", log.button)
		}
	})
}

func TestRedraws(t *testing.T) {
	at := func(ms int) time.Time { return time.Unix(0, int64(ms)*int64(time.Millisecond)) }
	var log probeLog
	for _, ms := range []int{0, 100, 200, 1150, 1160, 1170, 1180, 3000} {
		log.batches = append(log.batches, batch{at: at(ms), updates: 1, grid: ms%200 == 0})
	}
	batches, grids, busiest := log.redraws(at(100), at(3000))
	// In range: 100 to 1180; a grid at 200; 200 to 1180 lie within a second.
	if batches != 6 || grids != 1 || busiest != 5 {
		t.Errorf("got %d batches, %d grids, %d in the busiest second; want 6, 1, 5",
			batches, grids, busiest)
	}
}

func TestSpread(t *testing.T) {
	var values []time.Duration
	for i := 20; i >= 1; i-- {
		values = append(values, time.Duration(i)*10*time.Millisecond)
	}
	s := spreadOf(values, 100*time.Millisecond)
	want := spread{n: 20, median: 100 * time.Millisecond, p95: 190 * time.Millisecond,
		max: 200 * time.Millisecond, over: 10}
	if s != want {
		t.Errorf("got %+v, want %+v", s, want)
	}
	if got := s.String(); got != "n 20, median 100.0 ms, p95 190.0 ms, max 200.0 ms, 10 over 100 ms" {
		t.Errorf("reads %q", got)
	}
	if got := spreadOf(nil, time.Second).String(); got != "no measurements" {
		t.Errorf("empty reads %q", got)
	}
}

func TestWaitsNearGrids(t *testing.T) {
	at := func(ms int) time.Time { return time.Unix(0, int64(ms)*int64(time.Millisecond)) }
	log := probeLog{batches: []batch{
		{at: at(1000), grid: true}, {at: at(1500)}, {at: at(3000), grid: true},
	}}
	for _, ms := range []int{900, 1000, 1200, 1299, 1300, 2000, 3100, 4000} {
		log.waits = append(log.waits, wait{at: at(ms), waited: time.Duration(ms) * time.Millisecond})
	}
	near, rest := log.waitsNearGrids(at(950), at(3500), 300*time.Millisecond)
	ms := func(d []time.Duration) (out []int) {
		for _, v := range d {
			out = append(out, int(v/time.Millisecond))
		}
		return out
	}
	if got := ms(near); !slices.Equal(got, []int{1000, 1200, 1299, 3100}) {
		t.Errorf("near grids: %v", got)
	}
	if got := ms(rest); !slices.Equal(got, []int{1300, 2000}) {
		t.Errorf("the rest: %v", got)
	}
}
