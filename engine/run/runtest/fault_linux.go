package runtest

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// immutableFlag is FS_IMMUTABLE_FL of linux/fs.h: nobody, root included,
// may change the file or add to the directory while it is set.
const immutableFlag = 0x10

// Lock makes dir refuse new files and renames until Unlock or the end of the
// test. Permissions stop ordinary users; root ignores them, so the directory
// is also given the immutable attribute, which binds root too.
func Lock(t testing.TB, dir string) {
	t.Helper()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Unlock(t, dir) })
	if !Writable(dir) {
		return
	}
	if err := setImmutable(dir, true); err != nil {
		t.Fatalf("runtest: cannot lock %s against root: %v", dir, err)
	}
	if Writable(dir) {
		t.Fatalf("runtest: %s still takes new files after locking", dir)
	}
}

// Unlock undoes Lock.
func Unlock(t testing.TB, dir string) {
	t.Helper()
	if err := setImmutable(dir, false); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Errorf("runtest: unlock %s: %v", dir, err)
	}
	os.Chmod(dir, 0o755)
}

func setImmutable(path string, on bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()

	flags, err := unix.IoctlGetUint32(int(f.Fd()), unix.FS_IOC_GETFLAGS)
	if err != nil {
		return err
	}
	flags &^= immutableFlag
	if on {
		flags |= immutableFlag
	}
	return unix.IoctlSetPointerInt(int(f.Fd()), unix.FS_IOC_SETFLAGS, int(flags))
}

// SmallDisk mounts a RAM file system of the given size in megabytes on a new
// directory and returns it; it is unmounted at the end of the test. Mounting
// needs root (CI runs as root); for anyone else the test fails and says so.
func SmallDisk(t testing.TB, megabytes int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "small-disk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := "size=" + strconv.Itoa(megabytes) + "m"
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, opts); err != nil {
		t.Fatalf("runtest: cannot mount a %d MB tmpfs on %s to fill up: %v; the disk-full "+
			"tests need root, as CI has", megabytes, dir, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
			t.Errorf("runtest: unmount %s: %v", dir, err)
		}
	})
	return dir
}

// Fill writes a file named filler in dir until the disk has no byte left,
// and returns its path; removing it makes the room again.
func Fill(t testing.TB, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	// Large writes first, then smaller ones to take the last blocks.
	for _, size := range []int{1 << 20, 64 << 10, 4 << 10, 512, 1} {
		chunk := make([]byte, size)
		for {
			if _, err := f.Write(chunk); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("runtest: fill %s: %v", dir, err)
				}
				break
			}
		}
	}
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.ENOSPC) {
		t.Fatal(err)
	}
	return path
}
