package engine

import (
	"io/fs"

	"ganvas/assets"
)

// DefaultStyle returns the embedded style a run trains on when it names no
// folder.
func DefaultStyle() fs.FS { return assets.Style }
