package run

import (
	"errors"
	"os"
	"syscall"
	"testing"
)

// makeReadOnly makes dir refuse new files for the rest of the test, and
// returns how: "permissions" or "immutable flag". Root ignores permissions,
// so for root the directory is also marked immutable, which root obeys. Where
// neither can be done, the test fails rather than passing untested.
func makeReadOnly(t *testing.T, dir string) string {
	t.Helper()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if !canCreateIn(dir) {
		return "permissions"
	}

	if err := setImmutable(dir, true); err != nil {
		t.Fatalf("cannot make %s read-only as this user: %v", dir, err)
	}
	t.Cleanup(func() { setImmutable(dir, false) })
	if canCreateIn(dir) {
		t.Fatalf("%s still accepts new files after being made read-only", dir)
	}
	return "immutable flag"
}

func canCreateIn(dir string) bool {
	f, err := os.CreateTemp(dir, "probe")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// isPermission reports whether err is the operating system refusing a write.
func isPermission(err error) bool {
	return errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EROFS)
}
