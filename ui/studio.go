package ui

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Options say how the studio starts.
type Options struct {
	// RunDir is an earlier run to open on start; "" starts with a new run.
	RunDir string

	// Settings are the settings a new run starts with. The zero value means
	// DefaultSettings.
	Settings Settings

	// Autostart starts training as soon as the window opens: it continues
	// RunDir when one is given, and starts a new run otherwise.
	Autostart bool

	// Explorer, when set, adds the Explore and Favourites tabs, which look
	// inside the generator of the run shown and keep favourites from it.
	Explorer Explorer

	// Applied, when set, is called on the main goroutine after each batch
	// of backend updates is put in the window, which draws it on its next
	// frame: updates is how many the batch held besides the sample grid,
	// and grid whether it showed a new one. It lets a probe count redraws.
	Applied func(updates int, grid bool)
}

// sessionState is where training stands, as far as the window knows.
type sessionState int

const (
	stateIdle     sessionState = iota // nothing training; a run may be open to look at
	stateStarting                     // StartTraining or ContinueTraining is under way
	stateTraining                     // training steps are running
	statePaused                       // training is held and can resume
	stateStopping                     // Stop is under way
)

// Studio is the ganvas window: style folder, settings, training controls,
// live samples and curves, and earlier runs. Its methods must be called on
// the Fyne main goroutine.
//
// Goroutines and shutdown: the studio owns a listener goroutine that drains
// Backend.Updates, with an Explorer a render goroutine that draws the
// explorer's image, and worker goroutines that each make one backend or
// explorer call. Closing the window first stops training through
// Backend.Stop (which saves a checkpoint), then closes it; the window's
// OnClosed cancels the studio's context, which ends the listener and the
// render goroutine, stops the search for directions, and makes workers drop
// their results.
type Studio struct {
	window  fyne.Window
	backend Backend

	// do runs a function on the Fyne main goroutine: fyne.Do, or a loop the
	// tests drive.
	do      func(func())
	ctx     context.Context
	cancel  context.CancelFunc
	workers sync.WaitGroup

	// trainingCalls is held by a worker for the length of a training method
	// call, so the backend never sees two at once.
	trainingCalls sync.Mutex
	// wantPaused is whether the person last asked for training to pause;
	// pause workers make the backend match it, whatever order they run in.
	wantPaused atomic.Bool

	// Window state, touched only on the main goroutine.
	state sessionState
	busy  bool // a training method call is under way
	// confirming is set from a pause or resume until a progress report
	// agrees with it: reports sent before the trainer saw the request say
	// the opposite and must not undo it on screen.
	confirming bool
	closing    bool     // the window is stopping training so it can close
	run        *RunInfo // the run shown; nil until a new run starts
	batchSize  int      // batch size of the session, for the time left
	folderOK   bool     // the chosen style folder has images to train on
	lastStep   int      // the step of the newest Progress
	savingNote dialog.Dialog

	chartsDue   bool      // a redraw of the curves is scheduled
	chartsDrawn time.Time // when the curves were last redrawn

	tabs     *container.AppTabs // the views; Train is the first
	choices  *container.Scroll  // the style and settings cards, above the runs
	controls *controlBar
	style    *stylePanel
	form     *settingsForm
	runs     *runsPanel
	samples  *samplesView
	charts   *chartsPanel
	stats    *statsBar

	// The Explore and Favourites tabs, when there is an Explorer.
	explorer      Explorer
	explore       *explorePanel
	gallery       *galleryPanel
	exploreTab    *container.TabItem
	favouritesTab *container.TabItem
	exportChoices exportChoices

	// applied is Options.Applied, or nil.
	applied func(updates int, grid bool)

	// chooseSavePath asks where to write an export and calls chosen with
	// the path: chooseFileToSave, or a stand-in the tests set.
	chooseSavePath func(name, ext string, chosen func(path string))
}

// Run opens the studio in a new window of a, shows it and runs the app
// until the window closes.
func Run(a fyne.App, backend Backend, options Options) {
	NewStudio(a, backend, options).Window().ShowAndRun()
}

// NewStudio builds the studio in a new window of a, starts listening to the
// backend and, if asked, starts training. The window is not shown yet.
func NewStudio(a fyne.App, backend Backend, options Options) *Studio {
	loadTranslations()
	return newStudio(a.NewWindow(tr("app.title")), backend, options, fyne.Do)
}

// newStudio builds the studio in w, applying updates through do.
func newStudio(w fyne.Window, backend Backend, options Options, do func(func())) *Studio {
	loadTranslations()
	guardFileWrites()
	options.Settings = options.Settings.withDefaults()
	s := &Studio{window: w, backend: backend, do: do, explorer: options.Explorer,
		exportChoices: defaultExportChoices(), applied: options.Applied}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.chooseSavePath = s.chooseFileToSave

	s.controls = newControlBar(s)
	s.style = newStylePanel(s, options.Settings.Folder)
	s.form = newSettingsForm(s, options.Settings)
	s.runs = newRunsPanel(s)
	s.samples = newSamplesView(s)
	s.charts = newChartsPanel()
	s.stats = newStatsBar()
	if s.explorer != nil {
		s.explore = newExplorePanel(s)
		s.gallery = newGalleryPanel(s)
		s.explore.update()
		s.gallery.update()
	}

	w.SetTitle(tr("app.title"))
	w.SetContent(s.layout())
	w.Resize(fyne.NewSize(1280, 820))
	w.SetCloseIntercept(s.requestClose)
	w.SetOnClosed(s.cancel)
	s.addShortcuts()

	s.workers.Add(1)
	go s.listen(backend.Updates())
	if s.explore != nil {
		s.workers.Add(1)
		go s.explore.loop.run(s, s.explore.rendered)
	}

	s.runs.reload()
	s.style.scan(options.Settings.Folder)
	switch {
	case options.RunDir != "":
		s.openRunDir(options.RunDir, options.Autostart)
	case options.Autostart:
		s.train()
	}
	s.refreshControls()
	return s
}

// Window returns the studio's window.
func (s *Studio) Window() fyne.Window {
	return s.window
}

// layout arranges the parts: a sidebar with the style, settings and runs,
// and the training view with controls, samples, curves and statistics. The
// training view is the first tab; later views become tabs beside it.
func (s *Studio) layout() fyne.CanvasObject {
	// The earlier runs stay in sight at the foot of the sidebar; the style
	// and settings above them scroll when the window is short.
	s.choices = container.NewVScroll(container.NewVBox(s.style.card, s.form.card))
	sidebar := container.NewBorder(nil, s.runs.card, nil, nil, s.choices)

	view := container.NewHSplit(s.samples.content, s.charts.content)
	view.Offset = 0.48
	training := container.NewBorder(s.controls.content, s.stats.content, nil, nil, view)

	split := container.NewHSplit(sidebar, training)
	split.Offset = 0.26
	s.tabs = container.NewAppTabs(container.NewTabItem(tr("tab.train"), split))
	if s.explore != nil {
		s.exploreTab = container.NewTabItemWithIcon(tr("tab.explore"), theme.SearchIcon(), s.explore.content)
		s.favouritesTab = container.NewTabItemWithIcon(tr("tab.favourites"), starIcon, s.gallery.content)
		s.tabs.Append(s.exploreTab)
		s.tabs.Append(s.favouritesTab)
		s.tabs.OnSelected = func(*container.TabItem) {
			if s.exploring() {
				s.explore.ensureOpen()
			}
		}
	}
	return s.tabs
}

// fitSidebar lets the sidebar's scroll take in a style or settings card
// that changed size: it measures its content only when refreshed, and would
// otherwise cut off the last settings. Called where the cards change, not
// on every update, since it measures both cards again.
func (s *Studio) fitSidebar() {
	if s.choices != nil {
		s.choices.Refresh()
	}
}

// exploring says whether the Explore or Favourites tab is in sight.
func (s *Studio) exploring() bool {
	selected := s.tabs.Selected()
	return selected != nil && (selected == s.exploreTab || selected == s.favouritesTab)
}

// runChanged tells the explorer which run the window shows now.
func (s *Studio) runChanged() {
	if s.explore == nil {
		return
	}
	dir := ""
	if s.run != nil {
		dir = s.run.Dir
	}
	s.explore.setRun(dir)
}

// addShortcuts binds the keys: Space pauses and resumes, Ctrl+S saves a
// checkpoint, Ctrl+O chooses a style folder, Ctrl+Enter starts training.
// Space reaches the window only when no text field has the focus.
func (s *Studio) addShortcuts() {
	c := s.window.Canvas()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeySpace {
			s.togglePause()
		}
	})
	bind := func(key fyne.KeyName, action func()) {
		shortcut := &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
		c.AddShortcut(shortcut, func(fyne.Shortcut) { action() })
	}
	bind(fyne.KeyS, s.saveCheckpoint)
	bind(fyne.KeyO, s.style.choose)
	bind(fyne.KeyReturn, s.trainIfReady)
}

// spawn runs work on a worker goroutine. The function work returns, if
// any, is applied on the main goroutine, unless the window has closed.
func (s *Studio) spawn(work func(ctx context.Context) func()) {
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		apply := work(s.ctx)
		if apply == nil || s.ctx.Err() != nil {
			return
		}
		s.do(func() {
			if s.ctx.Err() == nil {
				apply()
			}
		})
	}()
}

// spawnTraining is spawn for a training method call: it marks the studio
// busy until the result is applied and keeps calls from overlapping.
func (s *Studio) spawnTraining(call func() func()) {
	s.busy = true
	s.refreshControls()
	s.spawn(func(context.Context) func() {
		s.trainingCalls.Lock()
		apply := call()
		s.trainingCalls.Unlock()
		return func() {
			s.busy = false
			if apply != nil {
				apply()
			}
			s.refreshControls()
		}
	})
}

// setStatus shows a line of text under the training controls.
func (s *Studio) setStatus(text string) {
	s.controls.status.SetText(text)
}

// requestClose is the window's close intercept. With training under way it
// stops training, which saves a checkpoint, and closes the window once that
// is done; otherwise it closes at once.
func (s *Studio) requestClose() {
	if s.closing {
		return
	}
	if s.state == stateIdle && !s.busy {
		s.window.Close()
		return
	}

	s.closing = true
	s.state = stateStopping
	s.refreshControls()
	bar := widget.NewProgressBarInfinite()
	s.savingNote = dialog.NewCustomWithoutButtons(tr("close.saving_title"),
		container.NewVBox(widget.NewLabel(tr("close.saving_text")), bar), s.window)
	s.savingNote.Show()

	s.spawn(func(context.Context) func() {
		s.trainingCalls.Lock()
		err := s.backend.Stop()
		s.trainingCalls.Unlock()
		return func() { s.finishClose(err) }
	})
}

// finishClose closes the window after the stop on close, or, if the
// checkpoint could not be saved, asks whether to close without it.
func (s *Studio) finishClose(err error) {
	s.savingNote.Hide()
	if err == nil {
		s.window.Close()
		return
	}

	s.state = statePaused
	message := tr("close.failed_text", map[string]any{"Error": err.Error()})
	confirm := dialog.NewConfirm(tr("close.failed_title"), message, func(closeAnyway bool) {
		s.closing = false
		if closeAnyway {
			s.window.Close()
			return
		}
		s.refreshControls()
	}, s.window)
	confirm.SetConfirmText(tr("close.anyway"))
	confirm.SetDismissText(tr("close.keep_open"))
	confirm.Show()
}
