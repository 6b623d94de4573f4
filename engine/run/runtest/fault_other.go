//go:build !linux

package runtest

import "testing"

const unsupported = "runtest: the fault tests lock directories and mount file systems, " +
	"which only Linux offers here"

// Lock fails the test: only Linux can lock a directory against root.
func Lock(t testing.TB, dir string) { t.Helper(); t.Fatal(unsupported) }

// Unlock does nothing outside Linux.
func Unlock(t testing.TB, dir string) {}

// SmallDisk fails the test: only Linux mounts a small disk here.
func SmallDisk(t testing.TB, megabytes int) string { t.Helper(); t.Fatal(unsupported); return "" }

// Fill fails the test outside Linux.
func Fill(t testing.TB, dir string) string { t.Helper(); t.Fatal(unsupported); return "" }
