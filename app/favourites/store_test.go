package favourites

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func sample(step int) Favourite {
	seed := int64(4096)
	return Favourite{
		Seed:       &seed,
		Step:       step,
		Latent:     []float32{0.25, -1.5, math.SmallestNonzeroFloat32, 3.4028235e38},
		Truncation: 0.8,
		Class:      2,
		Sliders:    []float64{1, -0.5},
		Name:       "Dämmerung",
		Note:       "the one with the \"blue\" fog",
	}
}

func picture(width, height int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, width, height))
	for y := range height {
		for x := range width {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	return img
}

func mustOpen(t *testing.T, runDir string) *Store {
	t.Helper()
	s, err := Open(runDir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOpenWithoutAFile(t *testing.T) {
	s := mustOpen(t, t.TempDir())
	if got := s.List(); len(got) != 0 {
		t.Errorf("a new run has %d favourites", len(got))
	}
}

func TestFavouritesRoundTrip(t *testing.T) {
	runDir := t.TempDir()
	s := mustOpen(t, runDir)
	var added []Favourite
	for i, thumbnail := range []image.Image{picture(256, 192), nil, picture(40, 30)} {
		f, err := s.Add(sample(1000*(i+1)), thumbnail)
		if err != nil {
			t.Fatal(err)
		}
		added = append(added, f)
	}

	reopened := mustOpen(t, runDir)
	if got := reopened.List(); !reflect.DeepEqual(got, added) {
		t.Fatalf("after reopening:\n got %+v\nwant %+v", got, added)
	}
	first, err := reopened.Get(added[0].ID)
	smallest := math.Float32bits(math.SmallestNonzeroFloat32)
	if err != nil || math.Float32bits(first.Latent[2]) != smallest {
		t.Errorf("Get: %+v, %v", first, err)
	}
	if first.RunDir != runDir || first.Created.IsZero() || len(first.ID) != 16 {
		t.Errorf("Add did not fill in run, time and id: %+v", first)
	}

	// Thumbnails fit ThumbnailSize, keep their shape, never grow.
	wantSizes := []image.Point{{128, 96}, {}, {40, 30}}
	for i, f := range added {
		path := reopened.ThumbnailPath(f)
		if wantSizes[i] == (image.Point{}) {
			if path != "" {
				t.Errorf("favourite %d has thumbnail %q, want none", i, path)
			}
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("favourite %d: %v", i, err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("favourite %d: %v", i, err)
		}
		if img.Bounds().Size() != wantSizes[i] {
			t.Errorf("favourite %d: thumbnail %v, want %v", i, img.Bounds().Size(), wantSizes[i])
		}
	}
}

func TestAnnotateAndRemove(t *testing.T) {
	runDir := t.TempDir()
	s := mustOpen(t, runDir)
	a, _ := s.Add(sample(1), picture(8, 8))
	b, _ := s.Add(sample(2), nil)
	c, _ := s.Add(sample(3), nil)

	if err := s.Annotate(b.ID, "Nebel", "keep for the print"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(a.ID, "no-such-id"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing an unknown id: error %v, want ErrNotFound", err)
	}
	if got := len(mustOpen(t, runDir).List()); got != 3 {
		t.Fatalf("a refused remove changed the list to %d favourites", got)
	}
	if err := s.Remove(a.ID, c.ID); err != nil {
		t.Fatal(err)
	}

	list := mustOpen(t, runDir).List()
	if len(list) != 1 || list[0].ID != b.ID || list[0].Name != "Nebel" ||
		list[0].Note != "keep for the print" {
		t.Errorf("after annotating and removing: %+v", list)
	}
	if _, err := os.Stat(s.ThumbnailPath(a)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the removed favourite's thumbnail is still there: %v", err)
	}
	if _, err := s.Get(a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of a removed favourite: error %v, want ErrNotFound", err)
	}
	if err := s.Annotate(a.ID, "x", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("Annotate of a removed favourite: error %v, want ErrNotFound", err)
	}
}

func TestAddRefusesBadFavourites(t *testing.T) {
	s := mustOpen(t, t.TempDir())
	taken, _ := s.Add(sample(1), nil)
	tests := []struct {
		name   string
		change func(f *Favourite)
	}{
		{"no latent", func(f *Favourite) { f.Latent = nil }},
		{"NaN latent", func(f *Favourite) { f.Latent[0] = float32(math.NaN()) }},
		{"infinite slider", func(f *Favourite) { f.Sliders[1] = math.Inf(-1) }},
		{"negative step", func(f *Favourite) { f.Step = -5 }},
		{"id with a slash", func(f *Favourite) { f.ID = "../../etc/passwd" }},
		{"id taken", func(f *Favourite) { f.ID = taken.ID }},
	}
	for _, tt := range tests {
		f := sample(2)
		tt.change(&f)
		if _, err := s.Add(f, picture(4, 4)); !errors.Is(err, ErrBadFavourite) {
			t.Errorf("%s: error %v, want ErrBadFavourite", tt.name, err)
		}
	}
	if got := len(s.List()); got != 1 {
		t.Errorf("refused favourites were kept: %d in the list", got)
	}
}

func TestListReturnsCopies(t *testing.T) {
	s := mustOpen(t, t.TempDir())
	f, _ := s.Add(sample(1), nil)
	s.List()[0].Latent[0] = 99
	f.Sliders[0] = 99
	if got, _ := s.Get(f.ID); got.Latent[0] == 99 || got.Sliders[0] == 99 {
		t.Errorf("changing a returned favourite changed the store: %+v", got)
	}
}

// writeFile puts data at runDir/name.
func writeFile(t *testing.T, runDir, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(runDir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDamagedFileFallsBackToTheBackup(t *testing.T) {
	runDir := t.TempDir()
	s := mustOpen(t, runDir)
	kept, _ := s.Add(sample(1), nil)
	s.Add(sample(2), nil) // the backup now holds the list with kept alone

	damaged := []byte(`{"version":1,"favourites":[{"id":"abc","latent":[1,`)
	writeFile(t, runDir, FileName, damaged)

	s, err := Open(runDir)
	if !errors.Is(err, ErrCorrupt) || s == nil {
		t.Fatalf("Open of a damaged file: store %v, error %v; want a store and ErrCorrupt", s, err)
	}
	if !strings.Contains(err.Error(), "backup") {
		t.Errorf("the error does not say the backup is in use: %v", err)
	}
	if list := s.List(); len(list) != 1 || list[0].ID != kept.ID {
		t.Errorf("fell back to %+v, want the backup's single favourite", list)
	}
	if got, _ := os.ReadFile(filepath.Join(runDir, FileName)); !bytes.Equal(got, damaged) {
		t.Error("Open changed the damaged file")
	}

	// The next save keeps the damaged file aside and the good backup.
	backup, _ := os.ReadFile(filepath.Join(runDir, BackupName))
	if _, err := s.Add(sample(3), nil); err != nil {
		t.Fatal(err)
	}
	aside, _ := filepath.Glob(filepath.Join(runDir, FileName+".damaged-*"))
	if len(aside) != 1 {
		t.Fatalf("%d copies of the damaged file, want 1", len(aside))
	}
	if got, _ := os.ReadFile(aside[0]); !bytes.Equal(got, damaged) {
		t.Errorf("the damaged file was not kept as it was: %q", got)
	}
	if got, _ := os.ReadFile(filepath.Join(runDir, BackupName)); !bytes.Equal(got, backup) {
		t.Error("the good backup was replaced by a save after damage")
	}
	if got := len(mustOpen(t, runDir).List()); got != 2 {
		t.Errorf("after recovering and adding: %d favourites, want 2", got)
	}
}

func TestDamagedFileWithoutBackup(t *testing.T) {
	tests := []struct {
		name   string
		backup []byte // nil for none
	}{
		{"no backup", nil},
		{"damaged backup", []byte("{")},
	}
	for _, tt := range tests {
		runDir := t.TempDir()
		writeFile(t, runDir, FileName, []byte("\x00\x01 not json"))
		if tt.backup != nil {
			writeFile(t, runDir, BackupName, tt.backup)
		}
		s, err := Open(runDir)
		if !errors.Is(err, ErrCorrupt) || s == nil || len(s.List()) != 0 {
			t.Errorf("%s: store %v, error %v; want an empty store and ErrCorrupt", tt.name, s, err)
		}
	}
}

func TestNewerFileIsLeftAlone(t *testing.T) {
	runDir := t.TempDir()
	newer := []byte(`{"version":2,"favourites":[],"albums":[]}`)
	writeFile(t, runDir, FileName, newer)
	if s, err := Open(runDir); !errors.Is(err, ErrNewer) || s != nil {
		t.Errorf("store %v, error %v; want no store and ErrNewer", s, err)
	}
}

func TestDecodeRejectsDamage(t *testing.T) {
	good := func(extra string) string {
		return `{"version":1,"favourites":[{"id":"a1","created":"2026-01-02T03:04:05Z",` +
			`"latent":[0.5],"truncation":1,"sliders":[]` + extra + `}]}`
	}
	tests := []struct {
		name string
		data string
		want error
	}{
		{"empty", "", ErrCorrupt},
		{"null", "null", ErrCorrupt},
		{"no version", `{"favourites":[]}`, ErrCorrupt},
		{"newer", `{"version":3}`, ErrNewer},
		{"trailing data", good("") + "{}", ErrCorrupt},
		{"no latent", `{"version":1,"favourites":[{"id":"a"}]}`, ErrCorrupt},
		{"bad id", `{"version":1,"favourites":[{"id":"a/b","latent":[1]}]}`, ErrCorrupt},
		{"duplicate ids", `{"version":1,"favourites":[{"id":"a","latent":[1]},` +
			`{"id":"a","latent":[2]}]}`, ErrCorrupt},
		{"thumbnail elsewhere", good(`,"thumbnail":"../../secret.png"`), ErrCorrupt},
		{"wrong type", `{"version":1,"favourites":[{"id":"a","latent":"1"}]}`, ErrCorrupt},
	}
	for _, tt := range tests {
		if _, err := decode([]byte(tt.data)); !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.want)
		}
	}
	for _, data := range []string{good(""), good(`,"thumbnail":"favourites/a1.png"`),
		`{"version":1,"favourites":[]}`, `{"version":1}`} {
		if _, err := decode([]byte(data)); err != nil {
			t.Errorf("%s: %v", data, err)
		}
	}
}

func TestFailedSaveChangesNothing(t *testing.T) {
	runDir := t.TempDir()
	s := mustOpen(t, runDir)
	first, _ := s.Add(sample(1), picture(4, 4))
	before, _ := os.ReadFile(filepath.Join(runDir, FileName))

	lockDir(t, runDir)
	if _, err := s.Add(sample(2), nil); err == nil {
		t.Error("adding to a read-only run did not fail")
	}
	if err := s.Remove(first.ID); err == nil {
		t.Error("removing from a read-only run did not fail")
	}
	if err := s.Annotate(first.ID, "x", "y"); err == nil {
		t.Error("annotating in a read-only run did not fail")
	}

	if list := s.List(); len(list) != 1 || list[0].Name != first.Name {
		t.Errorf("failed saves changed the list: %+v", list)
	}
	if after, _ := os.ReadFile(filepath.Join(runDir, FileName)); !bytes.Equal(after, before) {
		t.Error("failed saves changed favourites.json")
	}
	if _, err := os.Stat(s.ThumbnailPath(first)); err != nil {
		t.Errorf("a failed remove deleted the thumbnail: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	runDir := t.TempDir()
	s := mustOpen(t, runDir)
	var wg sync.WaitGroup
	for worker := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				f := sample(worker*100 + i)
				f.ID = fmt.Sprintf("w%d-%d", worker, i)
				if _, err := s.Add(f, nil); err != nil {
					t.Error(err)
					return
				}
				s.List()
				if i%2 == 1 {
					if err := s.Remove(f.ID); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()

	// Each worker kept the favourites of its even i: 0, 2 and 4.
	list := mustOpen(t, runDir).List()
	if len(list) != 12 {
		t.Errorf("%d favourites on disk, want 12", len(list))
	}
	if got := len(s.List()); got != len(list) {
		t.Errorf("the store holds %d, the file %d", got, len(list))
	}
}

func FuzzLoadFavourites(f *testing.F) {
	valid, err := encode([]Favourite{{ID: "a1", Created: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		RunDir: "runs/x", Step: 10, Latent: []float32{1, -2.5}, Truncation: 0.7,
		Sliders: []float64{0.5}, Name: "n", Thumbnail: "favourites/a1.png"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add([]byte(`{"version":1,"favourites":[]}`))
	f.Add([]byte(`{"version":1,"favourites":[{"id":"a","latent":[1e-45]}]}`))
	f.Add([]byte(`{"version":9}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		favourites, err := decode(data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNewer) {
				t.Fatalf("error %v is neither damage nor a newer version", err)
			}
			return
		}

		// What loads saves and loads again unchanged.
		again, err := encode(favourites)
		if err != nil {
			t.Fatalf("loaded favourites do not encode: %v", err)
		}
		second, err := decode(again)
		if err != nil {
			t.Fatalf("saved favourites do not load: %v", err)
		}
		if !reflect.DeepEqual(second, favourites) {
			t.Fatalf("favourites changed on a round trip:\n%+v\n%+v", favourites, second)
		}
	})
}
