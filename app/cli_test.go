package app

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ganvas/engine"
)

// writeFolder makes a folder of small striped images to train on.
func writeFolder(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, 24, 24))
		for y := range 24 {
			for x := range 24 {
				v := uint8(40 + 200*((x+y+i)/6%2))
				img.SetRGBA(x, y, color.RGBA{v, 90, 255 - v, 255})
			}
		}
		var buf bytes.Buffer
		png.Encode(&buf, img)
		if err := os.WriteFile(filepath.Join(dir, "img"+string(rune('a'+i))+".png"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func ganvas(args ...string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	code = dispatch(args, &out, &errs)
	return code, out.String(), errs.String()
}

func TestBadInputGetsOneClearLine(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"train"}, "-run DIR is required"},
		{[]string{"train", "-run", t.TempDir(), "-res", "48"}, "resolution 48"},
		{[]string{"train", "-run", t.TempDir(), "-bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"train", "-run", t.TempDir(), "-data", "/no/such/folder"}, "no such folder"},
		{[]string{"train", "-run", t.TempDir(), "-steps", "many"}, "invalid value"},
		{[]string{"train", "-run", file}, "file"},
		{[]string{"sample", "-run", "/no/such/run", "-out", "x.png"}, "no such directory"},
		{[]string{"sample", "-run", t.TempDir()}, "-out is required"},
		{[]string{"bench", "-model", "resnet"}, "no benchmark model"},
		{[]string{"paint"}, "unknown command"},
	} {
		code, _, stderr := ganvas(tc.args...)
		if code == 0 {
			t.Errorf("%v: exit 0", tc.args)
		}
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: stderr %q lacks %q", tc.args, stderr, tc.want)
		}
		if n := strings.Count(strings.TrimSpace(stderr), "\n"); n > 0 {
			t.Errorf("%v: %d lines of error, want one: %q", tc.args, n+1, stderr)
		}
		if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
			t.Errorf("%v: stack trace: %q", tc.args, stderr)
		}
	}
}

func TestTrainThenSample(t *testing.T) {
	data := writeFolder(t, 10)
	runDir := filepath.Join(t.TempDir(), "run")
	code, _, stderr := ganvas("train", "-run", runDir, "-data", data, "-steps", "6",
		"-res", "32", "-width", "8", "-batch", "8")
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "Training on 10 images") || !strings.Contains(stderr, "Done: 6 steps") {
		t.Errorf("train output: %q", stderr)
	}

	grid := filepath.Join(t.TempDir(), "grid.png")
	if code, _, stderr := ganvas("sample", "-run", runDir, "-n", "9", "-out", grid); code != 0 {
		t.Fatalf("sample: exit %d: %s", code, stderr)
	}
	img := decode(t, grid)
	if w := img.Bounds().Dx(); w != 3*32+4*2 {
		t.Errorf("a grid of 9 images of 32 px is %d px wide, want 3 columns", w)
	}

	// The same seed gives the same pixels; one PNG per image into a folder.
	again := filepath.Join(t.TempDir(), "again.png")
	ganvas("sample", "-run", runDir, "-n", "9", "-out", again)
	a, _ := os.ReadFile(grid)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("sampling twice with the same seed gave different files")
	}
	folder := filepath.Join(t.TempDir(), "each") + "/"
	if code, _, stderr := ganvas("sample", "-run", runDir, "-n", "3", "-out", folder); code != 0 {
		t.Fatalf("sample to a folder: %s", stderr)
	}
	files, _ := filepath.Glob(folder + "*.png")
	if len(files) != 3 || decode(t, files[0]).Bounds().Dx() != 32 {
		t.Errorf("sample into a folder wrote %v", files)
	}
}

func decode(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestSubfoldersTrainAClassEach checks that a folder of subfolders trains
// one class per subfolder unless told otherwise, and says so, and that
// plain DCGAN stays the unconditional reference.
func TestSubfoldersTrainAClassEach(t *testing.T) {
	data := t.TempDir()
	for _, class := range []string{"ink", "oil"} {
		folder := writeFolder(t, engine.MinClassImages)
		if err := os.Rename(folder, filepath.Join(data, class)); err != nil {
			t.Fatal(err)
		}
	}
	common := []string{"-data", data, "-steps", "2", "-res", "32", "-width", "8", "-batch", "8"}
	for _, tc := range []struct {
		flags   []string
		classes bool
	}{
		{nil, true},
		{[]string{"-conditional=false"}, false},
		{[]string{"-plain"}, false},
		{[]string{"-plain", "-conditional"}, true},
	} {
		runDir := filepath.Join(t.TempDir(), "run")
		args := append(append([]string{"train", "-run", runDir}, common...), tc.flags...)
		code, _, stderr := ganvas(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.flags, code, stderr)
		}
		said := strings.Contains(stderr, "One class per subfolder: ink, oil.")
		gen, _, err := engine.LoadGenerator(runDir)
		if err != nil {
			t.Fatal(err)
		}
		trained := slices.Equal(gen.Classes(), []string{"ink", "oil"})
		gen.Close()
		if said != tc.classes || trained != tc.classes {
			t.Errorf("train %v: told of classes %v, trained with them %v; want %v",
				tc.flags, said, trained, tc.classes)
		}
	}
}

// TestStraySubfolderTrainsOneStyle checks that a subfolder of a few images
// beside a big one does not split the folder into classes, and that train
// says why.
func TestStraySubfolderTrainsOneStyle(t *testing.T) {
	data := t.TempDir()
	if err := os.Rename(writeFolder(t, 12), filepath.Join(data, "paintings")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(writeFolder(t, 3), filepath.Join(data, "old")); err != nil {
		t.Fatal(err)
	}
	runDir := filepath.Join(t.TempDir(), "run")
	code, _, stderr := ganvas("train", "-run", runDir, "-data", data, "-steps", "2", "-res", "32",
		"-width", "8", "-batch", "8")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := `"old" holds only 3 images, fewer than the 10 a class needs`
	if !strings.Contains(stderr, want) {
		t.Errorf("train did not say why the subfolders are not classes: %q", stderr)
	}
	gen, _, err := engine.LoadGenerator(runDir)
	if err != nil {
		t.Fatal(err)
	}
	defer gen.Close()
	if classes := gen.Classes(); classes != nil {
		t.Errorf("trained the classes %v", classes)
	}
}
