package app

import (
	"fmt"
	"io"
	"os"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"ganvas/assets"
	"ganvas/engine/run"
	"ganvas/ui"
)

// appID identifies ganvas to the desktop; FyneApp.toml declares the same.
const appID = "io.ganvas.studio"

// openWindow opens the studio window and returns when it closes.
func openWindow(args []string, stdout io.Writer) error {
	fs := newFlags("", "[-run DIR] [-autostart]", stdout)
	runDir := fs.String("run", "", "open the run in `DIR`, or create the next new run there")
	autostart := fs.Bool("autostart", false, "start training as soon as the window opens")
	if err := parse(fs, args); err != nil {
		return err
	}

	backend := newStudioBackend(defaultRunsRoot(), newRecentRuns(defaultRecentPath()))
	defer backend.shutdown() // training left running when the window closed stops and saves
	explorer := newExplorer()
	defer explorer.Close()
	opts := ui.Options{Autostart: *autostart, Explorer: explorer}
	if *runDir != "" {
		if run.IsRun(*runDir) {
			opts.RunDir = *runDir
		} else {
			if info, err := os.Stat(*runDir); err == nil && !info.IsDir() {
				return fmt.Errorf("-run %s is a file, not a folder", *runDir)
			}
			backend.nextRunDir = *runDir
		}
	}
	a := fyneapp.NewWithID(appID)
	a.SetIcon(iconResource())
	return runStudio(a, backend, opts)
}

// iconResource is the app icon as Fyne takes it.
func iconResource() fyne.Resource {
	return fyne.NewStaticResource("icon.png", assets.Icon)
}
