package app

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// lockDir makes dir refuse new files for the rest of the test. Permissions
// stop ordinary users; root ignores them, so the directory also gets the
// immutable attribute, which binds root as well.
func lockDir(t *testing.T, dir string) {
	t.Helper()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if !writable(dir) {
		return
	}
	if err := setImmutable(dir, true); err != nil {
		t.Fatalf("cannot lock %s against root: %v", dir, err)
	}
	t.Cleanup(func() { setImmutable(dir, false) })
	if writable(dir) {
		t.Fatalf("%s still takes new files after locking", dir)
	}
}

// setImmutable turns the immutable attribute (FS_IMMUTABLE_FL) of path on
// or off.
func setImmutable(path string, on bool) error {
	const immutable = 0x10
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	flags, err := unix.IoctlGetUint32(int(f.Fd()), unix.FS_IOC_GETFLAGS)
	if err != nil {
		return err
	}
	flags &^= immutable
	if on {
		flags |= immutable
	}
	return unix.IoctlSetPointerInt(int(f.Fd()), unix.FS_IOC_SETFLAGS, int(flags))
}

func writable(dir string) bool {
	f, err := os.CreateTemp(dir, "probe")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}
