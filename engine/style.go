package engine

import (
	"io/fs"

	"ganvas/assets"
)

// defaultStyle returns the embedded style a run trains on when it names no
// folder.
func defaultStyle() fs.FS { return assets.Style }
