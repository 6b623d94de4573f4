package ui

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
)

// keyPattern matches a translation key: a section and a name, such as
// "control.train". No visible text looks like one.
var keyPattern = regexp.MustCompile(`^[a-z]+\.[a-z_]+$`)

// readTranslations parses a translation file into its keys, each with the
// plural forms it has ("" for a plain text).
func readTranslations(t *testing.T, name string) map[string][]string {
	t.Helper()
	raw, err := translations.ReadFile("translation/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := map[string][]string{}
	for key, value := range entries {
		var text string
		if json.Unmarshal(value, &text) == nil {
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s: %s is empty", name, key)
			}
			out[key] = []string{""}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(value, &forms); err != nil {
			t.Fatalf("%s: %s is neither a text nor plural forms: %v", name, key, err)
		}
		for form := range forms {
			out[key] = append(out[key], form)
		}
		slices.Sort(out[key])
	}
	return out
}

func TestTranslationsHaveTheSameKeys(t *testing.T) {
	en := readTranslations(t, "en.json")
	zh := readTranslations(t, "zh-Hans.json")
	for key, forms := range en {
		zhForms, ok := zh[key]
		switch {
		case !ok:
			t.Errorf("zh-Hans.json lacks %s", key)
		case forms[0] == "" && zhForms[0] != "":
			t.Errorf("%s is a plain text in English but plural in Chinese", key)
		case forms[0] != "" && !slices.Equal(forms, []string{"one", "other"}):
			t.Errorf("en.json: %s has forms %v, want one and other", key, forms)
		case forms[0] != "" && !slices.Equal(zhForms, []string{"other"}):
			t.Errorf("zh-Hans.json: %s has forms %v, want other (Chinese has no plural)", key, zhForms)
		}
	}
	for key := range zh {
		if _, ok := en[key]; !ok {
			t.Errorf("en.json lacks %s", key)
		}
	}
}

// sourceKeys returns every string in the package's code that looks like a
// translation key.
func sourceKeys(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && keyPattern.MatchString(s) {
				keys[s] = fset.Position(lit.Pos()).String()
			}
			return true
		})
	}
	return keys
}

func TestEveryKeyInTheCodeIsTranslated(t *testing.T) {
	en := readTranslations(t, "en.json")
	used := sourceKeys(t)
	for key, where := range used {
		if _, ok := en[key]; !ok {
			t.Errorf("%s: %q has no translation", where, key)
		}
	}
	for key := range en {
		if _, ok := used[key]; !ok {
			t.Errorf("en.json: %s is not used by the code", key)
		}
	}
}

// keysOnScreen returns anything in the markup that looks like a key rather
// than a text.
func keysOnScreen(markup string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`>([^<>]+)</text>`).FindAllStringSubmatch(markup, -1) {
		if keyPattern.MatchString(strings.TrimSpace(m[1])) {
			out = append(out, m[1])
		}
	}
	return out
}

func TestNoKeyIsShownUntranslated(t *testing.T) {
	if got := keysOnScreen(`<text pos="2,2">runs.none</text>`); len(got) != 1 {
		t.Fatalf("keysOnScreen misses a key in markup: %v", got)
	}

	backend := newFakeBackend()
	backend.runs = []RunInfo{{Dir: "/runs/a", Name: "a", Step: 10, HasCheckpoint: true,
		Settings: DefaultSettings()}}
	backend.metrics["/runs/a"] = []Progress{{Step: 10, LossD: 1, LossG: 1, HasSWD: true, SWD: 2}}
	backend.scans[""] = FolderScan{Images: 3, Skipped: 4, First: []SkippedFile{{"x", "y"}}}
	s, loop := newTestStudio(t, backend, Options{})
	s.style.skippedItem.Open = true

	screens := map[string]func(){
		"new run": func() {},
		"training": func() {
			test.Tap(s.controls.train)
			loop.runUntil(t, "training", func() bool { return s.state == stateTraining })
			backend.updates <- Progress{Step: 3, Steps: 10, ImagesPerSec: 10, Elapsed: 3e9}
			backend.updates <- Warning{Text: "slow disk"}
			loop.runUntil(t, "step 3", func() bool { return s.lastStep == 3 })
		},
		"paused": func() {
			test.Tap(s.controls.pause)
			loop.runUntil(t, "paused", func() bool { return s.state == statePaused })
		},
		"stopped": func() {
			test.Tap(s.controls.stop)
			loop.runUntil(t, "stopped", func() bool { return s.state == stateIdle && !s.busy })
		},
		"open run": func() {
			test.Tap(s.controls.newRun)
			s.runs.list.Select(0)
			loop.runUntil(t, "run open", func() bool { return s.run != nil && s.run.Dir == "/runs/a" })
		},
	}
	for _, name := range []string{"new run", "training", "paused", "stopped", "open run"} {
		screens[name]()
		loop.settle()
		markup := test.RenderObjectToMarkup(s.window.Content())
		if keys := keysOnScreen(markup); len(keys) > 0 {
			t.Errorf("%s: untranslated keys on screen: %v", name, keys)
		}
	}
}

func TestChineseIsChosenFromTheLocale(t *testing.T) {
	loadTranslations()
	// Registered first, so it runs after the environment is restored: it
	// puts English back for the other tests.
	t.Cleanup(func() {
		if err := lang.AddTranslationsFS(translations, "translation"); err != nil {
			t.Error(err)
		}
	})
	t.Setenv("LC_ALL", "zh_CN.UTF-8")
	t.Setenv("LANGUAGE", "zh_CN")
	if err := lang.AddTranslationsFS(translations, "translation"); err != nil {
		t.Fatal(err)
	}

	if got := tr("control.train"); got != "训练" {
		t.Errorf("in a Chinese locale the Train button says %q, want 训练", got)
	}
	if got := trn("style.images", 3); got != "找到 3 张图片" {
		t.Errorf("plural text %q, want 找到 3 张图片", got)
	}
	if got := tr("stats.step_of", map[string]any{"Step": 5, "Steps": 10}); got != "第 5 / 10 步" {
		t.Errorf("template text %q, want 第 5 / 10 步", got)
	}
}

func TestEnglishPlurals(t *testing.T) {
	loadTranslations()
	if got := trn("style.images", 1); got != "1 image found" {
		t.Errorf("one image: %q", got)
	}
	if got := trn("style.images", 12); got != "12 images found" {
		t.Errorf("12 images: %q", got)
	}
}

// TestTranslationFilesAreNamedForFyne checks the file names Fyne reads the
// language from.
func TestTranslationFilesAreNamedForFyne(t *testing.T) {
	entries, err := os.ReadDir("translation")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"en.json", "zh-Hans.json"}) {
		t.Errorf("translation files %v, want en.json and zh-Hans.json", names)
	}
}
