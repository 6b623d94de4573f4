package run

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// ErrReadOnly reports a write refused because the directory or file may not
// be written (permissions, or a read-only disk). Files already there are left
// as they were.
var ErrReadOnly = errors.New("the directory is not writable")

// ErrDiskFull reports a write that ran out of disk space. Files already there
// are left as they were.
var ErrDiskFull = errors.New("the disk is full")

// tempMarker sits in the name of every temporary file this package writes:
// ".<final name>.tmp-<random>". Listings skip such names.
const tempMarker = ".tmp-"

// staleTempAge is how old a temporary file must be before it is taken for the
// leftover of a crash and removed. Another process may be writing the run at
// the same moment (the window reads a run the command line is training); a
// young temporary file may be its save in flight, and must not be pulled away
// from under its rename.
const staleTempAge = 10 * time.Minute

// WriteFileAtomic replaces the file at path with data, creating it with perm
// if it does not exist. Whatever happens (an error, a crash, a power cut),
// path afterwards holds either its old contents or all of data, never a mix.
//
// The data goes to a temporary file in the same directory, which is synced,
// closed and renamed over path; then the directory itself is synced so that
// the rename survives a power cut. On error the temporary file is removed.
// An error caused by permissions or a full disk wraps ErrReadOnly or
// ErrDiskFull.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	if err := writeAtomicBytes(path, data, perm); err != nil {
		return fmt.Errorf("run: write %s: %w", path, err)
	}
	return nil
}

// writeAtomicBytes is WriteFileAtomic without the package prefix on errors,
// for callers that name their own operation.
func writeAtomicBytes(path string, data []byte, perm os.FileMode) error {
	return writeAtomic(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeAtomic is WriteFileAtomic for content produced by a function, so that
// large files are streamed instead of assembled in memory first.
func writeAtomic(path string, perm os.FileMode, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}

	f, err := os.CreateTemp(dir, "."+base+tempMarker+"*")
	if err != nil {
		return describeWriteError(err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()

	if err := write(f); err != nil {
		return describeWriteError(err)
	}
	if err := f.Chmod(perm); err != nil && runtime.GOOS != "windows" {
		return describeWriteError(err)
	}
	if err := f.Sync(); err != nil {
		return describeWriteError(err)
	}
	if err := f.Close(); err != nil {
		return describeWriteError(err)
	}

	if err := os.Rename(f.Name(), path); err != nil {
		return describeWriteError(err)
	}
	return syncDir(dir)
}

// syncDir makes a rename or a new file in dir durable. Windows cannot sync a
// directory and does not need to: its renames are journaled.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return describeWriteError(err)
	}
	defer d.Close()

	err = d.Sync()
	if errors.Is(err, syscall.EINVAL) {
		// Some file systems cannot sync a directory; their renames are
		// as durable as they will get.
		return nil
	}
	return describeWriteError(err)
}

// describeWriteError wraps err with ErrReadOnly or ErrDiskFull when it is one
// of those, so the person reads the cause in plain words before the detail.
func describeWriteError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}

// isTempName reports whether name is a temporary file of writeAtomic.
func isTempName(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tempMarker)
}

// removeStaleTemps deletes temporary files in dir older than staleTempAge:
// saves that a crash interrupted before their rename. Errors are ignored;
// the files are skipped by every listing and are retried next time.
func removeStaleTemps(dir string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() || !isTempName(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) < staleTempAge {
			continue
		}
		os.Remove(filepath.Join(dir, e.Name()))
	}
}
