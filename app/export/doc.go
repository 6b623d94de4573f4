// Package export writes what a person makes in the studio to files others
// can open: PNG images that carry the recipe to make them again, sample
// grids, upscaled images and animated GIFs.
//
// A recipe travels inside the PNG as an iTXt chunk with the keyword "ganvas",
// placed right after the IHDR chunk, holding the Recipe as JSON. Any image
// viewer shows the picture and ignores the chunk; ReadRecipe finds it again,
// checking every chunk's CRC on the way.
//
// The Save functions write through ganvas/engine/run's atomic writer: a
// failed export (no permission, a full disk) returns an error and leaves any
// file already at the path as it was.
package export
