package run

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// dirNames lists the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "favourite.png")

	for _, content := range []string{"first", "second, longer", "3"} {
		if err := WriteFileAtomic(path, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("file holds %q, %v; want %q", got, err, content)
		}
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", info.Mode().Perm())
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"favourite.png"}) {
		t.Errorf("directory holds %v, want only the file", names)
	}
}

func TestWriteAtomicFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	if err := WriteFileAtomic(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}

	// A writer that fails halfway, as a full disk would.
	errHalfway := errors.New("halfway")
	err := writeAtomic(path, 0o644, func(w io.Writer) error {
		w.Write([]byte("new con"))
		return errHalfway
	})
	if !errors.Is(err, errHalfway) {
		t.Fatalf("error %v, want the writer's", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("file holds %q after a failed write, want %q", got, "old")
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"config.json"}) {
		t.Errorf("failed write left %v", names)
	}
}

func TestWriteFileAtomicReadOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "export.png")
	if err := WriteFileAtomic(path, []byte("kept"), 0o644); err != nil {
		t.Fatal(err)
	}
	how := makeReadOnly(t, dir)

	err := WriteFileAtomic(path, []byte("lost"), 0o644)
	if !errors.Is(err, ErrReadOnly) || !isPermission(err) {
		t.Fatalf("read-only by %s: error %v, want ErrReadOnly", how, err)
	}
	if !strings.Contains(err.Error(), "not writable") || !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not say plainly what failed", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "kept" {
		t.Errorf("file holds %q, want %q", got, "kept")
	}
}
