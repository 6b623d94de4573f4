package engine

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// writeCopies fills a folder with n copies of one small image: cheap to
// write, and each still decoded on its own when the folder loads.
func writeCopies(t *testing.T, n int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for i := range n {
		name := filepath.Join(dir, fmt.Sprintf("copy-%05d.png", i))
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLoadingShowsProgress checks that loading a folder reports how far it
// has gone, from none to all of its files, before DatasetLoaded.
func TestLoadingShowsProgress(t *testing.T) {
	data := writeCopies(t, 40)
	w := watch(t, filepath.Join(t.TempDir(), "run"), tinyConfig(data, 0))
	w.until("the dataset", func(m Message) bool { _, ok := m.(DatasetLoaded); return ok })
	if err := w.stop(); err != nil {
		t.Fatal(err)
	}

	var seen []Loading
	for _, m := range w.msgs {
		if _, ok := m.(DatasetLoaded); ok {
			break
		}
		if l, ok := m.(Loading); ok {
			seen = append(seen, l)
		}
	}
	if len(seen) < 2 || seen[0] != (Loading{0, 40}) || seen[len(seen)-1] != (Loading{40, 40}) {
		t.Fatalf("loading reported %v, want from 0 to 40 of 40", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Done < seen[i-1].Done {
			t.Errorf("loading went back from %d to %d files", seen[i-1].Done, seen[i].Done)
		}
	}
}

// TestStopWhileLoading stops training as soon as loading reports that it has
// begun, with thousands of files to go: Run must end without error and
// without ever reporting the dataset loaded or training a step.
func TestStopWhileLoading(t *testing.T) {
	data := writeCopies(t, 3000)
	w := watch(t, filepath.Join(t.TempDir(), "run"), tinyConfig(data, 0))
	w.until("loading to start", func(m Message) bool { _, ok := m.(Loading); return ok })
	if err := w.stop(); err != nil {
		t.Fatalf("stopping while loading: %v, want nil", err)
	}
	for _, m := range w.msgs {
		switch m.(type) {
		case DatasetLoaded, Progress, CheckpointSaved:
			t.Fatalf("after stopping while loading, the trainer sent %#v", m)
		}
	}
	if done, ok := w.last().(Done); !ok || done.Err != nil || done.Step != 0 {
		t.Errorf("last message %#v, want Done at step 0 without error", w.last())
	}
}
