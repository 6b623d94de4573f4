package ui

import (
	"errors"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage/repository"
)

// fullRepository is every kind of repository Fyne's own file repository is.
type fullRepository interface {
	repository.Repository
	repository.WritableRepository
	repository.AppendableRepository
	repository.ListableRepository
	repository.HierarchicalRepository
	repository.DeleteAllRepository
	repository.CopyableRepository
	repository.MovableRepository
}

// keepUntilWritten is Fyne's file repository with one change: a writer
// opens (and so creates or empties) its file only when the first byte is
// written, not when it is made.
//
// Fyne's save dialog makes the writer for the chosen file as soon as the
// person confirms, which empties a file being replaced. An export instead
// closes that writer unused and replaces the file atomically once the new
// image is made, so with this repository a failed export leaves the old
// file exactly as it was, and a cancelled one leaves no empty file behind.
type keepUntilWritten struct {
	fullRepository
}

var guardMu sync.Mutex

// guardFileWrites puts keepUntilWritten in front of the "file" repository
// the Fyne driver registered, once.
func guardFileWrites() {
	guardMu.Lock()
	defer guardMu.Unlock()
	base, err := repository.ForScheme("file")
	if err != nil {
		fyne.LogError("ui: exports may empty a file they fail to replace", err)
		return
	}
	if _, done := base.(keepUntilWritten); done {
		return
	}
	full, ok := base.(fullRepository)
	if !ok {
		fyne.LogError("ui: exports may empty a file they fail to replace",
			errors.New("the file repository is not Fyne's own"))
		return
	}
	repository.Register("file", keepUntilWritten{full})
}

// Writer returns a writer that opens u for writing on its first Write.
func (r keepUntilWritten) Writer(u fyne.URI) (fyne.URIWriteCloser, error) {
	return &lazyWriter{uri: u, open: r.fullRepository.Writer}, nil
}

// lazyWriter opens its file on the first Write; closed unwritten, it never
// touched the file.
type lazyWriter struct {
	uri  fyne.URI
	open func(fyne.URI) (fyne.URIWriteCloser, error)
	w    fyne.URIWriteCloser
}

func (l *lazyWriter) URI() fyne.URI { return l.uri }

func (l *lazyWriter) Write(p []byte) (int, error) {
	if l.w == nil {
		w, err := l.open(l.uri)
		if err != nil {
			return 0, err
		}
		l.w = w
	}
	return l.w.Write(p)
}

func (l *lazyWriter) Close() error {
	if l.w == nil {
		return nil
	}
	return l.w.Close()
}
