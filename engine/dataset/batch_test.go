package dataset

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loadSides loads two 16x16 images: red|blue and green|black, left|right.
func loadSides(t testing.TB) *Dataset {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "a.png", encodePNG(t, sides(16, 16, red, blue)))
	writeFile(t, dir, "b.png", encodePNG(t, sides(16, 16, green, black)))
	d, err := Load(context.Background(), dir, Options{Resolution: 16})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return d
}

func TestMirrors(t *testing.T) {
	d := loadSides(t)
	if d.Len() != 4 {
		t.Fatalf("Len() = %d, want 4: two images and their mirrors", d.Len())
	}

	tests := []struct {
		example     int
		left, right [3]int
	}{
		{0, [3]int{255, 0, 0}, [3]int{0, 0, 255}},
		{1, [3]int{0, 200, 0}, [3]int{0, 0, 0}},
		{2, [3]int{0, 0, 255}, [3]int{255, 0, 0}},
		{3, [3]int{0, 0, 0}, [3]int{0, 200, 0}},
	}
	for _, tt := range tests {
		if got := pixelAt(d, tt.example, 0, 5); got != tt.left {
			t.Errorf("example %d: left edge %v, want %v", tt.example, got, tt.left)
		}
		if got := pixelAt(d, tt.example, 15, 5); got != tt.right {
			t.Errorf("example %d: right edge %v, want %v", tt.example, got, tt.right)
		}
	}
}

// TestFillMatchesImage checks Fill against Image pixel by pixel: NHWC order,
// v/127.5 - 1, mirrors included, and any order of indices.
func TestFillMatchesImage(t *testing.T) {
	d := loadSides(t)
	indices := []int{3, 0, 2, 1, 0}
	size := 16 * 16 * 3
	dst := make([]float32, len(indices)*size)
	d.Fill(dst, indices)

	for b, i := range indices {
		img := d.Image(i)
		for y := 0; y < 16; y++ {
			for x := 0; x < 16; x++ {
				c := img.RGBAAt(x, y)
				for ch, v := range []uint8{c.R, c.G, c.B} {
					got := dst[b*size+(y*16+x)*3+ch]
					want := float32(v)/127.5 - 1
					if got != want {
						t.Fatalf("batch %d (example %d) pixel (%d,%d) channel %d = %v, want %v",
							b, i, x, y, ch, got, want)
					}
					if got < -1 || got > 1 {
						t.Fatalf("value %v is outside [-1, 1]", got)
					}
				}
			}
		}
	}
	// Exact ends: pure red is 1 in red and -1 in blue.
	if dst[size+0] != 1 || dst[size+2] != -1 {
		t.Errorf("red pixel filled as %v, want [1 -1 -1]", dst[size:size+3])
	}
}

func TestFillRejectsMisuse(t *testing.T) {
	d := loadSides(t)
	tests := []struct {
		name    string
		dst     []float32
		indices []int
		words   string
	}{
		{"short dst", make([]float32, 10), []int{0}, "dst holds 10"},
		{"index past mirrors", make([]float32, 16*16*3), []int{4}, "outside [0, 4)"},
		{"negative index", make([]float32, 16*16*3), []int{-1}, "outside [0, 4)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), tt.words) {
					t.Errorf("Fill panicked with %v, want a message saying %q", r, tt.words)
				}
			}()
			d.Fill(tt.dst, tt.indices)
		})
	}
}

func TestFillAllocatesNothing(t *testing.T) {
	d := loadSides(t)
	indices := []int{0, 1, 2, 3}
	dst := make([]float32, len(indices)*16*16*3)
	if allocs := testing.AllocsPerRun(20, func() { d.Fill(dst, indices) }); allocs != 0 {
		t.Errorf("Fill allocates %v times per call, want 0", allocs)
	}
}

// TestFingerprint checks the fingerprint is stable for the same data, and
// changes with a pixel, the resolution or the classes, but not the folder.
func TestFingerprint(t *testing.T) {
	img := encodePNG(t, halves(32, 32, red, blue))
	other := encodePNG(t, halves(32, 32, red, green))
	makeSet := func(files map[string][]byte) string {
		dir := t.TempDir()
		for name, data := range files {
			writeFile(t, dir, name, data)
		}
		return dir
	}
	load := func(dir string, res int) string {
		d, err := Load(context.Background(), dir, Options{Resolution: res})
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		return d.Fingerprint()
	}

	base := makeSet(map[string][]byte{"a.png": img, "b.png": img})
	first := load(base, 16)
	if len(first) != 64 || strings.Trim(first, "0123456789abcdef") != "" {
		t.Fatalf("fingerprint %q is not 64 hex digits", first)
	}
	moved := filepath.Join(t.TempDir(), "moved")
	if err := os.Rename(base, moved); err != nil {
		t.Fatal(err)
	}
	if again := load(moved, 16); again != first {
		t.Errorf("the same images in a moved folder fingerprint %s, want %s", again, first)
	}

	changed := map[string]string{
		"one pixel colour": load(makeSet(map[string][]byte{"a.png": img, "b.png": other}), 16),
		"resolution":       load(moved, 32),
		"one image fewer":  load(makeSet(map[string][]byte{"a.png": img}), 16),
		"classes":          load(makeSet(map[string][]byte{"x/a.png": img, "y/b.png": img}), 16),
	}
	for what, fp := range changed {
		if fp == first {
			t.Errorf("changing the %s kept the fingerprint", what)
		}
	}
}

func TestImageIsOpaque(t *testing.T) {
	d := loadSides(t)
	img := d.Image(1)
	if img.Bounds() != image.Rect(0, 0, 16, 16) {
		t.Fatalf("Image bounds %v, want 16x16", img.Bounds())
	}
	for i := 3; i < len(img.Pix); i += 4 {
		if img.Pix[i] != 255 {
			t.Fatalf("Image has alpha %d at byte %d, want opaque", img.Pix[i], i)
		}
	}
}

// BenchmarkFill measures a batch of 64 examples at 64x64, half of them
// mirrored, as a training step asks for them.
func BenchmarkFill(b *testing.B) {
	dir := b.TempDir()
	for i := range 64 {
		writeFile(b, dir, string(rune('a'+i%26))+string(rune('a'+i/26))+".png",
			encodePNG(b, noise(64, 64, uint64(i))))
	}
	d, err := Load(context.Background(), dir, Options{Resolution: 64})
	if err != nil {
		b.Fatal(err)
	}
	indices := make([]int, 64)
	for i := range indices {
		indices[i] = (i * 37) % d.Len()
	}
	dst := make([]float32, len(indices)*64*64*3)

	b.SetBytes(int64(len(dst) * 4))
	b.ReportAllocs()
	for b.Loop() {
		d.Fill(dst, indices)
	}
}
