package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// TestTrainingPanelMarkup pins what the training panel shows before and
// during training: which buttons there are, what they say and which can be
// pressed, the status line, the figures under the grid with the progress
// bar and the time left, and the settings with their hints. A change to any
// of them shows up as a difference from the files in testdata/.
func TestTrainingPanelMarkup(t *testing.T) {
	backend := newFakeBackend()
	s, loop := newTestStudio(t, backend, Options{})

	test.AssertObjectRendersToMarkup(t, "controls_idle.xml", s.controls.content)
	test.AssertObjectRendersToMarkup(t, "settings_idle.xml", s.form.card)

	test.Tap(s.controls.train)
	loop.runUntil(t, "training has started", func() bool { return s.state == stateTraining })
	backend.updates <- Progress{
		Step: 300, Steps: 1000, Epoch: 4, LossD: 1.1, LossG: 0.9, DReal: 0.6, DFake: 0.4,
		ImagesPerSec: 64, Elapsed: 5 * time.Minute,
	}
	loop.runUntil(t, "step 300 is shown", func() bool {
		return s.stats.step.Text == "Step 300 of 1000"
	})
	loop.settle()

	test.AssertObjectRendersToMarkup(t, "controls_training.xml", s.controls.content)
	test.AssertObjectRendersToMarkup(t, "stats_training.xml", s.stats.content)
	test.AssertObjectRendersToMarkup(t, "settings_training.xml", s.form.card)
}
