package ui

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/storage"
)

// TestChosenFileIsKeptUntilWritten is what the save dialog does to a file
// a person chose to replace: it makes a writer for it and hands it over.
// The export closes that writer unused and fails, and the old file must
// still be whole; a new file must not be left behind empty.
func TestChosenFileIsKeptUntilWritten(t *testing.T) {
	newTestStudio(t, newFakeBackend(), Options{})
	dir := t.TempDir()
	old := filepath.Join(dir, "old.png")
	if err := os.WriteFile(old, []byte("the picture kept last week"), 0o644); err != nil {
		t.Fatal(err)
	}

	w, err := storage.Writer(storage.NewFileURI(old))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(old); string(got) != "the picture kept last week" {
		t.Errorf("after the save dialog's writer closed unused, the file holds %q", got)
	}

	fresh := filepath.Join(dir, "new.png")
	w, err = storage.Writer(storage.NewFileURI(fresh))
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("an unused writer left %s behind (%v)", fresh, err)
	}

	// Writing through it still works as Fyne's own writer does.
	w, err = storage.Writer(storage.NewFileURI(old))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("new")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(old); string(got) != "new" {
		t.Errorf("after writing, the file holds %q, want %q", got, "new")
	}
}
