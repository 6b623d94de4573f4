package ui

import (
	"context"
	"image"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// thumbnailSize is the side of a thumbnail in the preview strip.
const thumbnailSize = 56

// stylePanel shows the style folder a new run trains on: its name, how many
// images it holds, a strip of thumbnails and the files that cannot be used.
type stylePanel struct {
	studio *Studio

	// folder is the folder a new run trains on, "" for the built-in style;
	// found is what its scan found in it.
	folder   string
	found    FolderScan
	editable bool

	name, path, count *widget.Label
	thumbs            *fyne.Container
	thumbStrip        *container.Scroll
	skipped           *fyne.Container
	skippedItem       *widget.AccordionItem
	skippedBox        *widget.Accordion
	chooseButton      *widget.Button
	builtinButton     *widget.Button
	card              *widget.Card

	// scanning counts scans, so only the newest one's result is shown.
	scanning int
}

func newStylePanel(s *Studio, folder string) *stylePanel {
	p := &stylePanel{
		studio:  s,
		folder:  folder,
		name:    widget.NewLabel(""),
		path:    widget.NewLabel(""),
		count:   widget.NewLabel(""),
		thumbs:  container.NewHBox(),
		skipped: container.NewVBox(),
	}
	p.name.TextStyle.Bold = true
	p.name.Truncation = fyne.TextTruncateEllipsis
	p.path.Truncation = fyne.TextTruncateEllipsis
	p.path.Importance = widget.LowImportance
	p.count.Wrapping = fyne.TextWrapWord

	p.thumbStrip = container.NewHScroll(p.thumbs)
	p.thumbStrip.SetMinSize(fyne.NewSize(thumbnailSize, thumbnailSize))
	p.skippedItem = widget.NewAccordionItem("", p.skipped)
	p.skippedBox = widget.NewAccordion(p.skippedItem)
	p.skippedBox.Hide()

	p.chooseButton = widget.NewButtonWithIcon(tr("style.choose"), theme.FolderOpenIcon(), p.choose)
	p.builtinButton = widget.NewButtonWithIcon(tr("style.builtin_button"), theme.HomeIcon(), func() {
		p.scan("")
	})
	buttons := container.NewGridWithColumns(2, p.chooseButton, p.builtinButton)
	p.card = widget.NewCard(tr("style.title"), "", container.NewVBox(
		p.name, p.path, p.count, p.thumbStrip, p.skippedBox, buttons,
	))
	p.showNames(folder)
	return p
}

// choose opens the folder dialog, starting in the current folder.
func (p *stylePanel) choose() {
	if !p.editable {
		return
	}
	d := dialog.NewFolderOpen(func(uri fyne.ListableURI, err error) {
		if err != nil {
			p.studio.showError(tr("error.scan_title"), err)
			return
		}
		if uri != nil {
			p.scan(uri.Path())
		}
	}, p.studio.window)
	if p.folder != "" {
		if lister, err := storage.ListerForURI(storage.NewFileURI(p.folder)); err == nil {
			d.SetLocation(lister)
		}
	}
	d.Resize(fyne.NewSize(860, 580))
	d.Show()
}

// scan looks at a folder in the background and shows what it holds. If the
// folder cannot be read, the person is told and the previous folder stays.
func (p *stylePanel) scan(folder string) {
	p.scanning++
	generation := p.scanning
	s := p.studio
	s.setStatus(tr("status.scanning"))
	s.spawn(func(ctx context.Context) func() {
		scan, err := s.backend.ScanFolder(ctx, folder)
		return func() {
			if generation != p.scanning {
				return
			}
			if s.controls.status.Text == tr("status.scanning") {
				s.setStatus(tr("status.ready"))
			}
			if err != nil {
				s.showError(tr("error.scan_title"), err)
				return
			}
			p.folder, p.found = folder, scan
			s.folderOK = scan.Images > 0
			if s.run == nil {
				p.showFolder()
				s.form.offerClasses(scan.Classes != nil)
			}
			s.refreshControls()
		}
	})
}

// showFolder shows the chosen folder and what its scan found.
func (p *stylePanel) showFolder() {
	p.showNames(p.folder)
	p.showCounts(p.found.Images, p.found.Skipped, p.found.First)
	p.showThumbnails(p.found.Thumbnails)
	p.studio.fitSidebar()
}

// showRun shows the folder an open run was trained on, without a scan.
func (p *stylePanel) showRun(folder string) {
	p.showNames(folder)
	p.count.SetText(tr("style.run_folder"))
	p.showThumbnails(nil)
	p.skippedBox.Hide()
	p.studio.fitSidebar()
}

// showLoaded shows what the trainer found when it loaded the folder.
func (p *stylePanel) showLoaded(d DatasetLoaded) {
	p.showCounts(d.Images, d.Skipped, d.First)
	p.studio.fitSidebar()
}

// setEditable allows choosing another folder or not.
func (p *stylePanel) setEditable(editable bool) {
	p.editable = editable
	setEnabled(p.chooseButton, editable)
	setEnabled(p.builtinButton, editable && p.folder != "")
}

func (p *stylePanel) showNames(folder string) {
	if folder == "" {
		p.name.SetText(tr("style.builtin"))
		p.path.SetText(tr("style.builtin_detail"))
		return
	}
	p.name.SetText(filepath.Base(folder))
	p.path.SetText(folder)
}

func (p *stylePanel) showCounts(images, skipped int, first []SkippedFile) {
	switch {
	case images == 0:
		p.count.SetText(tr("style.no_images"))
		p.count.Importance = widget.DangerImportance
	case skipped == 0:
		p.count.SetText(trn("style.images", images))
		p.count.Importance = widget.MediumImportance
	default:
		p.count.SetText(trn("style.images", images) + " · " + trn("style.skipped", skipped))
		p.count.Importance = widget.MediumImportance
	}
	p.count.Refresh()

	p.skipped.RemoveAll()
	for _, f := range first {
		line := widget.NewLabel(tr("style.skipped_line", map[string]any{
			"Name": filepath.Base(f.Path), "Reason": f.Reason,
		}))
		line.Wrapping = fyne.TextWrapWord
		p.skipped.Add(line)
	}
	if more := skipped - len(first); more > 0 && len(first) > 0 {
		p.skipped.Add(widget.NewLabel(trn("style.skipped_more", more)))
	}
	p.skippedItem.Title = trn("style.skipped_title", skipped)
	p.skippedBox.Refresh()
	if len(first) > 0 {
		p.skippedBox.Show()
	} else {
		p.skippedBox.Hide()
	}
}

func (p *stylePanel) showThumbnails(images []image.Image) {
	p.thumbs.RemoveAll()
	for _, img := range images {
		thumb := canvas.NewImageFromImage(img)
		thumb.FillMode = canvas.ImageFillContain
		thumb.SetMinSize(fyne.NewSize(thumbnailSize, thumbnailSize))
		p.thumbs.Add(thumb)
	}
	if len(images) == 0 {
		p.thumbStrip.Hide()
	} else {
		p.thumbStrip.Show()
	}
	p.thumbStrip.ScrollToOffset(fyne.Position{})
}
