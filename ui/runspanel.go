package ui

import (
	"context"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// runsListHeight is the height of the list of recent runs in the sidebar.
const runsListHeight = 150

// runsPanel lists earlier runs, newest first. Choosing one opens it: its
// curves and samples are shown, and Train continues it.
type runsPanel struct {
	studio   *Studio
	runs     []RunInfo
	editable bool

	list    *widget.List
	none    *widget.Label
	refresh *widget.Button
	card    *widget.Card

	// loading counts reloads, so only the newest one's result is shown.
	loading int
}

func newRunsPanel(s *Studio) *runsPanel {
	p := &runsPanel{studio: s, none: widget.NewLabel(tr("runs.none"))}
	p.none.Importance = widget.LowImportance
	p.list = widget.NewList(
		func() int { return len(p.runs) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("")
			name.TextStyle.Bold = true
			name.Truncation = fyne.TextTruncateEllipsis
			detail := widget.NewLabel("")
			detail.Importance = widget.LowImportance
			detail.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(name, detail)
		},
		func(id widget.ListItemID, item fyne.CanvasObject) {
			run := p.runs[id]
			labels := item.(*fyne.Container).Objects
			labels[0].(*widget.Label).SetText(run.Name)
			labels[1].(*widget.Label).SetText(tr("runs.detail", map[string]any{
				"Step":       run.Step,
				"Resolution": run.Settings.Resolution,
				"Date":       run.Updated.Local().Format("2006-01-02 15:04"),
			}))
		},
	)
	p.list.OnSelected = p.selected

	p.refresh = widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), p.reload)
	body := container.NewStack(minHeight(runsListHeight), p.list, container.NewCenter(p.none))
	header := container.NewBorder(nil, nil, nil, p.refresh, widget.NewLabel(tr("runs.hint")))
	p.card = widget.NewCard(tr("runs.title"), "", container.NewBorder(header, nil, nil, nil, body))
	return p
}

// reload asks the backend for the recent runs and shows them.
func (p *runsPanel) reload() {
	p.loading++
	generation := p.loading
	p.studio.spawn(func(ctx context.Context) func() {
		runs, err := p.studio.backend.RecentRuns(ctx)
		return func() {
			if generation != p.loading {
				return
			}
			if err != nil {
				p.studio.setStatus(tr("status.runs_failed", map[string]any{"Error": err.Error()}))
				return
			}
			p.runs = runs
			p.none.Hidden = len(runs) > 0
			p.list.UnselectAll()
			p.list.Refresh()
			p.none.Refresh()
		}
	})
}

// selected opens the chosen run, when nothing is training.
func (p *runsPanel) selected(id widget.ListItemID) {
	p.list.UnselectAll()
	if !p.editable || id < 0 || id >= len(p.runs) {
		if !p.editable {
			p.studio.setStatus(tr("status.stop_first"))
		}
		return
	}
	p.studio.openRun(p.runs[id], false)
}

// setEditable allows opening runs or not.
func (p *runsPanel) setEditable(editable bool) {
	p.editable = editable
}

// minHeight returns an invisible object that makes a stack at least height
// tall.
func minHeight(height float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(0, height))
	return r
}
