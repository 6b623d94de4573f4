package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
)

// exportScales are the enlargements a PNG export offers.
var exportScales = []int{1, 2, 4, 8}

// animationFrames are the frame counts an animated export offers.
var animationFrames = []int{8, 16, 24, 32, 48, 64, 96}

// animationSpeeds are the speeds an animated export offers, slowest first,
// with the translation key that names each.
var animationSpeeds = []struct {
	key   string
	delay time.Duration
}{
	{"export.speed_slow", time.Second / 4},
	{"export.speed_normal", time.Second / 10},
	{"export.speed_fast", time.Second / 25},
}

// exportChoices remembers what a person chose in the last export, so the
// next one starts there.
type exportChoices struct {
	scale     int // index into exportScales
	smooth    bool
	frames    int // index into animationFrames
	speed     int // index into animationSpeeds
	roundTrip bool
	folder    string // where the last file was written
}

func defaultExportChoices() exportChoices {
	return exportChoices{scale: 2, frames: 2, speed: 1, roundTrip: true}
}

// exportPNG asks how large and how to scale, then where to write, and
// calls write with the answers.
func (s *Studio) exportPNG(name string, write func(ctx context.Context, path string, scale int, smooth bool) error) {
	if s.explore.info == nil {
		return
	}
	resolution := s.explore.info.Resolution
	sizes := make([]string, len(exportScales))
	for i, f := range exportScales {
		sizes[i] = tr("export.size", map[string]any{"Pixels": resolution * f, "Factor": f})
	}
	size := widget.NewSelect(sizes, nil)
	size.SetSelectedIndex(s.exportChoices.scale)
	pixelExact, smooth := tr("export.pixel_exact"), tr("export.smooth")
	scaling := widget.NewRadioGroup([]string{pixelExact, smooth}, nil)
	scaling.Horizontal = true
	scaling.Required = true
	scaling.SetSelected(pixelExact)
	if s.exportChoices.smooth {
		scaling.SetSelected(smooth)
	}
	note := widget.NewLabel(tr("export.recipe_note"))
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.LowImportance

	items := []*widget.FormItem{
		widget.NewFormItem(tr("export.size_label"), size),
		widget.NewFormItem(tr("export.scaling_label"), scaling),
		widget.NewFormItem("", note),
	}
	form := dialog.NewForm(tr("export.png_title"), tr("export.choose_file"), tr("dialog.cancel"), items,
		func(ok bool) {
			if !ok {
				return
			}
			s.exportChoices.scale = max(size.SelectedIndex(), 0)
			s.exportChoices.smooth = scaling.Selected == smooth
			scale, smoothly := exportScales[s.exportChoices.scale], s.exportChoices.smooth
			s.chooseSavePath(name, ".png", func(path string) {
				s.runExport(path, func(ctx context.Context) error {
					return write(ctx, path, scale, smoothly)
				})
			})
		}, s.window)
	form.Resize(fyne.NewSize(480, 0))
	form.Show()
}

// exportAnimation asks for frames and speed (and, for a path, size and
// whether to come back), then where to write, and calls write.
func (s *Studio) exportAnimation(title, name string, isPath bool,
	write func(ctx context.Context, path string, anim Animation) error) {
	c := &s.exportChoices
	frameNames := make([]string, len(animationFrames))
	for i, n := range animationFrames {
		frameNames[i] = trn("export.frames_count", n)
	}
	frames := widget.NewSelect(frameNames, nil)
	frames.SetSelectedIndex(c.frames)
	speedNames := make([]string, len(animationSpeeds))
	for i, sp := range animationSpeeds {
		speedNames[i] = tr(sp.key)
	}
	speed := widget.NewSelect(speedNames, nil)
	speed.SetSelectedIndex(c.speed)
	items := []*widget.FormItem{
		widget.NewFormItem(tr("export.frames_label"), frames),
		widget.NewFormItem(tr("export.speed_label"), speed),
	}

	var size *widget.Select
	var roundTrip *widget.Check
	if isPath && s.explore.info != nil {
		sizes := make([]string, len(exportScales))
		for i, f := range exportScales {
			sizes[i] = tr("export.size", map[string]any{"Pixels": s.explore.info.Resolution * f, "Factor": f})
		}
		size = widget.NewSelect(sizes, nil)
		size.SetSelectedIndex(c.scale)
		roundTrip = widget.NewCheck(tr("export.round_trip"), nil)
		roundTrip.SetChecked(c.roundTrip)
		items = append(items, widget.NewFormItem(tr("export.size_label"), size),
			widget.NewFormItem("", roundTrip))
	}

	form := dialog.NewForm(title, tr("export.choose_file"), tr("dialog.cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		c.frames, c.speed = max(frames.SelectedIndex(), 0), max(speed.SelectedIndex(), 0)
		anim := Animation{Frames: animationFrames[c.frames], Delay: animationSpeeds[c.speed].delay, Scale: 1}
		if size != nil {
			c.scale, c.roundTrip = max(size.SelectedIndex(), 0), roundTrip.Checked
			anim.Scale, anim.RoundTrip = exportScales[c.scale], c.roundTrip
		}
		s.chooseSavePath(name, ".gif", func(path string) {
			s.runExport(path, func(ctx context.Context) error { return write(ctx, path, anim) })
		})
	}, s.window)
	form.Resize(fyne.NewSize(480, 0))
	form.Show()
}

// exportTimelapse writes the sample grids of the run shown as a GIF.
func (s *Studio) exportTimelapse() {
	if s.run == nil {
		return
	}
	dir := s.run.Dir
	s.exportAnimation(tr("export.timelapse_title"), fileName(s.run.Name)+"-timelapse.gif", false,
		func(ctx context.Context, path string, anim Animation) error {
			return s.explorer.ExportTimelapse(ctx, path, dir, anim)
		})
}

// runExport runs an export on a worker. A failure is shown in a dialog; the
// window keeps everything as it was, so the person can try again elsewhere.
func (s *Studio) runExport(path string, export func(ctx context.Context) error) {
	s.notify(tr("export.writing", map[string]any{"Path": path}))
	s.spawn(func(ctx context.Context) func() {
		err := export(ctx)
		return func() {
			if err != nil {
				s.notify(tr("export.failed"))
				s.showError(tr("error.export_title"), err)
				return
			}
			s.notify(tr("export.saved", map[string]any{"Path": path}))
		}
	})
}

// chooseFileToSave asks where to write a new file with Fyne's save dialog
// and calls chosen with its path. A name without the extension gets it.
//
// The dialog's writer is closed unused: with keepUntilWritten in place it
// has neither created nor emptied the file, and the export replaces it
// atomically, so a failed export leaves a file being replaced untouched.
func (s *Studio) chooseFileToSave(name, ext string, chosen func(path string)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			s.showError(tr("error.export_title"), err)
			return
		}
		if w == nil {
			return // cancelled
		}
		path := w.URI().Path()
		w.Close()
		if !strings.EqualFold(filepath.Ext(path), ext) {
			path += ext
		}
		s.exportChoices.folder = filepath.Dir(path)
		chosen(path)
	}, s.window)
	d.SetFileName(name)
	d.SetFilter(storage.NewExtensionFileFilter([]string{ext}))
	if folder := s.exportFolder(); folder != "" {
		if location, err := storage.ListerForURI(storage.NewFileURI(folder)); err == nil {
			d.SetLocation(location)
		}
	}
	d.Resize(fyne.NewSize(860, 600))
	d.Show()
}

// exportFolder is where the save dialog opens: the folder of the last
// export, else the person's Pictures folder, else home.
func (s *Studio) exportFolder() string {
	if s.exportChoices.folder != "" {
		return s.exportChoices.folder
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	if info, err := os.Stat(filepath.Join(home, "Pictures")); err == nil && info.IsDir() {
		return filepath.Join(home, "Pictures")
	}
	return home
}

// notify shows a short note in the status line of the tab in sight.
func (s *Studio) notify(text string) {
	switch s.tabs.Selected() {
	case s.exploreTab:
		s.explore.status.SetText(text)
	case s.favouritesTab:
		s.gallery.status.SetText(text)
	default:
		s.setStatus(text)
	}
}

// fileName turns a name into one safe for a file: letters, digits, dashes.
func fileName(name string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(name) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if out == "" {
		return "ganvas"
	}
	return out
}
