//go:build !linux

package app

import (
	"os"
	"testing"
)

// lockDir makes dir refuse new files for the rest of the test by its
// permissions, and fails the test where they do not bind (as for root).
func lockDir(t *testing.T, dir string) {
	t.Helper()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	f, err := os.CreateTemp(dir, "probe")
	if err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Fatalf("cannot make %s read-only as this user", dir)
	}
}
