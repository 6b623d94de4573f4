// Package dataset loads a folder of images into memory for GAN training.
//
// Load walks a folder and everything under it, decodes every PNG, JPEG, GIF
// (first frame), BMP, TIFF and WebP file, crops the centre square of each,
// scales it to the training resolution and keeps it as 8-bit RGB. Colour
// models of every kind (grey, palette, 16-bit, CMYK) become RGB, and
// transparent pixels are composited on white.
//
// A file that cannot be used is never fatal: it is listed in
// Dataset.Skipped with a reason a person can act on. Hidden files and
// folders (names starting with '.') and files without an image extension are
// ignored without comment.
//
// Each image costs Resolution*Resolution*3 bytes: 20,000 images at 64x64
// hold 246 MB, a quarter of what float32 pixels would take.
//
// Fill turns a batch of indices into the float32 tensor a training step
// reads. Horizontal mirrors double the data: Len is twice the image count.
package dataset

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
)

// Defaults and limits of the loader.
const (
	// DefaultResolution is the side of the square training images when
	// Options.Resolution is zero.
	DefaultResolution = 64

	// DefaultMaxPixels is the largest image, in pixels, that is decoded when
	// Options.MaxPixels is zero: 40 megapixels. A bigger header is refused
	// before any pixel memory is allocated.
	DefaultMaxPixels = 40_000_000

	// MinSide is the smallest width or height an image may have; smaller
	// images carry too little to train on and are skipped.
	MinSide = 8

	// MaxResolution is the largest training resolution Load accepts.
	MaxResolution = 1024
)

// Sentinel errors a caller can test with errors.Is.
var (
	// ErrNotFound means the folder to load does not exist.
	ErrNotFound = errors.New("no such folder")

	// ErrNotFolder means the path to load names a file, not a folder.
	ErrNotFolder = errors.New("not a folder")

	// ErrNoImages means the folder holds no image that could be used.
	ErrNoImages = errors.New("no usable images")
)

// Options tunes Load. The zero value loads at DefaultResolution with the
// DefaultMaxPixels limit and reports no progress.
type Options struct {
	// Resolution is the side of the square images, in pixels, from MinSide
	// to MaxResolution; 0 means DefaultResolution.
	Resolution int

	// MaxPixels is the largest width*height decoded; 0 means
	// DefaultMaxPixels.
	MaxPixels int

	// Progress, when set, is called with the number of image files handled
	// so far and the number found: first (0, total), then once per file.
	// Calls come one at a time from the goroutine that called Load, so the
	// callback needs no locking; it should return quickly. None comes after
	// the context is cancelled.
	Progress func(done, total int)
}

// SkippedFile names a file or folder that was not loaded, and why.
type SkippedFile struct {
	Path   string // as reported in Dataset.Paths: an OS path for Load
	Reason string // plain words, e.g. "the file is empty"
}

// Dataset is a set of square RGB images held in memory, ready for training.
// Its exported fields describe the images and must not be modified. All
// methods are safe for concurrent use.
type Dataset struct {
	// Resolution is the side of every image in pixels.
	Resolution int

	// Paths holds the file of each image, sorted; image i came from Paths[i].
	Paths []string

	// Classes holds the class names, sorted. Each first-level subfolder
	// that holds images, directly or deeper down, is a class; images lying
	// directly in the folder belong to a class named after the folder itself,
	// which is also the only class of a flat folder.
	Classes []string

	// Labels holds the class of each image as an index into Classes.
	Labels []int

	// Skipped lists every image file (or unreadable folder) that was left
	// out, sorted by path.
	Skipped []SkippedFile

	pix []byte // len(Paths) images of Resolution*Resolution*3 bytes, row-major RGB

	fingerprintOnce sync.Once
	fingerprint     string
}

// Load reads every image under dir, recursively, and returns them scaled to
// opt.Resolution. It returns an error wrapping ErrNotFound or ErrNotFolder
// when dir is not a folder, ErrNoImages when nothing in it could be used, and
// the context's error when ctx ends first. Files that fail to load are listed
// in Dataset.Skipped; the error names the folder.
func Load(ctx context.Context, dir string, opt Options) (*Dataset, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, rootError(dir, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("dataset: load %s: %w", dir, ErrNotFolder)
	}

	name := filepath.Base(dir)
	if abs, err := filepath.Abs(dir); err == nil {
		name = filepath.Base(abs)
	}
	return load(ctx, osTree{}, dir, info, name, opt)
}

// LoadFS is Load for a folder root inside fsys, for images shipped inside the
// program (an embed.FS). Paths and Skipped hold slash-separated fsys paths.
// Names that fs.ValidPath rejects, such as those that are not UTF-8, cannot be
// opened through an fs.FS; Load reads those from disk.
func LoadFS(ctx context.Context, fsys fs.FS, root string, opt Options) (*Dataset, error) {
	info, err := fs.Stat(fsys, root)
	if err != nil {
		return nil, rootError(root, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("dataset: load %s: %w", root, ErrNotFolder)
	}

	name := path.Base(root)
	if name == "." || name == "/" {
		name = "images"
	}
	return load(ctx, fsTree{fsys}, root, info, name, opt)
}

// rootError explains why the folder to load could not be opened.
func rootError(dir string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("dataset: load %s: %w", dir, ErrNotFound)
	}
	return fmt.Errorf("dataset: load %s: %w", dir, err)
}

// load finds the image files under root and decodes them; rootName names the
// class of images lying directly in root.
func load(ctx context.Context, t tree, root string, rootInfo fs.FileInfo, rootName string,
	opt Options) (*Dataset, error) {

	if opt.Resolution == 0 {
		opt.Resolution = DefaultResolution
	}
	if opt.Resolution < MinSide || opt.Resolution > MaxResolution {
		return nil, fmt.Errorf("dataset: load %s: resolution %d is outside %d to %d",
			root, opt.Resolution, MinSide, MaxResolution)
	}
	if opt.MaxPixels == 0 {
		opt.MaxPixels = DefaultMaxPixels
	}
	if opt.MaxPixels < MinSide*MinSide {
		return nil, fmt.Errorf("dataset: load %s: pixel limit %d is too small", root, opt.MaxPixels)
	}

	files, skipped, err := walk(ctx, t, root, rootInfo)
	if err != nil {
		return nil, fmt.Errorf("dataset: load %s: %w", root, err)
	}

	d := &Dataset{Resolution: opt.Resolution}
	reasons, err := d.decodeAll(ctx, t, files, opt)
	if err != nil {
		return nil, fmt.Errorf("dataset: load %s: %w", root, err)
	}
	for i, f := range files {
		if reasons[i] != "" {
			skipped = append(skipped, SkippedFile{Path: f.path, Reason: reasons[i]})
		}
	}
	sortSkipped(skipped)
	d.Skipped = skipped

	d.keep(files, reasons, rootName)
	if len(d.Paths) == 0 {
		return nil, noImagesError(root, skipped)
	}
	return d, nil
}

// noImagesError reports an empty result with the first reason, if any, so a
// person sees at once why nothing was loaded.
func noImagesError(root string, skipped []SkippedFile) error {
	if len(skipped) == 0 {
		return fmt.Errorf("dataset: load %s: %w: no PNG, JPEG, GIF, BMP, TIFF or WebP files",
			root, ErrNoImages)
	}
	return fmt.Errorf("dataset: load %s: %w: %d skipped, e.g. %s: %s",
		root, ErrNoImages, len(skipped), skipped[0].Path, skipped[0].Reason)
}

// decodeAll decodes files into d.pix, one slot per file, on one worker per
// CPU. It returns the skip reason of each file, "" for a loaded one.
//
// Shutdown order: workers stop when the files run out or ctx ends; a closer
// goroutine waits for them and then closes done; this goroutine drains done
// until it is closed, calling Progress, so no worker ever blocks on it.
func (d *Dataset) decodeAll(ctx context.Context, t tree, files []imageFile,
	opt Options) ([]string, error) {

	size := d.Resolution * d.Resolution * 3
	d.pix = make([]byte, len(files)*size)
	reasons := make([]string, len(files))
	maxBytes := fileByteLimit(opt.MaxPixels)

	workers := min(runtime.GOMAXPROCS(0), max(len(files), 1))
	var next atomic.Int64
	done := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dec := newDecoder(d.Resolution, opt.MaxPixels)
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				err := dec.decodeFile(t, files[i].path, maxBytes, d.pix[i*size:(i+1)*size])
				if err != nil {
					reasons[i] = err.Error()
				}
				done <- struct{}{}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()

	if opt.Progress != nil {
		opt.Progress(0, len(files))
	}
	count := 0
	for range done {
		count++
		if opt.Progress != nil && ctx.Err() == nil {
			opt.Progress(count, len(files))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return reasons, nil
}

// keep moves the loaded images to the front of d.pix, fills Paths, and gives
// each image its class.
func (d *Dataset) keep(files []imageFile, reasons []string, rootName string) {
	size := d.Resolution * d.Resolution * 3
	classIndex := map[string]int{}
	var classOf []string
	n := 0
	for i, f := range files {
		if reasons[i] != "" {
			continue
		}
		if n != i {
			copy(d.pix[n*size:(n+1)*size], d.pix[i*size:(i+1)*size])
		}
		n++

		class := f.class
		if class == "" {
			class = rootName
		}
		if _, ok := classIndex[class]; !ok {
			classIndex[class] = 0
			d.Classes = append(d.Classes, class)
		}
		d.Paths = append(d.Paths, f.path)
		classOf = append(classOf, class)
	}

	// Give the memory of skipped slots back when they are a large share.
	if n*size < len(d.pix)*3/4 {
		d.pix = append([]byte(nil), d.pix[:n*size]...)
	} else {
		d.pix = d.pix[: n*size : n*size]
	}

	sortStrings(d.Classes)
	for i, c := range d.Classes {
		classIndex[c] = i
	}
	d.Labels = make([]int, n)
	for i, c := range classOf {
		d.Labels[i] = classIndex[c]
	}
}

// fileByteLimit is the largest file read whole: generous for any real
// encoding of maxPixels pixels (16-bit RGBA uncompressed is 8 bytes a pixel).
func fileByteLimit(maxPixels int) int64 {
	return int64(maxPixels)*8 + 1<<20
}
