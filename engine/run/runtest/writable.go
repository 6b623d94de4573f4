package runtest

import "os"

// Writable reports whether a new file can be made in dir.
func Writable(dir string) bool {
	f, err := os.CreateTemp(dir, "probe")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}
