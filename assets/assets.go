// Package assets holds the files ganvas carries inside its binary: the
// default training style, so a new user can press Train at once, and the
// application icon.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed style
var styleFiles embed.FS

// Style holds the default style: 330 Noto Emoji pictures (64x64 PNG,
// transparent background) in one folder per class — animals, food, plants
// and sky — beside their LICENSE and SOURCE.md. Load it with
// dataset.LoadFS(ctx, assets.Style, ".", options).
var Style fs.FS = subFolder(styleFiles, "style")

// StyleName is the default style's name as a person sees it in the window.
const StyleName = "Emoji: animals, plants, food and sky"

// StyleCredit names the default style's source and licence, for an About box
// or a run's notes.
const StyleCredit = "Noto Emoji images by Google, Apache License 2.0"

// Icon is the application icon: a 512x512 PNG of a sample grid whose hues
// turn from corner to corner, as a walk through latent space does. It is our
// own drawing, made by drawIcon in icon_test.go.
//
//go:embed icon.png
var Icon []byte

// subFolder roots fsys at dir. The folder is embedded at build time, so a
// failure is a broken build, not something a user can meet.
func subFolder(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic("assets: " + err.Error())
	}
	return sub
}
