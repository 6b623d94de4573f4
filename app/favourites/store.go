package favourites

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"golang.org/x/image/draw"

	"ganvas/engine/run"
)

// Names inside a run directory.
const (
	FileName     = "favourites.json"
	BackupName   = FileName + ".bak"
	thumbnailDir = "favourites"
)

// ThumbnailSize is the longest side, in pixels, of a thumbnail. Smaller
// images are kept at their own size.
const ThumbnailSize = 128

// Store holds the favourites of one run and keeps favourites.json in step
// with every change. Its methods are safe for concurrent use. Two Stores
// open on the same run at once would overwrite each other's changes, so a
// program keeps one per run.
type Store struct {
	runDir string

	mu         sync.Mutex
	favourites []Favourite
	onDisk     []byte // favourites.json as last read or written, nil if none or damaged
	damaged    []byte // a damaged favourites.json, to be kept aside before the next save
}

// Open loads the favourites of the run in runDir. A run without a
// favourites file has no favourites yet.
//
// When favourites.json is damaged, Open still returns a usable Store
// holding the favourites of the backup (or none, if the backup is missing
// or damaged too), together with an error wrapping ErrCorrupt that says
// so. Nothing on disk changes until the next save, which first copies the
// damaged file to favourites.json.damaged-<time> so nothing is lost. A file
// from a newer ganvas gives a nil Store and an error wrapping ErrNewer.
func Open(runDir string) (*Store, error) {
	s := &Store{runDir: runDir, favourites: []Favourite{}}
	path := filepath.Join(runDir, FileName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("favourites: open: %w", err)
	}

	favourites, err := decode(data)
	if err == nil {
		s.favourites, s.onDisk = favourites, data
		return s, nil
	}
	if errors.Is(err, ErrNewer) {
		return nil, fmt.Errorf("favourites: open %s: %w", path, err)
	}

	// The file is damaged: fall back to the backup.
	s.damaged = data
	damage := err
	backup, err := os.ReadFile(filepath.Join(runDir, BackupName))
	if err != nil {
		return s, fmt.Errorf("favourites: open %s: %w; no backup to fall back to (%v), "+
			"so the list starts empty and the damaged file will be kept", path, damage, err)
	}
	favourites, err = decode(backup)
	if err != nil {
		return s, fmt.Errorf("favourites: open %s: %w; the backup is unusable too (%v), "+
			"so the list starts empty and the damaged file will be kept", path, damage, err)
	}
	s.favourites = favourites
	return s, fmt.Errorf("favourites: open %s: %w; using the backup's %d favourites, "+
		"and the damaged file will be kept", path, damage, len(favourites))
}

// RunDir returns the run directory the Store keeps favourites for.
func (s *Store) RunDir() string {
	return s.runDir
}

// List returns a copy of all favourites, oldest first.
func (s *Store) List() []Favourite {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Favourite, len(s.favourites))
	for i, f := range s.favourites {
		out[i] = f.clone()
	}
	return out
}

// Get returns a copy of the favourite with the given id, or an error
// wrapping ErrNotFound.
func (s *Store) Get(id string) (Favourite, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(id)
	if i < 0 {
		return Favourite{}, fmt.Errorf("favourites: get %q: %w", id, ErrNotFound)
	}
	return s.favourites[i].clone(), nil
}

// Add keeps f and saves the list, and returns f as kept. An empty ID gets a
// fresh random one, a zero Created the current time and an empty RunDir
// the Store's. When thumbnail is not nil, it is scaled to fit ThumbnailSize
// and saved as favourites/<id>.png in the run, and f.Thumbnail points at it.
// A favourite without a latent, with a value that is not a finite number,
// or with an ID already kept, is refused with ErrBadFavourite. If saving
// fails the Store is left as it was.
func (s *Store) Add(f Favourite, thumbnail image.Image) (Favourite, error) {
	f = f.clone()
	if f.ID == "" {
		f.ID = newID()
	}
	if f.Created.IsZero() {
		f.Created = time.Now()
	}
	f.Created = f.Created.UTC().Round(0)
	if f.RunDir == "" {
		f.RunDir = s.runDir
	}
	f.Thumbnail = ""
	if thumbnail != nil {
		f.Thumbnail = thumbnailFor(f.ID)
	}
	if err := f.check(); err != nil {
		return Favourite{}, fmt.Errorf("favourites: add: %w: %w", ErrBadFavourite, err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index(f.ID) >= 0 {
		return Favourite{}, fmt.Errorf("favourites: add: %w: id %s is taken", ErrBadFavourite, f.ID)
	}
	if thumbnail != nil {
		if err := s.writeThumbnail(f.ID, thumbnail); err != nil {
			return Favourite{}, fmt.Errorf("favourites: add: %w", err)
		}
	}
	if err := s.save(append(slices.Clip(s.favourites), f)); err != nil {
		if thumbnail != nil {
			os.Remove(s.ThumbnailPath(f))
		}
		return Favourite{}, fmt.Errorf("favourites: add: %w", err)
	}
	return f.clone(), nil
}

// Annotate sets the name and note of the favourite with the given id and
// saves the list.
func (s *Store) Annotate(id, name, note string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.index(id)
	if i < 0 {
		return fmt.Errorf("favourites: annotate %q: %w", id, ErrNotFound)
	}
	changed := slices.Clone(s.favourites)
	changed[i].Name, changed[i].Note = name, note
	if err := s.save(changed); err != nil {
		return fmt.Errorf("favourites: annotate %q: %w", id, err)
	}
	return nil
}

// Remove deletes the favourites with the given ids and their thumbnails. If
// any id is unknown nothing is removed and the error wraps ErrNotFound; if
// saving fails the Store is left as it was.
func (s *Store) Remove(ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if s.index(id) < 0 {
			return fmt.Errorf("favourites: remove %q: %w", id, ErrNotFound)
		}
	}

	var kept, removed []Favourite
	for _, f := range s.favourites {
		if slices.Contains(ids, f.ID) {
			removed = append(removed, f)
		} else {
			kept = append(kept, f)
		}
	}
	if err := s.save(kept); err != nil {
		return fmt.Errorf("favourites: remove: %w", err)
	}

	// The list no longer names these thumbnails; one left behind by a
	// failed delete is harmless.
	for _, f := range removed {
		if f.Thumbnail != "" {
			os.Remove(s.ThumbnailPath(f))
		}
	}
	return nil
}

// ThumbnailPath returns the absolute path of f's thumbnail, or "" if it has
// none.
func (s *Store) ThumbnailPath(f Favourite) string {
	if f.Thumbnail == "" {
		return ""
	}
	return filepath.Join(s.runDir, filepath.FromSlash(thumbnailFor(f.ID)))
}

// index returns the position of the favourite with the given id, or -1.
// The caller holds s.mu.
func (s *Store) index(id string) int {
	return slices.IndexFunc(s.favourites, func(f Favourite) bool { return f.ID == id })
}

// save writes favourites as the new favourites.json and, only when that
// succeeded, makes them the Store's list. The file it replaces is first kept
// as the backup when it was good, or moved aside when it was damaged.
// The caller holds s.mu.
func (s *Store) save(favourites []Favourite) error {
	if favourites == nil {
		favourites = []Favourite{}
	}
	data, err := encode(favourites)
	if err != nil {
		return err
	}
	path := filepath.Join(s.runDir, FileName)

	if s.damaged != nil {
		// Copied, not renamed, so that favourites.json is never missing.
		aside := path + ".damaged-" + time.Now().UTC().Format("20060102-150405.000")
		if err := run.WriteFileAtomic(aside, s.damaged, 0o644); err != nil {
			return fmt.Errorf("keep the damaged %s: %w", FileName, err)
		}
		s.damaged = nil
	}
	if s.onDisk != nil {
		if err := run.WriteFileAtomic(filepath.Join(s.runDir, BackupName), s.onDisk,
			0o644); err != nil {
			return err
		}
	}
	if err := run.WriteFileAtomic(path, data, 0o644); err != nil {
		return err
	}
	s.favourites, s.onDisk = favourites, data
	return nil
}

// writeThumbnail saves img, scaled to fit ThumbnailSize, as the thumbnail of
// the favourite id.
func (s *Store) writeThumbnail(id string, img image.Image) error {
	b := img.Bounds()
	if b.Empty() {
		return fmt.Errorf("%w: the thumbnail image is empty", ErrBadFavourite)
	}
	scale := min(1, float64(ThumbnailSize)/float64(max(b.Dx(), b.Dy())))
	width := max(1, int(float64(b.Dx())*scale+0.5))
	height := max(1, int(float64(b.Dy())*scale+0.5))
	small := image.NewNRGBA(image.Rect(0, 0, width, height))
	draw.CatmullRom.Scale(small, small.Bounds(), img, b, draw.Src, nil)

	var buf bytes.Buffer
	if err := png.Encode(&buf, small); err != nil {
		return fmt.Errorf("thumbnail: %w", err)
	}
	dir := filepath.Join(s.runDir, thumbnailDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("thumbnail: %w", err)
	}
	path := filepath.Join(s.runDir, filepath.FromSlash(thumbnailFor(id)))
	return run.WriteFileAtomic(path, buf.Bytes(), 0o644)
}

// newID returns 16 random hexadecimal digits.
func newID() string {
	var b [8]byte
	rand.Read(b[:]) // never fails, by its documentation
	return hex.EncodeToString(b[:])
}
