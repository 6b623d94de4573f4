package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// controlBar holds the training buttons, the name of the run shown, and a
// status line saying what happened last.
type controlBar struct {
	train, pause, stop, save, newRun *widget.Button

	runName *widget.Label
	status  *widget.Label
	content fyne.CanvasObject
}

func newControlBar(s *Studio) *controlBar {
	b := &controlBar{
		train:   widget.NewButtonWithIcon(tr("control.train"), theme.MediaPlayIcon(), s.train),
		pause:   widget.NewButtonWithIcon(tr("control.pause"), theme.MediaPauseIcon(), s.togglePause),
		stop:    widget.NewButtonWithIcon(tr("control.stop"), theme.MediaStopIcon(), s.stop),
		save:    widget.NewButtonWithIcon(tr("control.save"), theme.DocumentSaveIcon(), s.saveCheckpoint),
		newRun:  widget.NewButtonWithIcon(tr("control.new_run"), theme.ContentAddIcon(), s.newRun),
		runName: widget.NewLabel(""),
		status:  widget.NewLabel(tr("status.ready")),
	}
	b.train.Importance = widget.HighImportance
	b.runName.TextStyle.Bold = true
	b.runName.Truncation = fyne.TextTruncateEllipsis
	b.status.Truncation = fyne.TextTruncateEllipsis

	buttons := container.NewHBox(b.train, b.pause, b.stop, b.save)
	top := container.NewBorder(nil, nil, buttons, b.newRun, b.runName)
	b.content = container.NewVBox(top, b.status, widget.NewSeparator())
	return b
}

// refreshControls enables what can be done now and names the buttons for
// it. Every change of state ends here.
func (s *Studio) refreshControls() {
	b := s.controls
	idle := s.state == stateIdle && !s.busy && !s.closing
	running := (s.state == stateTraining || s.state == statePaused) && !s.busy && !s.closing

	if s.run == nil {
		setButton(b.train, tr("control.train"), theme.MediaPlayIcon())
		setLabel(b.runName, tr("run.new"))
	} else {
		setButton(b.train, tr("control.continue"), theme.MediaPlayIcon())
		setLabel(b.runName, tr("run.name", map[string]any{"Name": s.run.Name}))
	}
	setEnabled(b.train, idle && s.canTrain())
	setEnabled(b.newRun, idle && s.run != nil)
	setEnabled(b.stop, running)
	setEnabled(b.save, running)
	setEnabled(b.pause, running)
	if s.state == statePaused {
		setButton(b.pause, tr("control.resume"), theme.MediaPlayIcon())
	} else {
		setButton(b.pause, tr("control.pause"), theme.MediaPauseIcon())
	}

	s.form.setEditable(idle && s.run == nil, idle)
	s.style.setEditable(idle && s.run == nil)
	s.runs.setEditable(idle)
}

// canTrain says whether Train has something to train on: a run that can
// continue, or a style folder with images.
func (s *Studio) canTrain() bool {
	if s.run != nil {
		return s.run.HasCheckpoint
	}
	return s.folderOK
}

// setButton gives a button its text and icon, redrawing it only if they
// change: the controls are brought up to date many times a second.
func setButton(b *widget.Button, text string, icon fyne.Resource) {
	if b.Text != text || b.Icon != icon {
		b.Text, b.Icon = text, icon
		b.Refresh()
	}
}

// setLabel is setButton for a label.
func setLabel(l *widget.Label, text string) {
	if l.Text != text {
		l.SetText(text)
	}
}

// setEnabled enables or disables a widget.
func setEnabled(w fyne.Disableable, enabled bool) {
	if enabled {
		w.Enable()
	} else {
		w.Disable()
	}
}
