// Package run owns the directory of a training run and every write to it.
//
// A run directory holds:
//
//	config.json                          the training config, wrapped with a format version
//	metrics.csv                          one row per logged step, header row first
//	samples/step-NNNNNN.png              sample grids written at an interval
//	checkpoints/step-NNNNNN.safetensors  the last two checkpoints
//
// Every file is replaced atomically (temporary file, fsync, rename, fsync of
// the directory), so a crash or a kill at any moment leaves each file either
// as it was or as it was meant to be. The metrics file is appended to instead;
// a line cut short by a crash is dropped the next time the file is opened.
//
// Checkpoints use the safetensors layout, so other tools can read the
// weights; their metadata carries a SHA-256 of the tensor data, and loading
// falls back to the previous checkpoint when the newest one is damaged.
//
// The package knows nothing of any user interface or training framework:
// tensors arrive as plain float32 slices.
package run
