package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"ganvas/engine/run"
	"ganvas/ui"
)

// defaultRunsRoot is where the window creates new runs: the user's data
// folder, as the XDG convention places it.
func defaultRunsRoot() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "ganvas", "runs")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "ganvas-runs")
	}
	return filepath.Join(home, ".local", "share", "ganvas", "runs")
}

// newRunDir names a new run after its style and the time.
func newRunDir(root, folder string) string {
	style := "emoji"
	if folder != "" {
		style = strings.Map(func(r rune) rune {
			if r == '/' || r == '\\' || r == ' ' || r == '.' {
				return '-'
			}
			return r
		}, filepath.Base(folder))
	}
	name := style + "-" + time.Now().Format("20060102-150405")
	dir := filepath.Join(root, name)
	for i := 2; ; i++ {
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			return dir
		}
		dir = filepath.Join(root, name+"-"+strconv.Itoa(i))
	}
}

// recentRuns remembers the runs the window has used, in a small JSON file.
type recentRuns struct {
	mu   sync.Mutex
	path string
}

// maxRecent bounds the remembered runs.
const maxRecent = 30

func newRecentRuns(path string) *recentRuns { return &recentRuns{path: path} }

func defaultRecentPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "ganvas", "recent.json")
}

func (r *recentRuns) read() []string {
	var dirs []string
	if r.path == "" {
		return nil
	}
	if data, err := os.ReadFile(r.path); err == nil {
		_ = json.Unmarshal(data, &dirs) // a damaged list starts over
	}
	return dirs
}

// add puts dir first in the list. Failing to remember is not worth an
// error: the run itself is safe.
func (r *recentRuns) add(dir string) {
	if r.path == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	dirs := slices.DeleteFunc(r.read(), func(d string) bool { return d == dir })
	dirs = append([]string{dir}, dirs...)
	dirs = dirs[:min(len(dirs), maxRecent)]
	data, _ := json.MarshalIndent(dirs, "", "  ")
	if os.MkdirAll(filepath.Dir(r.path), 0o755) == nil {
		_ = run.WriteFileAtomic(r.path, data, 0o644)
	}
}

// list returns the remembered runs and the runs under root.
func (r *recentRuns) list(root string) []string {
	r.mu.Lock()
	dirs := r.read()
	r.mu.Unlock()
	if entries, err := os.ReadDir(root); err == nil {
		for _, e := range entries {
			dir := filepath.Join(root, e.Name())
			if e.IsDir() && !slices.Contains(dirs, dir) {
				dirs = append(dirs, dir)
			}
		}
	}
	return slices.DeleteFunc(dirs, func(d string) bool { return !run.IsRun(d) })
}

// sortRuns orders runs newest first.
func sortRuns(runs []ui.RunInfo) {
	slices.SortFunc(runs, func(a, b ui.RunInfo) int { return b.Updated.Compare(a.Updated) })
}
