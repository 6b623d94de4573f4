package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2/widget"
)

// settingsError is a value in the settings form that cannot be used, said
// in the person's language.
type settingsError struct {
	message string
}

func (e settingsError) Error() string { return e.message }

// Choices offered for the sizes of a run.
var (
	widthChoices = []int{16, 32, 64}
	batchChoices = []int{16, 32, 64, 128}
)

// settingsForm holds the few choices that shape a run, each with a hint.
// For an open run it shows the run's settings, and only the step budget
// can change.
type settingsForm struct {
	studio     *Studio
	resolution *widget.RadioGroup
	width      *widget.Select
	batch      *widget.Select
	rate       *widget.Entry
	steps      *widget.Entry
	augment    *widget.Check
	classes    *widget.Check // shown only for a folder with subfolders
	classItem  *widget.FormItem
	form       *widget.Form
	card       *widget.Card
	editable   [2]bool // the last setEditable: all settings, the step budget

	// lastNew are the new-run settings to return to when an open run is
	// put away.
	lastNew Settings
}

func newSettingsForm(s *Studio, initial Settings) *settingsForm {
	f := &settingsForm{
		studio:     s,
		resolution: widget.NewRadioGroup(numbers(Resolutions), nil),
		width:      widget.NewSelect(numbers(widthChoices), nil),
		batch:      widget.NewSelect(numbers(batchChoices), nil),
		rate:       widget.NewEntry(),
		steps:      widget.NewEntry(),
		augment:    widget.NewCheck(tr("settings.augment_check"), nil),
		classes:    widget.NewCheck(tr("settings.classes_check"), nil),
		lastNew:    initial,
	}
	f.resolution.Horizontal = true
	f.resolution.Required = true
	f.rate.Validator = func(text string) error {
		_, err := parseRate(text)
		return err
	}
	f.steps.Validator = func(text string) error {
		_, err := parseSteps(text)
		return err
	}

	item := func(label, hint string, w *widget.FormItem) *widget.FormItem {
		w.Text, w.HintText = tr(label), tr(hint)
		return w
	}
	f.classItem = item("settings.classes", "settings.classes_hint",
		&widget.FormItem{Widget: f.classes})
	f.form = widget.NewForm(
		item("settings.resolution", "settings.resolution_hint", &widget.FormItem{Widget: f.resolution}),
		item("settings.width", "settings.width_hint", &widget.FormItem{Widget: f.width}),
		item("settings.batch", "settings.batch_hint", &widget.FormItem{Widget: f.batch}),
		item("settings.rate", "settings.rate_hint", &widget.FormItem{Widget: f.rate}),
		item("settings.steps", "settings.steps_hint", &widget.FormItem{Widget: f.steps}),
		item("settings.augment", "settings.augment_hint", &widget.FormItem{Widget: f.augment}),
	)
	f.card = widget.NewCard(tr("settings.title"), "", f.form)
	f.show(initial)
	return f
}

// show puts settings into the form.
func (f *settingsForm) show(s Settings) {
	f.resolution.SetSelected(strconv.Itoa(s.Resolution))
	selectNumber(f.width, s.Width)
	selectNumber(f.batch, s.BatchSize)
	f.rate.SetText(strconv.FormatFloat(s.LearningRate, 'g', -1, 64))
	f.steps.SetText(strconv.Itoa(s.Steps))
	f.augment.SetChecked(s.Augment)
	// An open run shows its choice; a new one offers classes only for a
	// folder that has them.
	offered := f.studio.style.found.Classes != nil || f.studio.run != nil && s.Conditional
	f.offerClasses(offered)
	f.classes.SetChecked(s.Conditional && offered)
}

// offerClasses shows the choice of one class per subfolder, chosen, or
// hides it: a folder without subfolders of images has no classes to choose
// from.
func (f *settingsForm) offerClasses(offer bool) {
	shown := len(f.form.Items) > 0 && f.form.Items[len(f.form.Items)-1] == f.classItem
	switch {
	case offer && !shown:
		f.classes.SetChecked(true)
		f.form.AppendItem(f.classItem)
	case !offer && shown:
		f.form.Items = f.form.Items[:len(f.form.Items)-1]
		f.form.Refresh()
	}
	if !offer {
		f.classes.SetChecked(false)
	}
	f.studio.fitSidebar()
}

// settings reads the form. For an open run only the step budget counts,
// and it must lie beyond the steps already trained.
func (f *settingsForm) settings(run *RunInfo) (Settings, error) {
	steps, err := parseSteps(f.steps.Text)
	if err != nil {
		return Settings{}, err
	}
	if run != nil {
		if steps > 0 && steps <= run.Step {
			return Settings{}, settingsError{
				tr("settings.error_budget_reached", map[string]any{"Step": run.Step})}
		}
		s := run.Settings
		s.Steps = steps
		return s, nil
	}

	rate, err := parseRate(f.rate.Text)
	if err != nil {
		return Settings{}, err
	}
	s := Settings{
		Folder:       f.studio.style.folder,
		LearningRate: rate,
		Steps:        steps,
		Augment:      f.augment.Checked,
		Conditional:  f.classes.Checked && f.studio.style.found.Classes != nil,
	}
	s.Resolution, _ = strconv.Atoi(f.resolution.Selected)
	s.Width, _ = strconv.Atoi(f.width.Selected)
	s.BatchSize, _ = strconv.Atoi(f.batch.Selected)
	return s, nil
}

// setEditable enables the whole form, or only the step budget.
func (f *settingsForm) setEditable(all, steps bool) {
	setEnabled(f.resolution, all)
	setEnabled(f.width, all)
	setEnabled(f.batch, all)
	setEnabled(f.rate, all)
	setEnabled(f.augment, all)
	setEnabled(f.classes, all)
	setEnabled(f.steps, steps)
	// The form greys a disabled item's label only when it is refreshed.
	if f.editable != [2]bool{all, steps} {
		f.editable = [2]bool{all, steps}
		f.form.Refresh()
	}
}

// parseRate reads a learning rate such as 0.0002 or 2e-4.
func parseRate(text string) (float64, error) {
	rate, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	if err != nil || !(rate > 0 && rate < 1) {
		return 0, settingsError{tr("settings.error_rate")}
	}
	return rate, nil
}

// parseSteps reads a step budget: a whole number, 0 for none.
func parseSteps(text string) (int, error) {
	steps, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || steps < 0 {
		return 0, settingsError{tr("settings.error_steps")}
	}
	return steps, nil
}

// numbers writes each number as text.
func numbers(values []int) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = strconv.Itoa(v)
	}
	return out
}

// selectNumber selects v in a choice of numbers, adding it if a run was made
// with a value the form does not offer.
func selectNumber(s *widget.Select, v int) {
	text := strconv.Itoa(v)
	for _, option := range s.Options {
		if option == text {
			s.SetSelected(text)
			return
		}
	}
	s.Options = append(s.Options, text)
	s.SetSelected(text)
}
