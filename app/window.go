package app

import "errors"

// openWindow opens the studio window.
func openWindow(args []string) error {
	return errors.New("the studio window is not built yet; use 'ganvas train' (see 'ganvas -h')")
}
