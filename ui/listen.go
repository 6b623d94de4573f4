package ui

import (
	"time"
)

// frameTime is the shortest time between two batches of updates applied to
// the window: about 60 a second.
const frameTime = time.Second / 60

// chartFrameTime is the shortest time between two redraws of the curves.
// Redrawing them costs milliseconds with many points, and ten times a
// second is smooth enough for curves that move a pixel at a time.
const chartFrameTime = time.Second / 10

// updateBatch is what the listener has read but not yet applied: every
// update in order, except sample grids, of which only the newest is kept.
type updateBatch struct {
	updates []Update
	grid    *Samples
}

func (b *updateBatch) add(u Update) {
	if samples, ok := u.(Samples); ok {
		b.grid = &samples
		return
	}
	b.updates = append(b.updates, u)
}

func (b *updateBatch) empty() bool {
	return len(b.updates) == 0 && b.grid == nil
}

// listen drains the backend's updates until the studio's context ends or
// the channel closes. It hands them to the main goroutine in batches, at
// most one batch in flight and one per frameTime, so a fast backend never
// floods the window and a slow window never holds up the backend.
func (s *Studio) listen(updates <-chan Update) {
	defer s.workers.Done()

	var (
		batch     updateBatch
		inFlight  bool
		timer     <-chan time.Time
		lastFlush time.Time
		applied   = make(chan struct{}, 1)
	)
	flush := func() {
		b := batch
		batch, inFlight, lastFlush = updateBatch{}, true, time.Now()
		s.do(func() {
			s.apply(b)
			applied <- struct{}{}
		})
	}
	// schedule flushes now, or arms the timer for the end of the frame.
	schedule := func() {
		if batch.empty() || inFlight || timer != nil {
			return
		}
		if wait := frameTime - time.Since(lastFlush); wait > 0 {
			timer = time.After(wait)
			return
		}
		flush()
	}

	for {
		select {
		case <-s.ctx.Done():
			return
		case u, ok := <-updates:
			if !ok {
				batch.add(Done{Step: -1, Err: errBackendGone})
				updates = nil
			} else {
				batch.add(u)
			}
			schedule()
		case <-timer:
			timer = nil
			schedule()
		case <-applied:
			inFlight = false
			schedule()
		}
	}
}

// apply shows a batch of updates in the window.
func (s *Studio) apply(b updateBatch) {
	if s.ctx.Err() != nil {
		return
	}
	var latest *Progress
	for _, u := range b.updates {
		switch u := u.(type) {
		case Progress:
			s.applyProgress(u)
			latest = &u
		case Loading:
			if (s.state == stateStarting || s.state == stateTraining) && u.Total > 0 {
				s.setStatus(tr("status.loading", map[string]any{"Done": u.Done, "Total": u.Total}))
			}
		case DatasetLoaded:
			s.style.showLoaded(u)
			if s.state == stateTraining {
				s.setStatus(tr("status.training")) // in place of the loading count
			}
		case CheckpointSaved:
			s.setStatus(tr("status.checkpoint_saved", map[string]any{"Step": u.Step}))
			if s.explore != nil && s.run != nil {
				s.explore.checkpointSaved(s.run.Dir, u.Step)
			}
		case Warning:
			s.setStatus(tr("status.warning", map[string]any{"Text": u.Text}))
		case Done:
			s.applyDone(u)
		}
	}
	// Figures and curves are drawn once a batch, however many steps it has.
	if latest != nil {
		s.stats.show(*latest, s.batchSize)
		s.redrawCharts()
	}
	if s.state == stateIdle {
		s.stats.stopped()
	}
	if b.grid != nil {
		s.samples.showLive(b.grid.Step, b.grid.Grid)
	}
	s.refreshControls()
	if s.applied != nil {
		s.applied(len(b.updates), b.grid != nil)
	}
}

// applyProgress records a step: its point on the curves, and whether
// training is paused.
func (s *Studio) applyProgress(p Progress) {
	s.charts.add(p)
	s.lastStep = p.Step
	if s.run != nil {
		s.run.Step = p.Step
	}
	switch {
	case s.confirming && p.Paused != (s.state == statePaused):
		// Sent before the trainer saw the last pause or resume.
	case s.state == stateStarting || s.state == stateTraining || s.state == statePaused:
		s.confirming = false
		if p.Paused {
			s.state = statePaused
			s.setStatus(tr("status.paused"))
		} else if s.state != stateTraining {
			s.state = stateTraining
			s.setStatus(tr("status.training"))
		}
	}
}

// applyDone ends a training session in the window.
func (s *Studio) applyDone(d Done) {
	wasTraining := s.state != stateIdle
	s.state = stateIdle
	s.confirming = false
	if s.run != nil {
		s.run.HasCheckpoint = true
	}
	s.runs.reload()
	s.samples.reloadFrames()
	switch {
	case d.Err == errBackendGone:
		s.setStatus(tr("status.backend_gone"))
		if wasTraining {
			s.showError(tr("error.backend_gone_title"), d.Err)
		}
	case d.Err != nil:
		s.setStatus(tr("status.failed", map[string]any{"Step": d.Step}))
		s.showError(tr("error.training_title"), d.Err)
	default:
		s.setStatus(tr("status.stopped", map[string]any{"Step": d.Step}))
	}
}

// redrawCharts redraws the curves now, or once chartFrameTime has passed
// since the last redraw; calls in between fold into that one.
func (s *Studio) redrawCharts() {
	if s.chartsDue {
		return
	}
	wait := chartFrameTime - time.Since(s.chartsDrawn)
	if wait <= 0 {
		s.charts.refresh()
		s.chartsDrawn = time.Now()
		return
	}
	s.chartsDue = true
	time.AfterFunc(wait, func() {
		s.do(func() {
			s.chartsDue = false
			if s.ctx.Err() == nil {
				s.charts.refresh()
				s.chartsDrawn = time.Now()
			}
		})
	})
}
