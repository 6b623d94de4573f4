package dataset

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

// noise returns a w x h image of random colours, which compresses badly, so
// that cutting its file short leaves the pixel data unfinished.
func noise(w, h int, seed uint64) *image.NRGBA {
	r := rand.New(rand.NewPCG(seed, 1))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.IntN(256))
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	return img
}

// TestLoadSkipsBadFiles mixes good images with every kind of bad file a
// person's folder may hold and checks each bad one is skipped with a reason
// naming its problem, while the good ones load.
func TestLoadSkipsBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := []string{"a.png", "b.jpg", "UPPER.PNG", "wide.png", "tall.gif"}
	writeFile(t, dir, "a.png", encodePNG(t, halves(32, 32, red, blue)))
	writeFile(t, dir, "b.jpg", encodeJPEG(t, halves(32, 32, red, blue)))
	writeFile(t, dir, "UPPER.PNG", encodePNG(t, halves(32, 32, red, blue)))
	writeFile(t, dir, "wide.png", encodePNG(t, halves(10000, 20, red, blue)))
	writeFile(t, dir, "tall.gif", encodeGIF(t, convert(halves(8, 40, red, blue),
		image.NewPaletted(image.Rect(0, 0, 8, 40), color.Palette{red, blue}))))

	pngBytes := encodePNG(t, noise(64, 64, 1))
	jpegBytes := encodeJPEG(t, noise(64, 64, 2))
	bad := map[string]string{
		"empty.png":      "empty",
		"cut.png":        "truncated",
		"cut.jpg":        "truncated",
		"notes.png":      "not a PNG, JPEG, GIF, BMP, TIFF or WebP image",
		"huge.png":       "over the 40.0 megapixel limit",
		"dot.png":        "smaller than 8 pixels",
		"thin.bmp":       "smaller than 8 pixels",
		"broken-crc.png": "damaged",
	}
	writeFile(t, dir, "empty.png", nil)
	writeFile(t, dir, "cut.png", pngBytes[:len(pngBytes)/2])
	writeFile(t, dir, "cut.jpg", jpegBytes[:len(jpegBytes)/2])
	writeFile(t, dir, "notes.png", []byte("these are my notes, not a picture\n"))
	writeFile(t, dir, "huge.png", rawPNG(50000, 50000, 8, 2, [][]byte{make([]byte, 150000)}))
	writeFile(t, dir, "dot.png", encodePNG(t, halves(1, 1, red, red)))
	writeFile(t, dir, "thin.bmp", encodeBMP(t, halves(200, 7, red, red)))
	broken := encodePNG(t, noise(16, 16, 3))
	broken[len(broken)-20] ^= 0xff // inside the IDAT checksum or data
	writeFile(t, dir, "broken-crc.png", broken)

	// Ignored without comment: hidden files and folders, other file types.
	writeFile(t, dir, ".hidden.png", []byte("junk"))
	writeFile(t, dir, ".thumbnails/a.png", encodePNG(t, halves(32, 32, red, blue)))
	writeFile(t, dir, "README.txt", []byte("my dataset"))
	writeFile(t, dir, "model.ckpt", []byte{1, 2, 3})

	d, err := Load(context.Background(), dir, Options{Resolution: 16})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}

	var gotPaths []string
	for _, p := range d.Paths {
		gotPaths = append(gotPaths, filepath.Base(p))
	}
	slices.Sort(good)
	if !slices.Equal(gotPaths, good) {
		t.Errorf("loaded %v, want %v", gotPaths, good)
	}
	if len(d.Skipped) != len(bad) {
		t.Errorf("skipped %d files, want %d: %v", len(d.Skipped), len(bad), d.Skipped)
	}
	for _, s := range d.Skipped {
		want, ok := bad[filepath.Base(s.Path)]
		if !ok {
			t.Errorf("skipped %s (%s), which should have loaded or been ignored", s.Path, s.Reason)
			continue
		}
		if !strings.Contains(s.Reason, want) {
			t.Errorf("%s skipped because %q; want the reason to say %q",
				filepath.Base(s.Path), s.Reason, want)
		}
	}
	if !slices.IsSortedFunc(d.Skipped, func(a, b SkippedFile) int {
		return strings.Compare(a.Path, b.Path)
	}) {
		t.Errorf("skipped files are not sorted by path: %v", d.Skipped)
	}
}

// TestCropKeepsCentre checks that a long image keeps only its middle square.
func TestCropKeepsCentre(t *testing.T) {
	wide := image.NewNRGBA(image.Rect(0, 0, 10000, 20))
	for y := 0; y < 20; y++ {
		for x := 0; x < 10000; x++ {
			c := blue
			switch {
			case x >= 4990 && x < 5010:
				c = red
			case x >= 5010:
				c = green
			}
			wide.SetNRGBA(x, y, c)
		}
	}
	tall := image.NewNRGBA(image.Rect(0, 0, 20, 60))
	for y := 0; y < 60; y++ {
		for x := 0; x < 20; x++ {
			c := blue
			if y >= 20 && y < 40 {
				c = red
			}
			tall.SetNRGBA(x, y, c)
		}
	}

	// Large enough to be averaged in blocks before the final filter.
	big := sides(600, 200, blue, blue)
	for y := 0; y < 200; y++ {
		for x := 200; x < 400; x++ {
			big.SetNRGBA(x, y, red)
		}
	}

	images := map[string]image.Image{"wide.png": wide, "tall.png": tall, "big.png": big}
	for name, img := range images {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, name, encodePNG(t, img))
			d, err := Load(context.Background(), dir, Options{Resolution: 16})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			for y := 0; y < 16; y++ {
				for x := 0; x < 16; x++ {
					if got := pixelAt(d, 0, x, y); !near(got, red, 2) {
						t.Fatalf("pixel (%d,%d) is %v; the centre square is all red", x, y, got)
					}
				}
			}
		})
	}
}

// TestDownscaleFiltersFineDetail checks that shrinking a one-pixel checker
// board gives even grey, not the aliased stripes a point sampler would.
func TestDownscaleFiltersFineDetail(t *testing.T) {
	board := image.NewGray(image.Rect(0, 0, 512, 512))
	for y := 0; y < 512; y++ {
		for x := 0; x < 512; x++ {
			if (x+y)%2 == 0 {
				board.Pix[y*board.Stride+x] = 255
			}
		}
	}
	dir := t.TempDir()
	writeFile(t, dir, "board.png", encodePNG(t, board))

	d, err := Load(context.Background(), dir, Options{Resolution: 32})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			if got := pixelAt(d, 0, x, y); !near(got, colorGrey(127), 4) {
				t.Fatalf("pixel (%d,%d) is %v, want even grey near 127", x, y, got)
			}
		}
	}
}

// TestPermissionDenied checks unreadable files and folders on disk. Root
// reads them all the same, so the test first tries to read them itself and
// expects whatever the OS allowed; TestPermissionDeniedFS covers the skip
// reason on every account.
func TestPermissionDenied(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "open.png", encodePNG(t, halves(16, 16, red, blue)))
	locked := writeFile(t, dir, "locked.png", encodePNG(t, halves(16, 16, red, blue)))
	writeFile(t, dir, "private/inside.png", encodePNG(t, halves(16, 16, red, blue)))
	private := filepath.Join(dir, "private")
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(private, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(private, 0o755) })

	_, fileErr := os.ReadFile(locked)
	_, dirErr := os.ReadDir(private)
	want := 3
	if fileErr != nil {
		want--
	}
	if dirErr != nil {
		want--
	}

	d, err := Load(context.Background(), dir, Options{Resolution: 16})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(d.Paths) != want || len(d.Paths)+len(d.Skipped) != 3 {
		t.Fatalf("loaded %v, skipped %v; this account can read %d of 3", d.Paths, d.Skipped, want)
	}
	for _, s := range d.Skipped {
		if !strings.Contains(s.Reason, "permission denied") {
			t.Errorf("%s skipped because %q, want permission denied", s.Path, s.Reason)
		}
	}
}

// deniedFS refuses to open or list the names in denied.
type deniedFS struct {
	fstest.MapFS
	denied []string
}

func (f deniedFS) Open(name string) (fs.File, error) {
	if slices.Contains(f.denied, name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return f.MapFS.Open(name)
}

func (f deniedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if slices.Contains(f.denied, name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrPermission}
	}
	return f.MapFS.ReadDir(name)
}

func TestPermissionDeniedFS(t *testing.T) {
	img := encodePNG(t, halves(16, 16, red, blue))
	fsys := deniedFS{
		MapFS: fstest.MapFS{
			"set/open.png":           {Data: img},
			"set/locked.png":         {Data: img},
			"set/private/inside.png": {Data: img},
		},
		denied: []string{"set/locked.png", "set/private"},
	}

	d, err := LoadFS(context.Background(), fsys, "set", Options{Resolution: 16})
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	if !slices.Equal(d.Paths, []string{"set/open.png"}) {
		t.Errorf("loaded %v, want only set/open.png", d.Paths)
	}
	want := []SkippedFile{
		{"set/locked.png", "cannot read the file: permission denied"},
		{"set/private", "cannot read the folder: permission denied"},
	}
	if !slices.Equal(d.Skipped, want) {
		t.Errorf("skipped %v, want %v", d.Skipped, want)
	}
}

// TestLinks checks that a link loop ends, that links to files and folders
// elsewhere are followed, that a folder reached twice loads once, and that a
// broken link is reported.
func TestLinks(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, outside, "elsewhere.png", encodePNG(t, halves(16, 16, red, blue)))
	writeFile(t, outside, "more/m.png", encodePNG(t, halves(16, 16, red, blue)))

	dir := t.TempDir()
	writeFile(t, dir, "cats/c.png", encodePNG(t, halves(16, 16, red, blue)))
	links := map[string]string{
		"cats/loop":      dir,                                     // back to the root
		"cats/self":      ".",                                     // to its own folder
		"linked.png":     filepath.Join(outside, "elsewhere.png"), // a file elsewhere
		"more":           filepath.Join(outside, "more"),          // a folder elsewhere
		"again":          filepath.Join(dir, "cats"),              // a folder seen already
		"gone.png":       filepath.Join(outside, "missing.png"),   // nowhere
		"cats/gone-text": filepath.Join(outside, "missing.txt"),   // nowhere, not an image
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := Load(ctx, dir, Options{Resolution: 16})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []string{
		filepath.Join(dir, "cats/c.png"),
		filepath.Join(dir, "linked.png"),
		filepath.Join(dir, "more/m.png"),
	}
	if !slices.Equal(d.Paths, want) {
		t.Errorf("loaded %v, want %v", d.Paths, want)
	}
	if len(d.Skipped) != 1 || !strings.HasSuffix(d.Skipped[0].Path, "gone.png") ||
		!strings.Contains(d.Skipped[0].Reason, "leads nowhere") {
		t.Errorf("skipped %v, want gone.png as a link that leads nowhere", d.Skipped)
	}
	want = slices.Sorted(slices.Values([]string{"cats", filepath.Base(dir), "more"}))
	if !slices.Equal(d.Classes, want) {
		t.Errorf("classes %v, want %v", d.Classes, want)
	}
}

// TestNonUTF8Name loads a file whose name is not valid UTF-8, as old
// Latin-1 file systems and archives produce.
func TestNonUTF8Name(t *testing.T) {
	dir := t.TempDir()
	name := "caf\xe9.png"
	writeFile(t, dir, name, encodePNG(t, halves(16, 16, red, blue)))

	d, err := Load(context.Background(), dir, Options{Resolution: 16})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(d.Paths) != 1 || filepath.Base(d.Paths[0]) != name {
		t.Fatalf("loaded %q, skipped %v; want %q", d.Paths, d.Skipped, name)
	}
}

// TestNotSpecialFiles checks that a pipe named like an image is skipped,
// not opened: opening it would wait forever for a writer.
func TestNotSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.png", encodePNG(t, halves(16, 16, red, blue)))
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.png"), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := Load(ctx, dir, Options{Resolution: 16})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(d.Paths) != 1 || len(d.Skipped) != 1 ||
		!strings.Contains(d.Skipped[0].Reason, "not a regular file") {
		t.Fatalf("loaded %v, skipped %v; want a.png loaded, pipe.png skipped", d.Paths, d.Skipped)
	}
}

// TestClasses checks that first-level subfolders become sorted classes, that
// images deeper down take their first-level folder, and that images in the
// root take the root's name.
func TestClasses(t *testing.T) {
	root := filepath.Join(t.TempDir(), "pets")
	img := encodePNG(t, halves(16, 16, red, blue))
	for _, name := range []string{
		"dogs/d1.png", "cats/c1.png", "cats/old/c2.png", "cats/old/older/c3.png", "p.png",
	} {
		writeFile(t, root, name, img)
	}
	writeFile(t, root, "empty/notes.txt", []byte("nothing here"))

	d, err := Load(context.Background(), root, Options{Resolution: 16})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if want := []string{"cats", "dogs", "pets"}; !slices.Equal(d.Classes, want) {
		t.Errorf("classes %v, want %v", d.Classes, want)
	}
	want := map[string]string{
		"d1.png": "dogs", "c1.png": "cats", "c2.png": "cats", "c3.png": "cats", "p.png": "pets",
	}
	for i, p := range d.Paths {
		if got := d.Classes[d.Labels[i]]; got != want[filepath.Base(p)] {
			t.Errorf("%s has class %q, want %q", p, got, want[filepath.Base(p)])
		}
		if d.Label(i) != d.Labels[i] || d.Label(i+len(d.Paths)) != d.Labels[i] {
			t.Errorf("the mirror of %s has another label", p)
		}
	}

	flat := filepath.Join(t.TempDir(), "flat")
	writeFile(t, flat, "a.png", img)
	writeFile(t, flat, "b.png", img)
	d, err = Load(context.Background(), flat, Options{Resolution: 16})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !slices.Equal(d.Classes, []string{"flat"}) || !slices.Equal(d.Labels, []int{0, 0}) {
		t.Errorf("flat folder: classes %v labels %v, want one class", d.Classes, d.Labels)
	}
}

// TestFolderErrors checks the errors a person sees for a folder that is not
// there, a file, or a folder with nothing usable in it.
func TestFolderErrors(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "a.png", encodePNG(t, halves(16, 16, red, blue)))
	notes := filepath.Join(dir, "notes")
	writeFile(t, notes, "readme.txt", []byte("hi"))
	broken := filepath.Join(dir, "broken")
	writeFile(t, broken, "x.png", nil)

	tests := []struct {
		dir      string
		sentinel error
		words    string
	}{
		{filepath.Join(dir, "missing"), ErrNotFound, "no such folder"},
		{file, ErrNotFolder, "not a folder"},
		{notes, ErrNoImages, "no PNG, JPEG"},
		{broken, ErrNoImages, "empty"},
	}
	for _, tt := range tests {
		_, err := Load(context.Background(), tt.dir, Options{})
		if !errors.Is(err, tt.sentinel) {
			t.Errorf("Load(%s) = %v, want %v", tt.dir, err, tt.sentinel)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.dir) || !strings.Contains(msg, tt.words) {
			t.Errorf("Load(%s) error %q should name the folder and say %q", tt.dir, msg, tt.words)
		}
	}

	for _, res := range []int{-1, 4, 2048} {
		if _, err := Load(context.Background(), dir, Options{Resolution: res}); err == nil {
			t.Errorf("Load at resolution %d succeeded, want an error", res)
		}
	}
}

// countingTree counts the files a load opens.
type countingTree struct {
	osTree
	opened *atomic.Int64
}

func (t countingTree) open(name string) (fs.File, error) {
	t.opened.Add(1)
	return t.osTree.open(name)
}

// TestProgressAndCancel checks the progress calls, and that cancelling stops
// the decoding early with the context's error.
func TestProgressAndCancel(t *testing.T) {
	dir := t.TempDir()
	workers := runtime.GOMAXPROCS(0)
	total := 3 + 2*workers + 20
	for i := range total {
		writeFile(t, dir, fmt.Sprintf("%03d.png", i), encodePNG(t, noise(48, 48, uint64(i))))
	}
	writeFile(t, dir, "notes.txt", []byte("not counted"))

	var calls [][2]int
	_, err := Load(context.Background(), dir, Options{
		Resolution: 16,
		Progress:   func(done, all int) { calls = append(calls, [2]int{done, all}) },
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(calls) != total+1 {
		t.Fatalf("%d progress calls, want %d", len(calls), total+1)
	}
	for i, c := range calls {
		if c != [2]int{i, total} {
			t.Fatalf("progress call %d was %v, want %v", i, c, [2]int{i, total})
		}
	}

	// Cancel after three files. Each worker may finish the file it holds and
	// one more whose report waits in the channel; none starts another.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var opened atomic.Int64
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	last := 0
	_, err = load(ctx, countingTree{opened: &opened}, dir, info, "set", Options{
		Resolution: 16,
		Progress: func(done, all int) {
			last = done
			if done == 3 {
				cancel()
			}
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("load after cancel = %v, want context.Canceled", err)
	}
	if n := int(opened.Load()); n > 3+2*workers {
		t.Errorf("%d of %d files were opened after cancelling at 3", n, total)
	}
	if last != 3 {
		t.Errorf("progress went on to %d after cancelling at 3", last)
	}

	if _, err := Load(ctx, dir, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a cancelled context = %v, want context.Canceled", err)
	}
}

// TestLoadFS loads from an fs.FS, as the embedded default style is.
func TestLoadFS(t *testing.T) {
	img := encodePNG(t, halves(16, 16, red, blue))
	fsys := fstest.MapFS{
		"style/animals/a.png": {Data: img},
		"style/food/b.png":    {Data: img},
		"style/food/bad.png":  {Data: []byte("no")},
		"style/food/.x.png":   {Data: []byte("hidden")},
		"other/c.png":         {Data: img},
	}
	d, err := LoadFS(context.Background(), fsys, "style", Options{Resolution: 16})
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	if want := []string{"style/animals/a.png", "style/food/b.png"}; !slices.Equal(d.Paths, want) {
		t.Errorf("paths %v, want %v", d.Paths, want)
	}
	if want := []string{"animals", "food"}; !slices.Equal(d.Classes, want) {
		t.Errorf("classes %v, want %v", d.Classes, want)
	}
	if len(d.Skipped) != 1 || d.Skipped[0].Path != "style/food/bad.png" {
		t.Errorf("skipped %v, want style/food/bad.png", d.Skipped)
	}

	if _, err := LoadFS(context.Background(), fsys, "nope", Options{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("LoadFS of a missing folder = %v, want ErrNotFound", err)
	}
}
