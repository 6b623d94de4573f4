package app

import (
	"context"
	"fmt"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestWindowTrainsUnderXvfb starts the real binary in a real window on a
// virtual X display, trains on the built-in style through -autostart, and
// checks after a few seconds that the process is alive, the run gained a
// sample grid and metrics, and the screen shows a window rather than a
// blank display. The screenshot is kept in GANVAS_SCREENSHOT when set.
func TestWindowTrainsUnderXvfb(t *testing.T) {
	for _, tool := range []string{"Xvfb", "xwd", "convert"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: run scripts/setup.sh, which installs xvfb, x11-apps and imagemagick", tool)
		}
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "ganvas")
	build := exec.Command("go", "build", "-o", bin, "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	display := startXvfb(t)
	runDir := filepath.Join(tmp, "run")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	app := exec.CommandContext(ctx, bin, "-run", runDir, "-autostart")
	app.Env = append(os.Environ(), "DISPLAY="+display, "XDG_DATA_HOME="+tmp, "XDG_CONFIG_HOME="+tmp)
	logPath := filepath.Join(tmp, "app.log")
	logFile, _ := os.Create(logPath)
	app.Stdout, app.Stderr = logFile, logFile
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- app.Wait() }()
	defer func() {
		app.Process.Kill()
		<-exited
	}()

	// Wait for the first saved grid and the first logged steps.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(logPath)
			t.Fatalf("the app exited (%v):\n%s", err, log)
		case <-time.After(time.Second):
		}
		grids, _ := filepath.Glob(filepath.Join(runDir, "samples", "step-*.png"))
		metrics, _ := os.ReadFile(filepath.Join(runDir, "metrics.csv"))
		if len(grids) > 0 && countLines(metrics) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("after two minutes: %d grids, metrics %q; log:\n%s", len(grids), metrics, log)
		}
	}

	shot := os.Getenv("GANVAS_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(tmp, "shot.png")
	}
	xwd := exec.Command("sh", "-c", fmt.Sprintf("xwd -root -display %s | convert xwd:- %s", display, shot))
	if out, err := xwd.CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	if spread := colourSpread(t, shot); spread < 20 {
		t.Errorf("the screenshot is nearly uniform (spread %d): no window is drawn", spread)
	}
	select {
	case err := <-exited:
		t.Fatalf("the app exited while training: %v", err)
	default:
	}
}

// startXvfb starts a virtual display on a free number and returns its name.
func startXvfb(t *testing.T) string {
	t.Helper()
	for n := 90; n < 110; n++ {
		if _, err := os.Stat("/tmp/.X11-unix/X" + strconv.Itoa(n)); err == nil {
			continue
		}
		display := ":" + strconv.Itoa(n)
		x := exec.Command("Xvfb", display, "-screen", "0", "1400x900x24")
		if err := x.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Process.Kill(); x.Wait() })
		for range 50 {
			if _, err := os.Stat("/tmp/.X11-unix/X" + strconv.Itoa(n)); err == nil {
				return display
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("Xvfb did not start on %s", display)
	}
	t.Fatal("no free X display number between :90 and :109")
	return ""
}

func countLines(b []byte) int {
	n := 0
	for _, c := range b {
		if c == '\n' {
			n++
		}
	}
	return n
}

// colourSpread is the difference between the brightest and darkest grey
// level of an image, 0 to 255.
func colourSpread(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := 255, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, _ := img.At(x, y).RGBA()
			v := int((r + g + bl) / 3 >> 8)
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	return hi - lo
}
