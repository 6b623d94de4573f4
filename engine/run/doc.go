// Package run owns the directory of a training run and every write to it.
//
// A run directory holds:
//
//	config.json                          the training config, with a format version
//	metrics.csv                          one row per logged step, header row first
//	samples/step-NNNNNN.png              sample grids written at an interval
//	checkpoints/step-NNNNNN.safetensors  the last two checkpoints
//
// Step numbers in file names have at least six digits, more when needed.
//
// Every file is replaced atomically (temporary file, fsync, rename, fsync of
// the directory), so a crash or a kill at any moment leaves each file either
// as it was or as it was meant to be. The metrics file is appended to
// instead; a line cut short by a crash is dropped the next time it is opened.
//
// config.json is {"format": 1, "config": <the trainer's config>}.
//
// A checkpoint is a safetensors file that other tools can read: an 8-byte
// little-endian header length, a JSON header padded with spaces to a multiple
// of 8 bytes, then the raw little-endian float32 data of each tensor in
// order of name. Each tensor's header entry has "dtype": "F32", its "shape"
// and its "data_offsets" into the data. The "__metadata__" map holds the
// trainer's strings and three of ours: ganvas_checkpoint_format, step, and
// data_sha256, the SHA-256 of the whole data section, which loading checks.
// A damaged newest checkpoint makes loading fall back to the one before.
//
// The package knows nothing of any user interface or training framework:
// tensors arrive as plain float32 slices.
package run
