//go:build !linux

package run

import "errors"

// setImmutable is only available on Linux; elsewhere read-only tests rely
// on permissions, which hold for any user but root.
func setImmutable(path string, on bool) error {
	return errors.New("no immutable flag on this system")
}
