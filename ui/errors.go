package ui

import (
	"errors"
	"io/fs"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// errBackendGone is the error of a session whose backend closed its update
// channel.
var errBackendGone = errors.New("ui: the trainer stopped answering")

// showError tells the person what failed in a dialog: a title saying what
// could not be done, a hint on what to do for the common causes, and the
// error itself.
func (s *Studio) showError(title string, err error) {
	lines := []fyne.CanvasObject{}
	if hint := errorHint(err); hint != "" {
		h := widget.NewLabel(hint)
		h.Wrapping = fyne.TextWrapWord
		lines = append(lines, h)
	}
	detail := widget.NewLabel(err.Error())
	detail.Wrapping = fyne.TextWrapWord
	detail.Importance = widget.LowImportance
	lines = append(lines, detail)

	icon := widget.NewIcon(theme.ErrorIcon())
	body := container.NewBorder(nil, nil, container.NewVBox(icon), nil, container.NewVBox(lines...))
	d := dialog.NewCustom(title, tr("dialog.ok"), body, s.window)
	d.Resize(fyne.NewSize(480, 0))
	d.Show()
}

// errorHint says in plain words what to do about err, for the causes a
// person can act on; "" for others.
func errorHint(err error) string {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return tr("error.hint_disk_full")
	case errors.Is(err, fs.ErrPermission):
		return tr("error.hint_permission")
	case errors.Is(err, fs.ErrNotExist):
		return tr("error.hint_not_found")
	case errors.Is(err, errors.ErrUnsupported):
		return tr("error.hint_unsupported")
	case errors.Is(err, errBackendGone):
		return tr("error.hint_backend_gone")
	}
	var invalid settingsError
	if errors.As(err, &invalid) {
		return tr("error.hint_settings")
	}
	return ""
}
