// Package favourites keeps the images a person marks as favourites while
// exploring a run: enough to make each one again (checkpoint, latent,
// truncation, class, sliders), an optional name and note, and a small
// thumbnail.
//
// A run's favourites live in its directory, in favourites.json, with the
// thumbnails under favourites/. Every save replaces the file atomically and
// first copies the last good version to favourites.json.bak. A damaged file
// is never lost: the Store falls back to the backup, says so, and on its
// next save first copies the damaged file aside.
package favourites

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"time"
)

// FormatVersion is the favourites.json format this package writes and reads.
const FormatVersion = 1

// Errors the package returns for known conditions.
var (
	ErrCorrupt      = errors.New("the favourites file is damaged")
	ErrNewer        = errors.New("the favourites file is from a newer ganvas; update to open it")
	ErrNotFound     = errors.New("no such favourite")
	ErrBadFavourite = errors.New("the favourite is incomplete")
)

// Favourite is one kept image: how to make it again and what the person
// said about it.
type Favourite struct {
	ID         string    `json:"id"`             // unique within the run; Add makes one
	Created    time.Time `json:"created"`        // when it was added, in UTC
	RunDir     string    `json:"run_dir"`        // the run directory it came from
	Step       int       `json:"step"`           // checkpoint step of the generator
	Latent     []float32 `json:"latent"`         // the latent before sliders and truncation
	Truncation float64   `json:"truncation"`     // psi of the truncation trick, 1 for none
	Class      int       `json:"class"`          // class index of a conditional generator
	Sliders    []float64 `json:"sliders"`        // GANSpace slider positions, in sigmas
	Seed       *int64    `json:"seed,omitempty"` // seed of Latent; nil for a grid cell, child or blend
	Name       string    `json:"name,omitempty"`
	Note       string    `json:"note,omitempty"`

	// Thumbnail is the thumbnail PNG's path relative to the run directory,
	// with forward slashes, or "" for none. Store.ThumbnailPath makes it
	// absolute.
	Thumbnail string `json:"thumbnail,omitempty"`
}

// file is the layout of favourites.json.
type file struct {
	Version    int         `json:"version"`
	Favourites []Favourite `json:"favourites"`
}

// validID is what an ID may look like: it names a thumbnail file, so it must
// be a plain file name on every system.
var validID = regexp.MustCompile(`^[0-9A-Za-z_-]{1,64}$`)

// thumbnailFor returns the relative thumbnail path of the favourite id.
func thumbnailFor(id string) string {
	return thumbnailDir + "/" + id + ".png"
}

// check reports what makes a favourite unusable.
func (f *Favourite) check() error {
	switch {
	case !validID.MatchString(f.ID):
		return fmt.Errorf("id %q: use 1 to 64 letters, digits, '-' or '_'", f.ID)
	case len(f.Latent) == 0:
		return fmt.Errorf("favourite %s has no latent", f.ID)
	case f.Step < 0:
		return fmt.Errorf("favourite %s: step %d", f.ID, f.Step)
	case !finite(f.Truncation):
		return fmt.Errorf("favourite %s: truncation %g", f.ID, f.Truncation)
	case f.Thumbnail != "" && f.Thumbnail != thumbnailFor(f.ID):
		return fmt.Errorf("favourite %s: thumbnail %q is not %q", f.ID, f.Thumbnail,
			thumbnailFor(f.ID))
	}
	for i, v := range f.Latent {
		if !finite(float64(v)) {
			return fmt.Errorf("favourite %s: latent value %d is %g", f.ID, i, v)
		}
	}
	for i, v := range f.Sliders {
		if !finite(v) {
			return fmt.Errorf("favourite %s: slider %d is %g", f.ID, i, v)
		}
	}
	return nil
}

// clone returns a copy of f that shares no slices with it.
func (f Favourite) clone() Favourite {
	f.Latent = append([]float32(nil), f.Latent...)
	if f.Sliders != nil {
		f.Sliders = append([]float64{}, f.Sliders...)
	}
	if f.Seed != nil {
		seed := *f.Seed
		f.Seed = &seed
	}
	return f
}

// encode returns the favourites.json bytes of a list.
func encode(items []Favourite) ([]byte, error) {
	if items == nil {
		items = []Favourite{}
	}
	data, err := json.MarshalIndent(file{Version: FormatVersion, Favourites: items}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// decode parses favourites.json bytes and checks every favourite. Damage
// wraps ErrCorrupt; a later format wraps ErrNewer.
func decode(data []byte) ([]Favourite, error) {
	var f file
	decoder := json.NewDecoder(bytes.NewReader(data))
	if err := decoder.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if decoder.More() {
		return nil, fmt.Errorf("%w: data after the end", ErrCorrupt)
	}
	switch {
	case f.Version > FormatVersion:
		return nil, fmt.Errorf("%w: version %d, this ganvas reads %d",
			ErrNewer, f.Version, FormatVersion)
	case f.Version < 1:
		return nil, fmt.Errorf("%w: no format version", ErrCorrupt)
	}

	seen := make(map[string]bool, len(f.Favourites))
	for i := range f.Favourites {
		favourite := &f.Favourites[i]
		if err := favourite.check(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		if seen[favourite.ID] {
			return nil, fmt.Errorf("%w: two favourites with id %s", ErrCorrupt, favourite.ID)
		}
		seen[favourite.ID] = true
	}
	if f.Favourites == nil {
		f.Favourites = []Favourite{}
	}
	return f.Favourites, nil
}

func finite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0)
}
