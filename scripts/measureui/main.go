// Command measureui measures how the ganvas window answers while it trains.
// scripts/measure-ui.sh runs it beside a ganvas window started with
// GANVAS_UI_PROBE=FILE on a virtual X display, and docs/responsiveness.md
// holds what it found:
//
//	measureui -display :93 -probe FILE [-trials 30]
//
// It waits for training to start, then for -warmup, then reads the probe
// for -steady while nobody touches the window: how long the window's main
// goroutine kept work waiting, how often batches and sample grids reached
// the screen, and how much CPU ganvas and the machine used. Then it pauses
// and resumes training -trials times, by turns with the Space key and with
// a click on the Pause button, sent through the X server as a person's
// input would be, and times each until the button's pixels change and until
// they show the new state. Then it taps the timeline slider under the sample
// grid -taps times back to an earlier grid and again to the live one, and
// times each until the slider's pixels change and until the grid's do. Last
// it asks the window to close, as a title bar's close button would, and
// prints the figures.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"log"
	"os"
	"time"
)

func main() {
	displayName := flag.String("display", ":93", "the X display the window is on")
	probePath := flag.String("probe", "", "the file the window's GANVAS_UI_PROBE writes")
	warmup := flag.Duration("warmup", 20*time.Second, "time to let training settle before measuring")
	steady := flag.Duration("steady", 40*time.Second, "time to watch the window untouched")
	trials := flag.Int("trials", 30, "pause-and-resume trials, half by key and half by click")
	taps := flag.Int("taps", 20,
		"timeline trials, each a tap back to an earlier grid and one to the end")
	gap := flag.Duration("gap", 2*time.Second, "training time between two trials")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("measureui: ")
	if *probePath == "" {
		log.Fatal("-probe is required")
	}

	probe, err := waitForTraining(*probePath, 5*time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	d, err := openDisplay(*displayName, probe.window)
	if err != nil {
		log.Fatal(err)
	}
	defer d.close()
	log.Printf("training is under way; letting it settle for %v", *warmup)
	time.Sleep(*warmup)

	log.Printf("watching the untouched window for %v", *steady)
	before := readUsage(probe.pid)
	steadyFrom := time.Now()
	time.Sleep(*steady)
	steadyTo := time.Now()
	after := readUsage(probe.pid)

	log.Printf("%d pause-and-resume trials", *trials)
	probe, err = readProbe(*probePath)
	if err != nil {
		log.Fatal(err)
	}
	m := &measurer{d: d, button: probe.button}
	results, err := m.run(*trials, *gap)
	if err != nil {
		// The figures so far are still worth printing, with the reason.
		log.Print(err)
	}
	trialsTo := time.Now()

	log.Printf("%d timeline trials", *taps)
	var moves []move
	if probe, err = readProbe(*probePath); err != nil {
		log.Fatal(err)
	}
	if probe.timeline.Empty() || probe.grid.Empty() {
		log.Print("the timeline has no earlier grid to move to yet: no timeline trials")
	} else if moves, err = m.timeline(probe.timeline, probe.grid, *taps, *gap); err != nil {
		log.Print(err)
	}
	tapsTo := time.Now()

	log.Print("asking the window to close")
	d.askToClose()
	probe, err = waitForSummary(*probePath, 2*time.Minute)
	if err != nil {
		log.Print(err)
	}

	report(os.Stdout, probe, usageBetween(before, after), steadyFrom, steadyTo, trialsTo, results)
	reportTimeline(os.Stdout, probe, trialsTo, tapsTo, moves)
}

// readProbe reads the probe file as it stands.
func readProbe(path string) (probeLog, error) {
	f, err := os.Open(path)
	if err != nil {
		return probeLog{}, fmt.Errorf("measureui: %w", err)
	}
	defer f.Close()
	return parseProbe(f)
}

// waitForTraining waits until the window is on screen with its Pause
// button laid out, and training steps are reaching it.
func waitForTraining(path string, limit time.Duration) (probeLog, error) {
	deadline := time.Now().Add(limit)
	for {
		probe, err := readProbe(path)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return probe, err
		}
		steps := 0
		for _, b := range probe.batches {
			steps += b.updates
		}
		if probe.window != 0 && !probe.button.Empty() && steps > 3 {
			return probe, nil
		}
		if time.Now().After(deadline) {
			return probe, fmt.Errorf("measureui: after %v the window shows no training "+
				"(window %d, button %v, %d updates)", limit, probe.window, probe.button, steps)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// waitForSummary waits until the probe has written its summary, which it
// does once the window has closed.
func waitForSummary(path string, limit time.Duration) (probeLog, error) {
	deadline := time.Now().Add(limit)
	for {
		probe, err := readProbe(path)
		if err == nil && len(probe.summary) > 0 {
			return probe, nil
		}
		if time.Now().After(deadline) {
			return probe, fmt.Errorf("measureui: the window did not close within %v", limit)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// move is the timing of one tap on the timeline slider: until the slider's
// pixels changed, and until the sample grid's did. A zero time means no
// change within stateLimit.
type move struct {
	back        bool // to an earlier grid; otherwise to the live one at the end
	thumb, grid time.Duration
}

// timeline taps the timeline slider trials times by turns a third of the
// way along, which shows an earlier saved grid, and at its end, which shows
// the live grid again, and times each tap's answer.
func (m *measurer) timeline(slider, grid image.Rectangle, trials int,
	gap time.Duration) ([]move, error) {
	// A strip across the middle of the grid: every image of a row changes
	// with the grid, and a thin grab keeps the polling fast.
	mid := (grid.Min.Y + grid.Max.Y) / 2
	strip := image.Rect(grid.Min.X, mid-2, grid.Max.X, mid+2)
	y := (slider.Min.Y + slider.Max.Y) / 2
	var moves []move
	for range trials {
		for _, back := range []bool{true, false} {
			at := image.Pt(slider.Max.X-2, y)
			if back {
				at.X = slider.Min.X + slider.Dx()/3
			}
			mv, err := m.tap(at, slider, strip)
			if err != nil {
				return moves, err
			}
			mv.back = back
			moves = append(moves, mv)
			where := "to the end"
			if back {
				where = "back"
			}
			log.Printf("timeline %s: slider %v, grid %v", where,
				mv.thumb.Round(100*time.Microsecond), mv.grid.Round(100*time.Microsecond))
		}
		time.Sleep(gap)
	}
	return moves, nil
}

// tap clicks at a point of the slider once it and the grid hold still, and
// times until each of them changes.
func (m *measurer) tap(at image.Point, slider, strip image.Rectangle) (move, error) {
	m.d.pointerTo(at)
	sliderBefore, err := m.still(slider, 500*time.Millisecond, stateLimit)
	if err != nil {
		return move{}, err
	}
	gridBefore, err := m.still(strip, 200*time.Millisecond, stateLimit)
	if err != nil {
		return move{}, err
	}
	start := time.Now()
	m.d.click()
	var mv move
	// watch sets *at to the time since the click once r differs from before.
	watch := func(r image.Rectangle, before []byte, at *time.Duration) error {
		if *at != 0 {
			return nil
		}
		now, err := m.d.grab(r)
		if err == nil && !bytes.Equal(now, before) {
			*at = time.Since(start)
		}
		return err
	}
	for (mv.thumb == 0 || mv.grid == 0) && time.Since(start) < stateLimit {
		if err := watch(slider, sliderBefore, &mv.thumb); err != nil {
			return mv, err
		}
		if err := watch(strip, gridBefore, &mv.grid); err != nil {
			return mv, err
		}
		time.Sleep(time.Millisecond)
	}
	return mv, nil
}

// input is how a trial pauses or resumes training.
type input int

const (
	spaceKey input = iota
	buttonClick
)

// verb names what a trial asks for.
func verb(pause bool) string {
	if pause {
		return "pause"
	}
	return "resume"
}

func (i input) String() string {
	if i == spaceKey {
		return "Space key"
	}
	return "click"
}

// trial is the timing of one input: until the button's pixels first
// changed, and until they showed the new state.
type trial struct {
	input         input
	pause         bool          // paused training; otherwise resumed it
	firstChange   time.Duration // 0 if nothing changed within stateLimit
	newState      time.Duration
	stateTimedOut bool
	reverted      bool // the button left the new state again before settling in it
}

// measurer runs the trials. It learns what the button looks like after a
// pause and after a resume from one trial of each input that it does not
// count.
type measurer struct {
	d      *display
	button image.Rectangle
	looks  map[lookKey][]byte
}

type lookKey struct {
	input input
	pause bool
}

// stateLimit is how long a trial waits for the button to show the new
// state before it gives up on it.
const stateLimit = 5 * time.Second

func (m *measurer) run(trials int, gap time.Duration) ([]trial, error) {
	m.looks = map[lookKey][]byte{}
	var results []trial
	for i := -2; i < trials; i++ {
		in := input((i + 2) % 2)
		for _, pause := range []bool{true, false} {
			t, err := m.one(in, pause)
			if err == nil && !t.stateTimedOut {
				t.reverted, err = m.holds(m.looks[lookKey{in, pause}], 1500*time.Millisecond)
			}
			if err != nil {
				return results, err
			}
			if i >= 0 {
				results = append(results, t)
				log.Printf("%v to %s: first change %v, new state %v%s", in, verb(pause),
					t.firstChange.Round(100*time.Microsecond), t.newState.Round(100*time.Microsecond),
					map[bool]string{true: ", then went back for a while"}[t.reverted])
			}
			if t.stateTimedOut {
				// Paused and running may now be the other way round from
				// what the next input expects, so the trials stop here.
				return results, fmt.Errorf("measureui: after a %v to %s, the button did not "+
					"show the new state within %v", in, verb(pause), stateLimit)
			}
		}
		time.Sleep(gap)
	}
	return results, nil
}

// one sends an input and times the button's answer.
func (m *measurer) one(in input, pause bool) (trial, error) {
	centre := image.Pt((m.button.Min.X+m.button.Max.X)/2, (m.button.Min.Y+m.button.Max.Y)/2)
	if in == buttonClick {
		m.d.pointerTo(centre)
	} else {
		// Off the button, in the sidebar's lower part, so no hover shows.
		m.d.pointerTo(image.Pt(m.button.Min.X/2, m.button.Max.Y+400))
	}
	// Hover effects and earlier answers settle first.
	before, err := m.still(m.button, 500*time.Millisecond, stateLimit)
	if err != nil {
		return trial{}, err
	}

	key := lookKey{in, pause}
	want := m.looks[key]
	if want != nil && bytes.Equal(before, want) {
		return trial{}, fmt.Errorf("measureui: before a %v to %s, the button already "+
			"shows what it should show after", in, verb(pause))
	}
	start := time.Now()
	if in == buttonClick {
		m.d.click()
	} else {
		m.d.pressSpace()
	}

	t := trial{input: in, pause: pause}
	last, lastChange := before, start
	for {
		now, err := m.d.grab(m.button)
		if err != nil {
			return t, err
		}
		since := time.Since(start)
		if t.firstChange == 0 && !bytes.Equal(now, before) {
			t.firstChange = since
		}
		if !bytes.Equal(now, last) {
			last, lastChange = now, time.Now()
		}
		switch {
		case want != nil && bytes.Equal(now, want):
			t.newState = since
			return t, nil
		case want == nil && t.firstChange > 0 && time.Since(lastChange) > 1500*time.Millisecond:
			// Learning the look: the button has held still after changing.
			m.looks[key] = last
			t.newState = lastChange.Sub(start)
			return t, nil
		case since > stateLimit:
			t.stateTimedOut = true
			return t, nil
		}
		time.Sleep(time.Millisecond)
	}
}

// still waits until the pixels of r have not changed for hold, and returns
// them; it gives up after limit.
func (m *measurer) still(r image.Rectangle, hold, limit time.Duration) ([]byte, error) {
	start := time.Now()
	last, err := m.d.grab(r)
	if err != nil {
		return nil, err
	}
	lastChange := start
	for time.Since(lastChange) < hold {
		if time.Since(start) > limit {
			return nil, fmt.Errorf("measureui: %v did not hold still for %v "+
				"within %v", r, hold, limit)
		}
		time.Sleep(10 * time.Millisecond)
		now, err := m.d.grab(r)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(now, last) {
			last, lastChange = now, time.Now()
		}
	}
	return last, nil
}

// holds watches the button for a while after it showed look: if it shows
// something else meanwhile, holds waits until it shows look again, for as
// long as training takes a step, and reports that it went back.
func (m *measurer) holds(look []byte, watch time.Duration) (bool, error) {
	reverted := false
	start := time.Now()
	for {
		now, err := m.d.grab(m.button)
		if err != nil {
			return reverted, err
		}
		settled := bytes.Equal(now, look)
		switch {
		case !settled:
			reverted = true
		case time.Since(start) >= watch:
			return reverted, nil
		}
		if time.Since(start) > watch+10*time.Second {
			return reverted, fmt.Errorf("measureui: the button left its new state and did " +
				"not come back within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
