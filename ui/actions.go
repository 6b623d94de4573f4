package ui

import (
	"context"
)

// train starts a new run with the settings in the form, or continues the
// open run up to the step budget in the form.
func (s *Studio) train() {
	if s.state != stateIdle || s.busy || s.closing {
		return
	}
	settings, err := s.form.settings(s.run)
	if err != nil {
		s.showError(tr("error.settings_title"), err)
		return
	}

	// The worker gets the run's folder, not the RunInfo, which progress
	// keeps changing on this goroutine.
	continueDir := ""
	if s.run != nil {
		continueDir = s.run.Dir
	} else {
		s.charts.clear()
		s.samples.clear()
		s.stats.clear()
	}
	s.batchSize = settings.BatchSize
	s.state = stateStarting
	s.setStatus(tr("status.starting"))

	s.spawnTraining(func() func() {
		var info RunInfo
		var err error
		if continueDir == "" {
			info, err = s.backend.StartTraining(settings)
		} else {
			info, err = s.backend.ContinueTraining(continueDir, settings.Steps)
		}
		return func() {
			if err != nil {
				if s.state == stateStarting {
					s.state = stateIdle
				}
				s.setStatus(tr("status.not_started"))
				s.showError(tr("error.start_title"), err)
				return
			}
			s.run = &info
			s.runChanged()
			if s.state == stateStarting {
				s.state = stateTraining
				s.setStatus(tr("status.training"))
			}
			s.samples.reloadFrames()
		}
	})
}

// trainIfReady starts training when the Train button could be pressed.
func (s *Studio) trainIfReady() {
	if !s.controls.train.Disabled() {
		s.train()
	}
}

// togglePause pauses training, or resumes it when paused. Pausing only sets
// a flag in the backend, so the window shows the new state at once, in the
// same frame as the key press or click, and a worker tells the backend;
// should the backend refuse, the window goes back and says why.
func (s *Studio) togglePause() {
	if s.busy || s.closing {
		return
	}
	var pause bool
	switch s.state {
	case stateTraining:
		pause = true
		s.state = statePaused
		s.setStatus(tr("status.paused"))
	case statePaused:
		s.state = stateTraining
		s.setStatus(tr("status.training"))
	default:
		return
	}
	s.wantPaused.Store(pause)
	s.confirming = true
	s.refreshControls()

	s.spawn(func(context.Context) func() {
		s.trainingCalls.Lock()
		var err error
		// The latest wish, not this press's: a quick Space, Space must end
		// resumed even if the two workers run in the other order. Should
		// the backend refuse, the window goes back from that wish.
		want := s.wantPaused.Load()
		if want {
			err = s.backend.Pause()
		} else {
			err = s.backend.Resume()
		}
		s.trainingCalls.Unlock()
		if err == nil {
			return nil
		}
		return func() {
			if want != s.wantPaused.Load() {
				return // a later press asked otherwise; its worker answers it
			}
			s.confirming = false
			title := tr("error.resume_title")
			if want {
				title = tr("error.pause_title")
			}
			switch {
			case want && s.state == statePaused:
				s.state = stateTraining
				s.setStatus(tr("status.training"))
			case !want && s.state == stateTraining:
				s.state = statePaused
				s.setStatus(tr("status.paused"))
			}
			s.refreshControls()
			s.showError(title, err)
		}
	})
}

// stop ends training; the backend saves a checkpoint first.
func (s *Studio) stop() {
	if s.busy || s.closing || (s.state != stateTraining && s.state != statePaused) {
		return
	}
	s.state = stateStopping
	s.confirming = false
	s.setStatus(tr("status.stopping"))
	s.spawnTraining(func() func() {
		err := s.backend.Stop()
		return func() {
			if err != nil {
				// The backend keeps training paused when it cannot save.
				if s.state == stateStopping {
					s.state = statePaused
				}
				s.setStatus(tr("status.paused"))
				s.showError(tr("error.stop_title"), err)
				return
			}
			if s.state == stateStopping {
				s.state = stateIdle
			}
		}
	})
}

// saveCheckpoint writes a checkpoint of the training session now.
func (s *Studio) saveCheckpoint() {
	if s.busy || s.closing || (s.state != stateTraining && s.state != statePaused) {
		return
	}
	s.setStatus(tr("status.saving"))
	s.spawnTraining(func() func() {
		err := s.backend.SaveCheckpoint()
		return func() {
			if err != nil {
				s.setStatus(tr("status.save_failed"))
				s.showError(tr("error.save_title"), err)
				return
			}
			s.setStatus(tr("status.checkpoint_saved", map[string]any{"Step": s.lastStep}))
		}
	})
}

// newRun closes the run shown, so the next Train starts a new run with the
// settings in the form.
func (s *Studio) newRun() {
	if s.state != stateIdle || s.busy || s.closing {
		return
	}
	s.run = nil
	s.runChanged()
	s.charts.clear()
	s.samples.clear()
	s.stats.clear()
	s.form.show(s.form.lastNew)
	s.style.showFolder()
	s.setStatus(tr("status.ready"))
	s.refreshControls()
}

// openRunDir opens the run in dir, as named on the command line.
func (s *Studio) openRunDir(dir string, autostart bool) {
	s.setStatus(tr("status.opening"))
	s.spawn(func(ctx context.Context) func() {
		info, err := s.backend.OpenRun(ctx, dir)
		return func() {
			if err != nil {
				s.setStatus(tr("status.ready"))
				s.showError(tr("error.open_title"), err)
				return
			}
			s.openRun(info, autostart)
		}
	})
}

// openRun shows an earlier run: its settings, its curves and its sample
// grids. With autostart it then continues training it.
func (s *Studio) openRun(info RunInfo, autostart bool) {
	if s.state != stateIdle || s.busy || s.closing {
		return
	}
	s.setStatus(tr("status.opening"))
	s.spawn(func(ctx context.Context) func() {
		metrics, err := s.backend.ReadMetrics(ctx, info.Dir)
		if err != nil {
			return func() {
				s.setStatus(tr("status.ready"))
				s.showError(tr("error.open_title"), err)
			}
		}
		frames, framesErr := s.backend.ListSamples(ctx, info.Dir)
		return func() {
			if s.state != stateIdle {
				return
			}
			if settings, err := s.form.settings(nil); s.run == nil && err == nil {
				s.form.lastNew = settings
			}
			s.run = &info
			s.runChanged()
			s.form.show(info.Settings)
			s.style.showRun(info.Settings.Folder)
			s.charts.setMetrics(metrics)
			s.stats.showRun(info, metrics)
			s.samples.clear()
			s.samples.setFrames(frames)
			s.setStatus(tr("status.opened", map[string]any{"Name": info.Name, "Step": info.Step}))
			if framesErr != nil {
				s.showError(tr("error.samples_title"), framesErr)
			}
			s.refreshControls()
			if autostart {
				s.train()
			}
		}
	})
}
